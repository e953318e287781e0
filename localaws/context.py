"""Who is calling and what about: the principal behind a request's credentials, and the request context the
front door hands to every service call."""

from dataclasses import dataclass, field
from typing import Any, Literal

from localaws.clock import Clock
from localaws.settings import Settings

PrincipalKind = Literal["admin", "user", "assumed-role"]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    admin:        the simulated account's local administrator (allowed everything, as the account's root would be)
    user:         an IAM user of moto's IAM backend, signing with one of its access keys
    assumed-role: a role session made by STS (AssumeRole, AssumeRoleWithWebIdentity)
    """

    account_id: str
    kind: PrincipalKind
    arn: str  # arn:aws:iam::ID:user/NAME or arn:aws:sts::ID:assumed-role/ROLE/SESSION
    name: str  # the user's or the role's name
    user_id: str  # AIDA… for a user, AROA…:SESSION for a role session
    session_name: str | None = None
    role_arn: str | None = None  # the role of an assumed-role session (arn:aws:iam::ID:role/PATH/NAME)
    # Session facts IAM conditions can test (cognito-identity.amazonaws.com:aud, :amr, aws:TokenIssueTime, …).
    session_context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Credential:
    """A key pair the endpoint accepts, and whose it is."""

    access_key_id: str
    secret_access_key: str
    principal: Principal
    session_token: str | None = None
    expires_at: float | None = None  # on the endpoint's clock; None: never (admin and IAM user keys)


@dataclass
class RequestContext:
    """One AWS API request, as the front door hands it to a service."""

    service: str  # botocore's service name: kinesis, sts, cognito-identity, iam, cloudwatch
    operation: str  # the model's operation name: PutRecords, AssumeRoleWithWebIdentity, …
    region: str
    account_id: str | None  # from the credentials; None for an unsigned call (the service finds the account)
    principal: Principal | None  # None for an unsigned call (GetId, AssumeRoleWithWebIdentity, …)
    request_id: str
    clock: Clock
    settings: Settings
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    source_ip: str = "127.0.0.1"
