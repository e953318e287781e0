"""STS, owned outright: AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity, GetSessionToken.

Roles are IAM's (read through `localaws.iam.IamView`); trust policies are judged by `localaws.iam.Authorizer`;
the credentials made here go into the `SessionStore` the front door authenticates against, and expire on the
endpoint's clock.

AssumeRoleWithWebIdentity is unsigned on AWS (the token is the credential): it is served by the account in RoleArn.
It accepts only OpenID tokens this endpoint's Cognito Identity issued (`localaws.cognito_identity.tokens`), while
they are valid, for roles whose trust policy admits {"Federated": "cognito-identity.amazonaws.com"} with the
token's aud / amr / sub; tokens of other identity providers cannot be verified offline and are refused.
"""

from typing import Any

from localaws.cognito_identity.tokens import PROVIDER, OpenIdTokens
from localaws.context import RequestContext
from localaws.errors import AwsError
from localaws.runtime import Runtime
from localaws.services import Access
from localaws.sts import errors
from localaws.sts.role_sessions import (
    MAX_DURATION,
    MIN_DURATION,
    checked_duration,
    credentials_answer,
    packed_policy_size,
    session_policy,
    session_principal,
)
from localaws.sts.roles import RoleView, TrustJudge, role_account
from localaws.sts.sessions import SessionStore

# GetSessionToken: IAM users may ask for up to 36 hours (the model's range), 12 hours when they do not say.
SESSION_TOKEN_DEFAULT = 43200
SESSION_TOKEN_MAX = 129600


class StsService:
    name = "sts"

    def __init__(self, runtime: Runtime, view: RoleView, authorizer: TrustJudge, sessions: SessionStore) -> None:
        self.runtime = runtime
        self.view = view
        self.authorizer = authorizer
        self.sessions = sessions
        self.tokens = OpenIdTokens(runtime.secret)

    def authorization(self, ctx: RequestContext, params: dict[str, Any]) -> list[Access]:
        operation = ctx.operation
        if operation == "AssumeRole":
            return [Access("sts:AssumeRole", params.get("RoleArn") or "*")]
        # AssumeRoleWithWebIdentity is authorised by the token and the trust policy alone; GetCallerIdentity and
        # GetSessionToken need no permission on AWS (an explicit Deny of them does not stop them either).
        if operation in ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetCallerIdentity", "GetSessionToken"):
            return []
        return [Access(f"sts:{operation}", "*")]

    def call(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        handler = {
            "AssumeRole": self._assume_role,
            "AssumeRoleWithWebIdentity": self._assume_role_with_web_identity,
            "GetCallerIdentity": self._get_caller_identity,
            "GetSessionToken": self._get_session_token,
        }.get(ctx.operation)
        if handler is None:
            raise errors.not_implemented(ctx.operation)
        return handler(ctx, params)

    # --- operations ----------------------------------------------------------------------------

    def _assume_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        caller = ctx.principal
        role_arn = params["RoleArn"]
        session_name = params["RoleSessionName"]
        if caller is None:
            raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
        requested = _duration_in_range(params.get("DurationSeconds"))
        if role_account(role_arn) is None:
            raise errors.validation("Request ARN is invalid")
        policy = session_policy(params)
        role = self.view.role(role_arn)
        trust_context: dict[str, Any] = {"sts:RoleSessionName": session_name}
        if params.get("ExternalId") is not None:
            trust_context["sts:ExternalId"] = params["ExternalId"]
        if role is None or not self.authorizer.trust_allows(
            role, "sts:AssumeRole", principal=caller, context=trust_context
        ):
            raise errors.not_authorized_to_assume(caller.arn, role_arn)
        duration = checked_duration(requested, role, chained=caller.kind == "assumed-role")
        context: dict[str, Any] = {f"aws:PrincipalTag/{tag['Key']}": tag["Value"] for tag in params.get("Tags") or []}
        if policy is not None:
            context["session_policy"] = policy
        if params.get("SourceIdentity") is not None:
            context["sts:SourceIdentity"] = params["SourceIdentity"]
        now = ctx.clock.time()
        credential = self.sessions.issue(session_principal(role, session_name, context, now), duration, now)
        answer: dict[str, Any] = {
            "Credentials": credentials_answer(credential),
            "AssumedRoleUser": {"AssumedRoleId": credential.principal.user_id, "Arn": credential.principal.arn},
        }
        if policy is not None:
            answer["PackedPolicySize"] = packed_policy_size(policy)
        if params.get("SourceIdentity") is not None:
            answer["SourceIdentity"] = params["SourceIdentity"]
        return answer

    def _assume_role_with_web_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        role_arn = params["RoleArn"]
        session_name = params["RoleSessionName"]
        requested = _duration_in_range(params.get("DurationSeconds"))
        if role_account(role_arn) is None:
            raise errors.validation("Request ARN is invalid")
        now = ctx.clock.time()
        claims = self.tokens.verify(params["WebIdentityToken"], now)
        policy = session_policy(params)
        role = self.view.role(role_arn)
        token_context = claims.condition_context()
        if role is None or not self.authorizer.trust_allows(
            role, "sts:AssumeRoleWithWebIdentity", federated=PROVIDER, context=token_context
        ):
            raise errors.access_denied(errors.WEB_IDENTITY_DENIED)
        duration = checked_duration(requested, role, chained=False)
        context: dict[str, Any] = {**token_context, "aws:FederatedProvider": PROVIDER}
        if policy is not None:
            context["session_policy"] = policy
        credential = self.sessions.issue(session_principal(role, session_name, context, now), duration, now)
        answer: dict[str, Any] = {
            "Credentials": credentials_answer(credential),
            "SubjectFromWebIdentityToken": claims.sub,
            "AssumedRoleUser": {"AssumedRoleId": credential.principal.user_id, "Arn": credential.principal.arn},
            "Provider": PROVIDER,
            "Audience": claims.aud,
        }
        if policy is not None:
            answer["PackedPolicySize"] = packed_policy_size(policy)
        return answer

    def _get_caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        caller = ctx.principal
        if caller is None:
            raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
        return {"UserId": caller.user_id, "Account": caller.account_id, "Arn": caller.arn}

    def _get_session_token(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        caller = ctx.principal
        if caller is None:
            raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
        # Temporary credentials always travel with their session token: such a caller cannot mint more.
        if caller.kind == "assumed-role" or "x-amz-security-token" in ctx.headers:
            raise errors.access_denied("Cannot call GetSessionToken with session credentials")
        requested = params.get("DurationSeconds")
        if requested is not None and not MIN_DURATION <= requested <= SESSION_TOKEN_MAX:
            raise errors.out_of_range("DurationSeconds", requested, MIN_DURATION, SESSION_TOKEN_MAX)
        duration = SESSION_TOKEN_DEFAULT if requested is None else requested
        now = ctx.clock.time()
        credential = self.sessions.issue(caller, duration, now)
        return {"Credentials": credentials_answer(credential)}


def _duration_in_range(requested: int | None) -> int | None:
    if requested is not None and not MIN_DURATION <= requested <= MAX_DURATION:
        raise errors.out_of_range("DurationSeconds", requested, MIN_DURATION, MAX_DURATION)
    return requested
