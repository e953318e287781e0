"""Cognito Identity (identity pools) as the dashboard's browser sign-in needs it.

The browser signs in as an unauthenticated identity with the basic (classic) flow, sending unsigned
requests: GetId(pool) → GetOpenIdToken(identity) → STS AssumeRoleWithWebIdentity (see sts.py). The
identity ids and the OpenID tokens issued here are remembered with their pool, account and region, so
unsigned calls that name them reach the right account, and so STS can check a token (`issued_token`).

moto is imported inside the functions: the server sets moto's environment before moto is imported.
"""

import base64
import functools
import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from simulator.local.fidelity import clock, fix

ISSUER = "https://cognito-identity.amazonaws.com"
# AWS: "The OpenID token is valid for 10 minutes."
OPEN_ID_TOKEN_SECONDS = 600
# Tokens long past their expiry are dropped from the registry; until then, asking about one can tell
# "expired" apart from "never issued here", as AWS does (ExpiredTokenException vs InvalidIdentityToken).
_FORGET_TOKENS_AFTER_SECONDS = 24 * 3600
ROLE_TYPES = ("authenticated", "unauthenticated")
POOL_ARN = re.compile(
    r"^arn:(?P<partition>aws[\w-]*):cognito-identity:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"identitypool/(?P<pool_id>[\w-]+:[0-9a-f-]+)$"
)

# Signs the tokens issued by this endpoint process (HMAC: there is no Cognito key pair locally).
_SIGNING_KEY = secrets.token_bytes(32)
_lock = threading.Lock()


@dataclass(frozen=True)
class _Identity:
    account_id: str
    region: str
    pool_id: str
    logins: tuple[str, ...]  # login providers named at GetId; none: an unauthenticated identity


_identities: dict[str, _Identity] = {}
_tokens: dict[str, dict[str, Any]] = {}


def issued_token(token: str) -> dict[str, Any] | None:
    """What this endpoint recorded when GetOpenIdToken issued `token`, or None if it never did.

    Keys: identity_id, identity_pool_id, account_id, region, amr (list), issued_at, expires_at (epoch
    seconds on the endpoint's clock), claims (the JWT payload). Expiry is the caller's to check.
    """
    with _lock:
        record = _tokens.get(token)
        return json.loads(json.dumps(record)) if record else None


# --- errors as AWS words them ------------------------------------------------------------------


