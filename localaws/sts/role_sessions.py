"""Role sessions: the principal a set of role credentials stands for, shared by STS's AssumeRole* and Cognito's
enhanced flow (which assumes the pool's role on the identity's behalf)."""

import json
from datetime import UTC, datetime
from typing import Any

from localaws.context import Credential, Principal
from localaws.errors import AwsError
from localaws.sts.errors import validation
from localaws.sts.roles import Role

DEFAULT_DURATION = 3600
MIN_DURATION = 900
MAX_DURATION = 43200
# A role session assuming another role ("role chaining") gets at most an hour, whatever the role allows.
CHAINED_MAX_DURATION = 3600


def session_principal(role: Role, session_name: str, context: dict[str, Any], issued_at: float) -> Principal:
    """arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (the role's path is not part of it, as on AWS)."""
    return Principal(
        account_id=role.account_id,
        kind="assumed-role",
        arn=f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{session_name}",
        name=role.name,
        user_id=f"{role.role_id}:{session_name}",
        session_name=session_name,
        role_arn=role.arn,
        session_context={
            "aws:TokenIssueTime": datetime.fromtimestamp(int(issued_at), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sts:RoleSessionName": session_name,
            **context,
        },
    )


def checked_duration(requested: int | None, role: Role, *, chained: bool) -> int:
    """DurationSeconds as AWS allows it for a role session; ValidationError in AWS's words otherwise."""
    duration = DEFAULT_DURATION if requested is None else requested
    if duration > role.max_session_duration:
        raise validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    if chained and duration > CHAINED_MAX_DURATION:
        raise validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    return duration


def session_policy(params: dict[str, Any]) -> dict[str, Any] | None:
    """The inline session policy (Policy) of an AssumeRole* request, parsed; it narrows what the session may do."""
    if params.get("PolicyArns"):
        # Managed session policies would need IAM's managed policies here; refusing beats silently granting more.
        raise validation("PolicyArns (managed session policies) are not supported by the local endpoint: use Policy.")
    text = params.get("Policy")
    if text is None:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or "Statement" not in document:
        raise AwsError("MalformedPolicyDocument", "The policy is not in the valid JSON format.", 400)
    return document


def packed_policy_size(document: dict[str, Any] | None) -> int | None:
    """A percentage of the packed session size limit; only its presence and range matter to callers."""
    if document is None:
        return None
    return max(1, min(100, len(json.dumps(document, separators=(",", ":"))) * 100 // 2048))


def credentials_answer(credential: Credential, secret_member: str = "SecretAccessKey") -> dict[str, Any]:
    """The Credentials member of an answer (Cognito names the secret SecretKey, STS SecretAccessKey)."""
    return {
        "AccessKeyId": credential.access_key_id,
        secret_member: credential.secret_access_key,
        "SessionToken": credential.session_token,
        "Expiration": credential.expires_at,
    }
