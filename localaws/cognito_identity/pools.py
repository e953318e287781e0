"""Identity pools and their identities, held in memory for the endpoint's lifetime.

Pool ids are REGION:UUID and identity ids REGION:UUID, unique across accounts, so unsigned calls (which name no
account) find their pool or identity by id alone and act in the owner's account.
"""

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from localaws.errors import AwsError

# AWS's default quota: identity pools per account and region.
POOLS_PER_ACCOUNT_AND_REGION = 1000
ROLE_TYPES = ("authenticated", "unauthenticated")


@dataclass
class IdentityPool:
    pool_id: str
    account_id: str
    region: str
    name: str
    allow_unauthenticated: bool
    allow_classic_flow: bool | None = None  # never set: left out of answers; GetOpenIdToken is allowed (AWS)
    supported_login_providers: dict[str, str] = field(default_factory=dict)
    developer_provider_name: str | None = None
    open_id_connect_provider_arns: list[str] = field(default_factory=list)
    cognito_identity_providers: list[dict[str, Any]] = field(default_factory=list)
    saml_provider_arns: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    role_mappings: dict[str, Any] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return pool_arn(self.region, self.account_id, self.pool_id)

    def describe(self) -> dict[str, Any]:
        """The IdentityPool shape as Create/Describe/UpdateIdentityPool answer it (unset members left out)."""
        answer: dict[str, Any] = {
            "IdentityPoolId": self.pool_id,
            "IdentityPoolName": self.name,
            "AllowUnauthenticatedIdentities": self.allow_unauthenticated,
        }
        if self.allow_classic_flow is not None:
            answer["AllowClassicFlow"] = self.allow_classic_flow
        if self.supported_login_providers:
            answer["SupportedLoginProviders"] = dict(self.supported_login_providers)
        if self.developer_provider_name is not None:
            answer["DeveloperProviderName"] = self.developer_provider_name
        if self.open_id_connect_provider_arns:
            answer["OpenIdConnectProviderARNs"] = list(self.open_id_connect_provider_arns)
        if self.cognito_identity_providers:
            answer["CognitoIdentityProviders"] = [dict(each) for each in self.cognito_identity_providers]
        if self.saml_provider_arns:
            answer["SamlProviderARNs"] = list(self.saml_provider_arns)
        answer["IdentityPoolTags"] = dict(self.tags)
        return answer


@dataclass
class Identity:
    identity_id: str
    pool_id: str
    created: float
    last_modified: float
    logins: tuple[str, ...] = ()  # the providers it was linked with; none: an unauthenticated identity

    def describe(self) -> dict[str, Any]:
        return {
            "IdentityId": self.identity_id,
            "Logins": list(self.logins),
            "CreationDate": self.created,
            "LastModifiedDate": self.last_modified,
        }


def pool_arn(region: str, account_id: str, pool_id: str) -> str:
    return f"arn:aws:cognito-identity:{region}:{account_id}:identitypool/{pool_id}"


def new_id(region: str) -> str:
    return f"{region}:{uuid.uuid4()}"


class PoolStore:
    """Every account's pools and identities. Hold `lock` while reading or changing a pool's fields."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._pools: dict[str, IdentityPool] = {}
        self._identities: dict[str, Identity] = {}

    def add(self, pool: IdentityPool) -> None:
        with self.lock:
            if len(self.pools_of(pool.account_id, pool.region)) >= POOLS_PER_ACCOUNT_AND_REGION:
                raise AwsError(
                    "LimitExceededException",
                    f"Limit of {POOLS_PER_ACCOUNT_AND_REGION} identity pools per account and region reached.",
                )
            self._pools[pool.pool_id] = pool

    def pool(self, pool_id: str) -> IdentityPool | None:
        with self.lock:
            return self._pools.get(pool_id)

    def pools_of(self, account_id: str, region: str) -> list[IdentityPool]:
        """An account's pools in a region, oldest first."""
        with self.lock:
            return [p for p in self._pools.values() if p.account_id == account_id and p.region == region]

    def delete(self, pool_id: str) -> None:
        """Forget a pool and its identities (AWS deletes them with it)."""
        with self.lock:
            self._pools.pop(pool_id, None)
            for identity_id in [i for i, each in self._identities.items() if each.pool_id == pool_id]:
                del self._identities[identity_id]

    def add_identity(self, identity: Identity) -> None:
        with self.lock:
            self._identities[identity.identity_id] = identity

    def identity(self, identity_id: str) -> Identity | None:
        with self.lock:
            return self._identities.get(identity_id)

    def identities_of(self, pool_id: str) -> list[Identity]:
        with self.lock:
            return [each for each in self._identities.values() if each.pool_id == pool_id]
