"""IAM authorization: is the caller allowed each action on the resource the call acts on, and does a role's
trust policy admit a caller who wants to assume it."""

from collections.abc import Mapping
from typing import Any

from localaws.context import Principal, RequestContext
from localaws.errors import AwsError
from localaws.iam.actions import ActionTable, action_table
from localaws.iam.facts import RoleFacts
from localaws.iam.policy import Decision, evaluate, parse_document
from localaws.iam.request_keys import extra_keys, principal_keys, request_keys, time_keys
from localaws.iam.trust import trust_allows
from localaws.iam.view import IamView
from localaws.runtime import Runtime
from localaws.services import Access

# Services of the query protocol refuse with AccessDenied (HTTP 403); the JSON ones with AccessDeniedException.
QUERY_SERVICES = frozenset({"iam", "sts"})
# Needs no permission: AWS answers it even under an explicit Deny.
ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})
# The resource policy of a role is its trust policy, which STS checks itself (trust_allows).
_OWN_RESOURCE_POLICY_PREFIXES = ("sts:",)


def denial_message(caller_arn: str, action: str, resource: str, reason: str) -> str:
    # AWS names no resource for an action authorised on "*" only.
    on_resource = f" on resource: {resource}" if resource != "*" else ""
    return f"User: {caller_arn} is not authorized to perform: {action}{on_resource} {reason}"


def _account_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and len(parts[4]) == 12 and parts[4].isdigit():
        return parts[4]
    return None


class Authorizer:
    def __init__(self, runtime: Runtime, view: IamView, table: ActionTable | None = None) -> None:
        self._runtime = runtime
        self._view = view
        self._table = table or action_table()

    def authorize(self, ctx: RequestContext, accesses: list[Access]) -> None:
        """Raise AwsError (AccessDeniedException, or AccessDenied for IAM and STS) on the first access the caller's
        policies do not allow. The account's administrator is allowed everything, as its root user would be."""
        if not self._runtime.settings.iam_enforcement:
            return
        principal = ctx.principal
        if principal is not None and principal.kind == "admin":
            return
        checks = [access for access in accesses if access.action.lower() not in ALWAYS_ALLOWED]
        if not checks:
            return
        if principal is None:
            access = checks[0]
            resource = self._table.request_resource(access.action, access.resource) or access.resource
            reason = f"because no identity-based policy allows the {access.action} action"
            raise self._denied(ctx, "anonymous", access.action, resource, reason)
        identity, boundary = self._view.identity(principal)
        session_policy = principal.session_context.get("session_policy") if principal.session_context else None
        # A session policy that is not a JSON object allows nothing.
        session = (parse_document(session_policy) or {}) if session_policy is not None else None
        limits = [
            (name, document)
            for name, document in (("permissions boundary", boundary), ("session policy", session))
            if document is not None
        ]
        lookup = request_keys(ctx).get
        for access in checks:
            self._check(ctx, principal, identity, limits, lookup, access)

    def _check(
        self,
        ctx: RequestContext,
        principal: Principal,
        identity: tuple[dict[str, Any], ...],
        limits: list[tuple[str, dict[str, Any]]],
        lookup: Any,
        access: Access,
    ) -> None:
        """AWS's order: an explicit Deny anywhere; then an Allow needed from the identity policies and from each
        limit that applies (a role's permissions boundary, the session policy); then another account's resource."""
        action = access.action
        resource = self._table.request_resource(action, access.resource)
        if resource is None:  # not an action IAM knows: nothing can allow it
            reason = f"because no identity-based policy allows the {action} action"
            raise self._denied(ctx, principal.arn, action, access.resource, reason)
        decisions = [("identity-based policy", evaluate(identity, action, resource, lookup))]
        decisions += [(name, evaluate((document,), action, resource, lookup)) for name, document in limits]
        for name, decision in decisions:
            if decision is Decision.DENY:
                article = "an" if name[0] in "aeiou" else "a"
                raise self._denied(ctx, principal.arn, action, resource, f"with an explicit deny in {article} {name}")
        for name, decision in decisions:
            if decision is not Decision.ALLOW:
                reason = f"because no {name} allows the {action} action"
                raise self._denied(ctx, principal.arn, action, resource, reason)
        owner = _account_of(resource)
        if (
            owner is not None
            and owner != principal.account_id
            and not action.lower().startswith(_OWN_RESOURCE_POLICY_PREFIXES)
        ):
            # Another account's resource needs that account's resource-based policy too; the endpoint has none.
            reason = f"because no resource-based policy allows the {action} action"
            raise self._denied(ctx, principal.arn, action, resource, reason)

    @staticmethod
    def _denied(ctx: RequestContext, caller_arn: str, action: str, resource: str, reason: str) -> AwsError:
        message = denial_message(caller_arn, action, resource, reason)
        if ctx.service in QUERY_SERVICES:
            return AwsError("AccessDenied", message, 403)
        return AwsError("AccessDeniedException", message, 400)

    def trust_allows(
        self,
        role: RoleFacts,
        action: str,
        *,
        principal: Principal | None = None,
        federated: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> bool:
        """Whether the role's trust policy admits this caller for `action` (sts:AssumeRole,
        sts:AssumeRoleWithWebIdentity): a principal (an account, a user or role ARN), or a web identity of the
        `federated` provider whose token's claims come as condition keys in `context`."""
        keys = time_keys(self._runtime.clock.time())
        if principal is not None:
            keys.update(principal_keys(principal))
        if federated is not None:
            keys["aws:federatedprovider"] = [federated]
        keys.update(extra_keys(context))
        return trust_allows(role.trust_policy, action, principal, federated, keys.get)
