"""Shared by the STS and Cognito Identity tests: roles made in moto's IAM backend (in-process, under mock_aws),
read by a stand-in for localaws.iam.IamView, and a stand-in Authorizer that judges trust policies for the few
forms these tests use. (No tests here; the real IamView/Authorizer are exercised in test_cognito_real_iam.py.)"""

import fnmatch
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.iam.models import iam_backends

from localaws.context import Principal, RequestContext
from localaws.runtime import Runtime

REGION = "us-east-1"
ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
COGNITO = "cognito-identity.amazonaws.com"


@dataclass(frozen=True)
class FakeRoleFacts:
    arn: str
    name: str
    path: str
    role_id: str
    account_id: str
    max_session_duration: int
    trust_policy: dict
    policies: tuple[dict, ...]


class MotoRoleView:
    """IamView.role / role_by_name, read straight from moto's IAM backend (no propagation delay)."""

    def role(self, role_arn: str) -> FakeRoleFacts | None:
        account_id = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
        name = role_arn.rsplit("/", 1)[-1]
        return self.role_by_name(account_id, name)

    def role_by_name(self, account_id: str, name: str) -> FakeRoleFacts | None:
        if account_id not in iam_backends:
            return None
        backend = iam_backends[account_id]["global"]
        role = next((each for each in backend.roles.values() if each.name == name), None)
        if role is None:
            return None
        return FakeRoleFacts(
            arn=role.arn,
            name=role.name,
            path=role.path,
            role_id=role.id,
            account_id=account_id,
            max_session_duration=int(role.max_session_duration or 3600),
            trust_policy=json.loads(role.assume_role_policy_document),
            policies=tuple(json.loads(doc) for doc in role.policies.values()),
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class FakeTrustJudge:
    """Authorizer.trust_allows for Allow/Deny statements, Principal AWS/Federated/"*", and the condition operators
    StringEquals, StringLike and ForAnyValue:StringLike (all these tests' trust policies use)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def trust_allows(
        self,
        role: Any,
        action: str,
        *,
        principal: Principal | None = None,
        federated: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> bool:
        self.calls.append({"role": role.arn, "action": action, "federated": federated, "context": dict(context or {})})
        allowed = False
        for statement in _as_list(role.trust_policy.get("Statement", [])):
            if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _as_list(statement.get("Action", []))):
                continue
            if not _principal_matches(statement.get("Principal"), principal, federated):
                continue
            if not _conditions_hold(statement.get("Condition") or {}, context or {}):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
        return allowed


def _principal_matches(policy_principal: Any, principal: Principal | None, federated: str | None) -> bool:
    if policy_principal == "*":
        return True
    if not isinstance(policy_principal, dict):
        return False
    if federated is not None:
        return federated in _as_list(policy_principal.get("Federated", []))
    if principal is None:
        return False
    names = {principal.account_id, f"arn:aws:iam::{principal.account_id}:root", principal.arn}
    if principal.role_arn:
        names.add(principal.role_arn)
    return any(each == "*" or each in names for each in _as_list(policy_principal.get("AWS", [])))


def _conditions_hold(conditions: dict[str, Any], context: dict[str, Any]) -> bool:
    for operator, block in conditions.items():
        for key, expected in block.items():
            actual = [str(each) for each in _as_list(context.get(key, []))]
            patterns = [str(each) for each in _as_list(expected)]
            if operator == "StringEquals":
                ok = bool(actual) and all(value in patterns for value in actual)
            elif operator in ("StringLike", "ForAnyValue:StringLike"):
                ok = any(fnmatch.fnmatchcase(value, p) for value in actual for p in patterns)
            else:
                ok = False
            if not ok:
                return False
    return True


# --- roles in moto's IAM ------------------------------------------------------------------------


def create_role(account_id: str, name: str, trust: dict, max_session_duration: int = 3600) -> str:
    backend = iam_backends[account_id]["global"]
    role = backend.create_role(
        role_name=name,
        assume_role_policy_document=json.dumps(trust),
        path="/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration=str(max_session_duration),
    )
    return role.arn


def cognito_trust(pool_id: str, amr: str = "unauthenticated") -> dict:
    """The trust policy the workshop's roles have (roles/wildrydes_identity_pool/templates/trust-policy.json.j2)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": COGNITO},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{COGNITO}:aud": pool_id},
                    "ForAnyValue:StringLike": {f"{COGNITO}:amr": amr},
                },
            }
        ],
    }


def account_trust(account_id: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole"}
        ],
    }


# --- request contexts -----------------------------------------------------------------------------


def admin(account_id: str) -> Principal:
    return Principal(
        account_id=account_id,
        kind="admin",
        arn=f"arn:aws:iam::{account_id}:user/wildrydes-local-admin",
        name="wildrydes-local-admin",
        user_id="AIDA" + account_id.rjust(17, "0"),
    )


def iam_user(account_id: str, name: str = "attendee") -> Principal:
    return Principal(
        account_id=account_id,
        kind="user",
        arn=f"arn:aws:iam::{account_id}:user/{name}",
        name=name,
        user_id="AIDAEXAMPLEUSER00001",
    )


def signed(
    runtime: Runtime,
    service: str,
    operation: str,
    principal: Principal,
    region: str = REGION,
    headers: dict[str, str] | None = None,
) -> RequestContext:
    return RequestContext(
        service=service,
        operation=operation,
        region=region,
        account_id=principal.account_id,
        principal=principal,
        request_id=str(uuid.uuid4()),
        clock=runtime.clock,
        settings=runtime.settings,
        headers=dict(headers or {}),
    )


def unsigned(runtime: Runtime, service: str, operation: str, region: str = REGION) -> RequestContext:
    return RequestContext(
        service=service,
        operation=operation,
        region=region,
        account_id=None,
        principal=None,
        request_id=str(uuid.uuid4()),
        clock=runtime.clock,
        settings=runtime.settings,
    )


# --- the services under test --------------------------------------------------------------------


@dataclass
class World:
    runtime: Runtime
    sessions: Any
    view: Any
    judge: Any
    sts: Any
    cognito: Any

    def sts_call(self, ctx: RequestContext, **params: Any) -> Any:
        return self.sts.call(ctx, params)

    def cognito_call(self, ctx: RequestContext, **params: Any) -> Any:
        return self.cognito.call(ctx, params)


def make_world(state_dir: Any, iam: Callable[[Runtime], tuple[Any, Any]] | None = None) -> World:
    """STS and Cognito Identity sharing one runtime and session store; IAM from moto (call inside mock_aws):
    `iam(runtime)` makes the (IamView, Authorizer) pair, the stand-ins by default."""
    from localaws.cognito_identity import CognitoIdentityService
    from localaws.settings import Settings
    from localaws.sts import SessionStore, StsService

    runtime = Runtime(Settings(state_dir=state_dir, accounts=[ACCOUNT_A, ACCOUNT_B]))
    sessions = SessionStore()
    view, judge = iam(runtime) if iam else (MotoRoleView(), FakeTrustJudge())
    return World(
        runtime=runtime,
        sessions=sessions,
        view=view,
        judge=judge,
        sts=StsService(runtime, view, judge, sessions),
        cognito=CognitoIdentityService(runtime, view, judge, sessions),
    )
