"""Logins maps (provider name -> token) against an identity pool's providers.

Decision: no login can be accepted offline. Checking a Facebook, Google, Amazon, Apple or Twitter token, an OIDC
or Cognito user pool ID token, or a SAML assertion needs the provider's keys or servers, which the local endpoint
does not have (and it has no user pools of its own). So:

* a provider the pool is not configured with -> NotAuthorizedException "Token is not from a supported provider of
  this identity pool." (AWS's words for it);
* a provider the pool is configured with -> NotAuthorizedException "Invalid login token. ..." (AWS's prefix for a
  token the provider rejects), saying why.

Identities are therefore always unauthenticated here; the authenticated branches (amr ["authenticated", provider],
the pool's authenticated role) are written for completeness but only reached by such an identity.
"""

from localaws.cognito_identity.errors import UNSUPPORTED_PROVIDER, not_authorized
from localaws.cognito_identity.pools import IdentityPool
from localaws.cognito_identity.tokens import PROVIDER as COGNITO_PROVIDER


def configured_providers(pool: IdentityPool) -> set[str]:
    """The Logins keys the pool knows: social provider domains, its developer provider (whose logins carry a
    Cognito token), user pool provider names, OIDC provider hosts and SAML provider ARNs."""
    names = set(pool.supported_login_providers)
    if pool.developer_provider_name:
        names.add(COGNITO_PROVIDER)
    names.update(str(each.get("ProviderName")) for each in pool.cognito_identity_providers)
    names.update(arn.split(":oidc-provider/", 1)[-1] for arn in pool.open_id_connect_provider_arns)
    names.update(pool.saml_provider_arns)
    return names


def check_logins(pool: IdentityPool, logins: dict[str, str] | None) -> None:
    """Refuse any Logins map, as the module docstring explains; an empty or missing map passes."""
    if not logins:
        return
    known = configured_providers(pool)
    for provider in logins:
        if provider not in known:
            raise not_authorized(UNSUPPORTED_PROVIDER)
    provider = next(iter(logins))
    raise not_authorized(
        f"Invalid login token. The local endpoint cannot verify tokens of {provider} (it has no connection to the "
        "identity provider): use unauthenticated identities."
    )
