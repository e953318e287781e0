"""Cognito Identity (identity pools), owned outright.

Pools live in a `PoolStore` of this endpoint; roles are IAM's, read through `localaws.iam.IamView`; trust policies
are judged by `localaws.iam.Authorizer`; the enhanced flow's credentials go into STS's `SessionStore`.

GetId, GetOpenIdToken, GetCredentialsForIdentity and UnlinkIdentity are unsigned on AWS (`authtype: none`): they
find the pool from its id (REGION:UUID) or the identity from its id and act in the pool's account. Every other
operation is signed and sees only the caller's account and region: another account's pool is not found.

Logins: see logins.py (no provider token can be verified offline, so every Logins map is refused).

Not implemented (UnknownOperationException): developer-authenticated identities (GetOpenIdTokenForDeveloperIdentity,
LookupDeveloperIdentity, MergeDeveloperIdentities, UnlinkDeveloperIdentity), UnlinkIdentity, DeleteIdentities and
the principal tag maps. GetCredentialsForIdentity ignores CustomRoleArn (it only applies to authenticated
identities with role mappings, which cannot occur here) and does not apply RoleMappings rules.
"""

import re
from typing import Any

from localaws.cognito_identity import errors
from localaws.cognito_identity.logins import check_logins
from localaws.cognito_identity.paging import page
from localaws.cognito_identity.pools import (
    ROLE_TYPES,
    Identity,
    IdentityPool,
    PoolStore,
    new_id,
    pool_arn,
)
from localaws.cognito_identity.scope_down import UNAUTHENTICATED_SESSION_POLICY
from localaws.cognito_identity.tokens import PROVIDER, OpenIdTokens, condition_context
from localaws.context import RequestContext
from localaws.runtime import Runtime
from localaws.services import Access
from localaws.sts.role_sessions import credentials_answer, session_principal
from localaws.sts.roles import RoleView, TrustJudge
from localaws.sts.sessions import SessionStore

IMPLEMENTED = frozenset(
    {
        "CreateIdentityPool",
        "DescribeIdentityPool",
        "UpdateIdentityPool",
        "DeleteIdentityPool",
        "ListIdentityPools",
        "SetIdentityPoolRoles",
        "GetIdentityPoolRoles",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
        "GetId",
        "GetOpenIdToken",
        "GetCredentialsForIdentity",
        "ListIdentities",
        "DescribeIdentity",
    }
)
PUBLIC_OPERATIONS = frozenset({"GetId", "GetOpenIdToken", "GetCredentialsForIdentity", "UnlinkIdentity"})
# The role session name AWS gives enhanced-flow credentials, and their lifetime.
ENHANCED_FLOW_SESSION_NAME = "CognitoIdentityCredentials"
ENHANCED_FLOW_SECONDS = 3600
MAX_TAGS = 50
_POOL_ARN = re.compile(
    r"^arn:aws[\w-]*:cognito-identity:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):identitypool/(?P<pool_id>[\w-]+:[0-9a-f-]+)$"
)
_TAGGING = ("TagResource", "UntagResource", "ListTagsForResource")