def _error(error_type: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(error_type, message)


def _pool_not_found(pool_id: str) -> Exception:
    return _error("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")


def _identity_not_found(identity_id: str) -> Exception:
    return _error("ResourceNotFoundException", f"Identity '{identity_id}' not found.")


def _unauthenticated_not_supported() -> Exception:
    return _error("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")


# --- finding pools and identities ----------------------------------------------------------------


def _pool_in(backend: Any, pool_id: str | None) -> Any:
    """The pool `pool_id` of one account and region, or AWS's ResourceNotFoundException."""
    pool = backend.identity_pools.get(pool_id)
    if pool is None:
        raise _pool_not_found(pool_id or "")
    return pool


def _backend_if_created(account_id: str, region: str) -> Any:
    """The account's backend in `region` if it exists: moto creates backends on first access."""
    from moto.cognitoidentity.models import cognitoidentity_backends

    regions = dict.get(cognitoidentity_backends, account_id)
    return dict.get(regions, region) if regions is not None else None


def _owner_of_pool(pool_id: str | None, account_id: str | None = None) -> tuple[Any, Any]:
    """(backend, pool) of whichever account holds `pool_id`: its region is the id's prefix."""
    from moto.cognitoidentity.models import cognitoidentity_backends

    region = (pool_id or "").split(":")[0]
    for owner in [account_id] if account_id else list(cognitoidentity_backends):
        backend = _backend_if_created(owner, region)
        if backend is not None and pool_id in backend.identity_pools:
            return backend, backend.identity_pools[pool_id]
    raise _pool_not_found(pool_id or "")


def _owner_of_identity(identity_id: str | None) -> tuple[Any, Any, _Identity]:
    """(backend, pool, identity) for an identity id GetId issued, while its pool still exists."""
    with _lock:
        identity = _identities.get(identity_id or "")
    backend = _backend_if_created(identity.account_id, identity.region) if identity else None
    pool = backend.identity_pools.get(identity.pool_id) if backend is not None else None
    if pool is None:
        raise _identity_not_found(identity_id or "")
    return backend, pool, identity


def _forget_identities_of(pool_id: str) -> None:
    with _lock:
        for identity_id in [i for i, each in _identities.items() if each.pool_id == pool_id]:
            del _identities[identity_id]


# --- tokens ----------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _issue_token(identity_id: str, identity: _Identity) -> str:
    """A JWT shaped like Cognito's OpenID token, recorded so that STS can recognise it."""
    now = int(clock.now())
    amr = ["authenticated", *identity.logins] if identity.logins else ["unauthenticated"]
    claims = {
        "sub": identity_id,
        "aud": identity.pool_id,
        "amr": amr,
        "iss": ISSUER,
        "exp": now + OPEN_ID_TOKEN_SECONDS,
        "iat": now,
    }
    # Cognito signs with RS512; without its key pair we sign with HMAC and say so in "alg".
    header = {"kid": f"{identity.region}-local", "typ": "JWS", "alg": "HS512"}
    signing_input = ".".join(_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    signature = hmac.new(_SIGNING_KEY, signing_input.encode(), hashlib.sha512).digest()
    token = f"{signing_input}.{_b64url(signature)}"
    with _lock:
        for old in [t for t, r in _tokens.items() if r["expires_at"] + _FORGET_TOKENS_AFTER_SECONDS < now]:
            del _tokens[old]
        _tokens[token] = {
            "identity_id": identity_id,
            "identity_pool_id": identity.pool_id,
            "account_id": identity.account_id,
            "region": identity.region,
            "amr": amr,
            "issued_at": now,
            "expires_at": claims["exp"],
            "claims": claims,
        }
    return token


# --- the fixes -------------------------------------------------------------------------------------


@fix("cognito-identity")
def identity_pool_roles_not_implemented() -> None:
    """moto 5.2.5 has no SetIdentityPoolRoles / GetIdentityPoolRoles: both answer HTTP 500.

    AWS: SetIdentityPoolRoles replaces the pool's Roles ("authenticated"/"unauthenticated" → role ARN)
    and RoleMappings; GetIdentityPoolRoles returns them; an unknown pool is a ResourceNotFoundException.
    The roles are kept on moto's pool object, so deleting the pool (or resetting moto) forgets them.
    """
    from moto.cognitoidentity.responses import CognitoIdentityResponse

    def set_identity_pool_roles(self: Any) -> str:
        pool = _pool_in(self.backend, self._get_param("IdentityPoolId"))
        roles = self._get_param("Roles") or {}
        unknown = sorted(set(roles) - set(ROLE_TYPES))
        if unknown:
            raise _error(
                "InvalidParameterException",
                f"Invalid role type(s) {', '.join(unknown)}: use authenticated or unauthenticated.",
            )
        pool.roles = dict(roles)
        pool.role_mappings = dict(self._get_param("RoleMappings") or {})
        return ""

    def get_identity_pool_roles(self: Any) -> str:
        pool = _pool_in(self.backend, self._get_param("IdentityPoolId"))
        answer: dict[str, Any] = {"IdentityPoolId": pool.identity_pool_id, "Roles": getattr(pool, "roles", {})}
        if getattr(pool, "role_mappings", None):
            answer["RoleMappings"] = pool.role_mappings
        return json.dumps(answer)

    CognitoIdentityResponse.set_identity_pool_roles = set_identity_pool_roles
    CognitoIdentityResponse.get_identity_pool_roles = get_identity_pool_roles


@fix("cognito-identity")
def allow_classic_flow_dropped() -> None:
    """moto 5.2.5 ignores AllowClassicFlow on Create/UpdateIdentityPool and never returns it; its
    ListIdentityPools entries carry every pool attribute.

    AWS stores AllowClassicFlow and returns it from Create/Update/DescribeIdentityPool (left out while
    never set); ListIdentityPools entries have IdentityPoolId and IdentityPoolName only. GetOpenIdToken
    refuses identities of a pool whose AllowClassicFlow is false (see unsigned_calls_land_in_default_account).
    """
    from moto.cognitoidentity.models import CognitoIdentityBackend, CognitoIdentityPool
    from moto.cognitoidentity.responses import CognitoIdentityResponse

    pool_to_json = CognitoIdentityPool.to_json
    create = CognitoIdentityResponse.create_identity_pool
    update = CognitoIdentityResponse.update_identity_pool

    def to_json(self: Any) -> str:
        shape = json.loads(pool_to_json(self))
        if getattr(self, "allow_classic_flow", None) is not None:
            shape["AllowClassicFlow"] = self.allow_classic_flow
        return json.dumps(shape)

    def store_classic_flow(response: Any, pool: Any) -> None:
        value = response._get_param("AllowClassicFlow")
        if value is not None:
            pool.allow_classic_flow = bool(value)

    def create_identity_pool(self: Any) -> str:
        pool = self.backend.identity_pools[json.loads(create(self))["IdentityPoolId"]]
        store_classic_flow(self, pool)
        return pool.to_json()

    def update_identity_pool(self: Any) -> str:
        store_classic_flow(self, _pool_in(self.backend, self._get_param("IdentityPoolId")))
        return update(self)

    def list_identity_pools(self: Any) -> str:
        pools = [
            {"IdentityPoolId": p.identity_pool_id, "IdentityPoolName": p.identity_pool_name}
            for p in self.identity_pools.values()
        ]
        return json.dumps({"IdentityPools": pools})

    CognitoIdentityPool.to_json = to_json
    CognitoIdentityResponse.create_identity_pool = create_identity_pool
    CognitoIdentityResponse.update_identity_pool = update_identity_pool
    CognitoIdentityBackend.list_identity_pools = list_identity_pools


@fix("cognito-identity")
def unknown_pool_html_500_without_cors() -> None:
    """moto 5.2.5 looks pools up with `dict[...]`: GetId, UpdateIdentityPool and ListIdentities on an
    unknown pool raise KeyError, which werkzeug answers with an HTML 500 page without CORS headers (a
    browser sees only "Failed to fetch"); DescribeIdentityPool's error message is the bare pool id, and
    ListIdentities still answers for a deleted pool.

    AWS answers JSON `{"__type": "ResourceNotFoundException", "message": "IdentityPool '<id>' not found."}`
    (HTTP 400), with CORS headers like every response. Identity ids are checked the same way ("Identity
    '<id>' not found."): see unsigned_calls_land_in_default_account, which replaces GetId,
    GetOpenIdToken and GetCredentialsForIdentity; the roles and tags operations check pools too.
    Deleting a pool deletes its identities.
    """
    from moto.cognitoidentity.models import CognitoIdentityBackend

    def pool_must_exist(method: Any) -> Any:
        @functools.wraps(method)
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            _pool_in(self, kwargs.get("identity_pool_id", args[0] if args else None))
            return method(self, *args, **kwargs)

        return checked

    delete = pool_must_exist(CognitoIdentityBackend.delete_identity_pool)

    def delete_identity_pool(self: Any, identity_pool_id: str) -> None:
        delete(self, identity_pool_id)
        self.pools_identities.pop(identity_pool_id, None)
        _forget_identities_of(identity_pool_id)

    for name in ("describe_identity_pool", "update_identity_pool", "list_identities"):
        setattr(CognitoIdentityBackend, name, pool_must_exist(getattr(CognitoIdentityBackend, name)))
    CognitoIdentityBackend.delete_identity_pool = delete_identity_pool


@fix("cognito-identity")
def unsigned_calls_land_in_default_account() -> None:
    """moto 5.2.5 serves the unsigned GetId / GetOpenIdToken / GetCredentialsForIdentity from its
    default account 123456789012 (an unsigned request names no account) and the region us-east-1, so a
    pool of any other account is not found (HTTP 500); GetCredentialsForIdentity is not among moto's
    public operations and crashes (500) under IAM enforcement; GetOpenIdToken answers any identity id
    with a random string; GetId ignores AllowUnauthenticatedIdentities.

    AWS: the three are public (no signature) and served by the account and region that own the pool,
    found from the pool id ("region:uuid") or the identity id GetId issued. GetId without Logins on a
    pool that does not allow unauthenticated identities is a NotAuthorizedException. GetOpenIdToken
    issues a JWT (iss https://cognito-identity.amazonaws.com, aud the pool id, sub the identity id,
    amr ["unauthenticated"], valid 10 minutes), refused with InvalidParameterException when the pool's
    AllowClassicFlow is false. Issued tokens are recorded: see `issued_token`.
    """
    from moto.cognitoidentity.responses import CognitoIdentityResponse
    from moto.core.authorization import ActionAuthenticatorMixin

    target = "AWSCognitoIdentityService.GetCredentialsForIdentity"
    if target not in ActionAuthenticatorMixin.PUBLIC_OPERATIONS:
        ActionAuthenticatorMixin.PUBLIC_OPERATIONS.append(target)

    def get_id(self: Any) -> str:
        pool_id = self._get_param("IdentityPoolId")
        backend, pool = _owner_of_pool(pool_id, self._get_param("AccountId"))
        logins = self._get_param("Logins") or {}
        if not logins and not pool.allow_unauthenticated_identities:
            raise _unauthenticated_not_supported()
        answer = backend.get_id(identity_pool_id=pool_id)  # moto files the identity under the pool
        identity = _Identity(backend.account_id, backend.region_name, pool_id, tuple(sorted(logins)))
        with _lock:
            _identities[json.loads(answer)["IdentityId"]] = identity
        return answer

    def get_open_id_token(self: Any) -> str:
        identity_id = self._get_param("IdentityId")
        _, pool, identity = _owner_of_identity(identity_id)
        if not identity.logins and not pool.allow_unauthenticated_identities:
            raise _unauthenticated_not_supported()
        if getattr(pool, "allow_classic_flow", None) is False:
            raise _error("InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow.")
        return json.dumps({"IdentityId": identity_id, "Token": _issue_token(identity_id, identity)})

    def get_credentials_for_identity(self: Any) -> str:
        identity_id = self._get_param("IdentityId")
        backend, pool, identity = _owner_of_identity(identity_id)
        if not identity.logins and not pool.allow_unauthenticated_identities:
            raise _unauthenticated_not_supported()
        return backend.get_credentials_for_identity(identity_id)

    CognitoIdentityResponse.get_id = get_id
    CognitoIdentityResponse.get_open_id_token = get_open_id_token
    CognitoIdentityResponse.get_credentials_for_identity = get_credentials_for_identity


@fix("cognito-identity")
def identity_pool_tags_not_implemented() -> None:
    """moto 5.2.5 has no TagResource / UntagResource / ListTagsForResource: they answer HTTP 500.

    AWS tags an identity pool by its ARN `arn:aws:cognito-identity:REGION:ACCOUNT:identitypool/POOL_ID`;
    they are the same tags as CreateIdentityPool's and DescribeIdentityPool's IdentityPoolTags. A
    malformed ARN is an InvalidParameterException, a pool the caller's account and region do not hold a
    ResourceNotFoundException.
    """
    from moto.cognitoidentity.responses import CognitoIdentityResponse

    def tagged_pool(response: Any) -> Any:
        arn = response._get_param("ResourceArn") or ""
        match = POOL_ARN.match(arn)
        if not match:
            raise _error("InvalidParameterException", f"Invalid identity pool ARN: {arn}")
        if (match["account"], match["region"]) != (response.current_account, response.region):
            raise _pool_not_found(match["pool_id"])
        return _pool_in(response.backend, match["pool_id"])

    def tag_resource(self: Any) -> str:
        pool = tagged_pool(self)
        pool.tags = {**(pool.tags or {}), **(self._get_param("Tags") or {})}
        return "{}"

    def untag_resource(self: Any) -> str:
        pool = tagged_pool(self)
        removed = set(self._get_param("TagKeys") or [])
        pool.tags = {key: value for key, value in (pool.tags or {}).items() if key not in removed}
        return "{}"

    def list_tags_for_resource(self: Any) -> str:
        return json.dumps({"Tags": tagged_pool(self).tags or {}})

    CognitoIdentityResponse.tag_resource = tag_resource
    CognitoIdentityResponse.untag_resource = untag_resource
    CognitoIdentityResponse.list_tags_for_resource = list_tags_for_resource