class CognitoIdentityService:
    name = "cognito-identity"

    def __init__(
        self,
        runtime: Runtime,
        view: RoleView,
        authorizer: TrustJudge,
        sessions: SessionStore,
        pools: PoolStore | None = None,
    ) -> None:
        self.runtime = runtime
        self.view = view
        self.authorizer = authorizer
        self.sessions = sessions
        self.pools = pools or PoolStore()
        self.tokens = OpenIdTokens(runtime.secret)

    # --- IAM -----------------------------------------------------------------------------------

    def authorization(self, ctx: RequestContext, params: dict[str, Any]) -> list[Access]:
        operation = ctx.operation
        if operation in PUBLIC_OPERATIONS:
            return []
        action = f"cognito-identity:{operation}"
        if "IdentityPoolId" in params:
            pool_id = params["IdentityPoolId"]
            region = pool_id.split(":", 1)[0] or ctx.region
            accesses = [Access(action, pool_arn(region, ctx.account_id or "", pool_id))]
        elif operation in _TAGGING:
            accesses = [Access(action, _parsed_pool_arn(params.get("ResourceArn") or "")[0])]
        elif operation == "DescribeIdentity":
            identity = self.pools.identity(params.get("IdentityId") or "")
            pool = self.pools.pool(identity.pool_id) if identity else None
            accesses = [Access(action, pool.arn if pool else "*")]
        else:
            accesses = [Access(action, "*")]
        if operation == "SetIdentityPoolRoles":
            # Handing a role to Cognito is passing it (iam:PassRole on each role named).
            accesses += [Access("iam:PassRole", arn) for arn in dict.fromkeys(_roles_named(params))]
        return accesses

    # --- dispatch --------------------------------------------------------------------------------

    def call(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        if ctx.operation not in IMPLEMENTED:
            raise errors.not_implemented(ctx.operation)
        return getattr(self, "_" + _snake(ctx.operation))(ctx, params)

    # --- pools -----------------------------------------------------------------------------------

    def _create_identity_pool(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account_id = _account(ctx)
        pool = IdentityPool(
            pool_id=new_id(ctx.region),
            account_id=account_id,
            region=ctx.region,
            name=params["IdentityPoolName"],
            allow_unauthenticated=bool(params["AllowUnauthenticatedIdentities"]),
            allow_classic_flow=params.get("AllowClassicFlow"),
            developer_provider_name=params.get("DeveloperProviderName"),
        )
        _set_providers(pool, params)
        pool.tags = _checked_tags(dict(params.get("IdentityPoolTags") or {}))
        self.pools.add(pool)
        with self.pools.lock:
            return pool.describe()

    def _describe_identity_pool(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pool = self._owned_pool(ctx, params["IdentityPoolId"])
        with self.pools.lock:
            return pool.describe()

    def _update_identity_pool(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Replaces the pool's settings (providers left out are removed, as on AWS); AllowClassicFlow and the tags
        stay as they were when left out; a developer provider name, once set, cannot change."""
        pool = self._owned_pool(ctx, params["IdentityPoolId"])
        with self.pools.lock:
            developer = params.get("DeveloperProviderName")
            if pool.developer_provider_name and developer not in (None, pool.developer_provider_name):
                raise errors.invalid_parameter("Developer provider name cannot be changed once it is set.")
            pool.name = params["IdentityPoolName"]
            pool.allow_unauthenticated = bool(params["AllowUnauthenticatedIdentities"])
            if params.get("AllowClassicFlow") is not None:
                pool.allow_classic_flow = params["AllowClassicFlow"]
            if developer is not None:
                pool.developer_provider_name = developer
            _set_providers(pool, params)
            if params.get("IdentityPoolTags") is not None:
                pool.tags = _checked_tags(dict(params["IdentityPoolTags"]))
            return pool.describe()

    def _delete_identity_pool(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        pool = self._owned_pool(ctx, params["IdentityPoolId"])
        self.pools.delete(pool.pool_id)
        return None

    def _list_identity_pools(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account_id = _account(ctx)
        with self.pools.lock:
            entries = [
                {"IdentityPoolId": p.pool_id, "IdentityPoolName": p.name}
                for p in self.pools.pools_of(account_id, ctx.region)
            ]
        chunk, token = page(entries, params["MaxResults"], params.get("NextToken"), f"pools/{account_id}/{ctx.region}")
        answer: dict[str, Any] = {"IdentityPools": chunk}
        if token:
            answer["NextToken"] = token
        return answer

    def _set_identity_pool_roles(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        pool = self._owned_pool(ctx, params["IdentityPoolId"])
        roles = dict(params.get("Roles") or {})
        unknown = sorted(set(roles) - set(ROLE_TYPES))
        if unknown:
            raise errors.invalid_parameter(
                f"Invalid role type(s) {', '.join(unknown)}: the role types are authenticated and unauthenticated."
            )
        with self.pools.lock:
            pool.roles = roles
            pool.role_mappings = dict(params.get("RoleMappings") or {})
        return None

    def _get_identity_pool_roles(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pool = self._owned_pool(ctx, params["IdentityPoolId"])
        with self.pools.lock:
            answer: dict[str, Any] = {"IdentityPoolId": pool.pool_id, "Roles": dict(pool.roles)}
            if pool.role_mappings:
                answer["RoleMappings"] = dict(pool.role_mappings)
            return answer

    # --- tags ------------------------------------------------------------------------------------

    def _tagged_pool(self, ctx: RequestContext, arn: str) -> IdentityPool:
        _, region, account_id, pool_id = _parsed_pool_arn(arn)
        if (account_id, region) != (ctx.account_id, ctx.region):
            raise errors.pool_not_found(pool_id)
        return self._owned_pool(ctx, pool_id)

    def _tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pool = self._tagged_pool(ctx, params["ResourceArn"])
        with self.pools.lock:
            pool.tags = _checked_tags({**pool.tags, **(params.get("Tags") or {})})
        return {}

    def _untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pool = self._tagged_pool(ctx, params["ResourceArn"])
        removed = set(params.get("TagKeys") or [])
        with self.pools.lock:
            pool.tags = {key: value for key, value in pool.tags.items() if key not in removed}
        return {}

    def _list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pool = self._tagged_pool(ctx, params["ResourceArn"])
        with self.pools.lock:
            return {"Tags": dict(pool.tags)}

    # --- identities ------------------------------------------------------------------------------

    def _get_id(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pool_id = params["IdentityPoolId"]
        pool = self.pools.pool(pool_id)
        if pool is None or params.get("AccountId") not in (None, pool.account_id):
            raise errors.pool_not_found(pool_id)
        check_logins(pool, params.get("Logins"))
        if not pool.allow_unauthenticated:
            raise errors.not_authorized(errors.UNAUTHENTICATED_NOT_SUPPORTED)
        now = ctx.clock.time()
        identity = Identity(identity_id=new_id(pool.region), pool_id=pool.pool_id, created=now, last_modified=now)
        self.pools.add_identity(identity)
        return {"IdentityId": identity.identity_id}

    def _get_open_id_token(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        identity, pool = self._usable_identity(params)
        if pool.allow_classic_flow is False:
            raise errors.invalid_parameter(errors.CLASSIC_FLOW_DISABLED)
        token = self.tokens.issue(identity.identity_id, pool.pool_id, _amr(identity), ctx.clock.time())
        return {"IdentityId": identity.identity_id, "Token": token}

    def _get_credentials_for_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """The enhanced flow: Cognito assumes the pool's role for the identity (the trust policy must admit it, as
        for AssumeRoleWithWebIdentity); an unauthenticated identity's session is scoped down by AWS's session
        policy (scope_down.py)."""
        identity, pool = self._usable_identity(params)
        authenticated = bool(identity.logins)
        with self.pools.lock:
            role_arn = pool.roles.get("authenticated" if authenticated else "unauthenticated")
        role = self.view.role(role_arn) if role_arn else None
        claims = condition_context(pool.pool_id, _amr(identity), identity.identity_id)
        if role is None or not self.authorizer.trust_allows(
            role, "sts:AssumeRoleWithWebIdentity", federated=PROVIDER, context=claims
        ):
            raise errors.invalid_pool_configuration()
        now = ctx.clock.time()
        context: dict[str, Any] = {**claims, "aws:FederatedProvider": PROVIDER}
        if not authenticated:
            context["session_policy"] = UNAUTHENTICATED_SESSION_POLICY
        principal = session_principal(role, ENHANCED_FLOW_SESSION_NAME, context, now)
        credential = self.sessions.issue(principal, ENHANCED_FLOW_SECONDS, now)
        return {"IdentityId": identity.identity_id, "Credentials": credentials_answer(credential, "SecretKey")}

    def _list_identities(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pool = self._owned_pool(ctx, params["IdentityPoolId"])
        entries = [each.describe() for each in self.pools.identities_of(pool.pool_id)]
        chunk, token = page(entries, params["MaxResults"], params.get("NextToken"), f"identities/{pool.pool_id}")
        answer: dict[str, Any] = {"IdentityPoolId": pool.pool_id, "Identities": chunk}
        if token:
            answer["NextToken"] = token
        return answer

    def _describe_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        identity_id = params["IdentityId"]
        identity = self.pools.identity(identity_id)
        pool = self.pools.pool(identity.pool_id) if identity else None
        if identity is None or pool is None or (pool.account_id, pool.region) != (ctx.account_id, ctx.region):
            raise errors.identity_not_found(identity_id)
        return identity.describe()

    # --- finding things ------------------------------------------------------------------------

    def _owned_pool(self, ctx: RequestContext, pool_id: str) -> IdentityPool:
        """A pool of the (signed) caller's account and region: any other is not found, as on AWS."""
        pool = self.pools.pool(pool_id)
        if pool is None or (pool.account_id, pool.region) != (_account(ctx), ctx.region):
            raise errors.pool_not_found(pool_id)
        return pool

    def _usable_identity(self, params: dict[str, Any]) -> tuple[Identity, IdentityPool]:
        """The identity GetId issued (while its pool exists), checked as GetOpenIdToken and
        GetCredentialsForIdentity check it: Logins, and guests only while the pool allows them."""
        identity_id = params["IdentityId"]
        identity = self.pools.identity(identity_id)
        pool = self.pools.pool(identity.pool_id) if identity else None
        if identity is None or pool is None:
            raise errors.identity_not_found(identity_id)
        check_logins(pool, params.get("Logins"))
        if not identity.logins and not pool.allow_unauthenticated:
            raise errors.not_authorized(errors.UNAUTHENTICATED_NOT_SUPPORTED)
        return identity, pool


def _account(ctx: RequestContext) -> str:
    if ctx.account_id is None:
        # Only the public operations are answered unsigned; the front door refuses the rest before us.
        raise errors.not_authorized("Missing credentials: this operation must be signed.")
    return ctx.account_id


def _amr(identity: Identity) -> list[str]:
    return ["authenticated", *identity.logins] if identity.logins else ["unauthenticated"]


def _set_providers(pool: IdentityPool, params: dict[str, Any]) -> None:
    pool.supported_login_providers = dict(params.get("SupportedLoginProviders") or {})
    pool.open_id_connect_provider_arns = list(params.get("OpenIdConnectProviderARNs") or [])
    pool.cognito_identity_providers = [dict(each) for each in params.get("CognitoIdentityProviders") or []]
    pool.saml_provider_arns = list(params.get("SamlProviderARNs") or [])


def _checked_tags(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise errors.invalid_parameter(f"An identity pool can have at most {MAX_TAGS} tags.")
    return tags


def _parsed_pool_arn(arn: str) -> tuple[str, str, str, str]:
    """(arn, region, account, pool id) of an identity pool ARN; InvalidParameterException for anything else."""
    match = _POOL_ARN.match(arn)
    if not match:
        raise errors.invalid_parameter(f"Invalid identity pool ARN: {arn}")
    return arn, match["region"], match["account"], match["pool_id"]


def _roles_named(params: dict[str, Any]) -> list[str]:
    """Every role ARN a SetIdentityPoolRoles request hands over: default roles and rule-mapped roles."""
    arns = [str(arn) for arn in (params.get("Roles") or {}).values()]
    for mapping in (params.get("RoleMappings") or {}).values():
        rules = ((mapping or {}).get("RulesConfiguration") or {}).get("Rules") or []
        arns += [str(rule["RoleArn"]) for rule in rules if rule.get("RoleArn")]
    return arns


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
