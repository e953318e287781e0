"""Cognito's OpenID tokens (GetOpenIdToken) and their check by STS (AssumeRoleWithWebIdentity).

Cognito signs its tokens with RS512 and publishes the keys; offline there is no such key pair, so these tokens are
HS256 JWTs keyed by the endpoint's secret (made at start, so tokens die with the endpoint, as they would after 10
minutes anyway), and the header says so. Only this endpoint can make one that passes `verify`: a token edited in
any byte, or made elsewhere, is refused.
"""

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from localaws.errors import AwsError

ISSUER = "https://cognito-identity.amazonaws.com"
PROVIDER = "cognito-identity.amazonaws.com"  # the Federated principal of trust policies, and STS's "Provider"
# AWS: "The OpenID token is valid for 10 minutes."
TOKEN_SECONDS = 600
_ALGORITHM = "HS256"
# Separates this use of the endpoint's secret from its others (shard iterators, ...).
_KEY_LABEL = b"localaws cognito-identity openid token v1"


@dataclass(frozen=True)
class OpenIdClaims:
    sub: str  # the identity id
    aud: str  # the identity pool id
    amr: tuple[str, ...]  # ("unauthenticated",) or ("authenticated", provider, ...)
    iat: int
    exp: int

    def condition_context(self) -> dict[str, Any]:
        return condition_context(self.aud, list(self.amr), self.sub)


def condition_context(pool_id: str, amr: list[str], identity_id: str) -> dict[str, Any]:
    """The condition keys a trust or permissions policy can test for a Cognito identity's role session."""
    return {f"{PROVIDER}:aud": pool_id, f"{PROVIDER}:amr": amr, f"{PROVIDER}:sub": identity_id}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_part(text: str) -> Any:
    return json.loads(_unb64url(text))


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidIdentityToken", message, 400)


NOT_A_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
NOT_VERIFIED = "The ID Token provided could not be verified."


class OpenIdTokens:
    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()

    def _sign(self, signing_input: str) -> str:
        return _b64url(hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest())

    def issue(self, identity_id: str, pool_id: str, amr: list[str], now: float) -> str:
        issued_at = int(now)
        region = pool_id.split(":", 1)[0]
        header = {"kid": f"{region}-local", "typ": "JWS", "alg": _ALGORITHM}
        claims = {
            "sub": identity_id,
            "aud": pool_id,
            "amr": amr,
            "iss": ISSUER,
            "exp": issued_at + TOKEN_SECONDS,
            "iat": issued_at,
        }
        signing_input = ".".join(_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
        return f"{signing_input}.{self._sign(signing_input)}"

    def verify(self, token: str, now: float) -> OpenIdClaims:
        """The claims of a token this endpoint issued and that has not expired; else the AwsError STS answers:
        InvalidIdentityToken (not a JWT; not ours, or altered), ExpiredTokenException (past its `exp`)."""
        parts = (token or "").split(".")
        if len(parts) != 3:
            raise _invalid(NOT_A_JWT)
        try:
            header, claims = _json_part(parts[0]), _json_part(parts[1])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise _invalid(NOT_A_JWT) from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise _invalid(NOT_A_JWT)
        expected = self._sign(f"{parts[0]}.{parts[1]}")
        if header.get("alg") != _ALGORITHM or not hmac.compare_digest(expected, parts[2]):
            raise _invalid(NOT_VERIFIED)
        if claims.get("iss") != ISSUER:
            raise _invalid(NOT_VERIFIED)
        try:
            verified = OpenIdClaims(
                sub=str(claims["sub"]),
                aud=str(claims["aud"]),
                amr=tuple(str(each) for each in claims["amr"]),
                iat=int(claims["iat"]),
                exp=int(claims["exp"]),
            )
        except (KeyError, TypeError, ValueError):
            raise _invalid(NOT_VERIFIED) from None
        current = int(now)
        if current >= verified.exp:
            # AWS's wording, down to the missing space before the expiry.
            raise AwsError(
                "ExpiredTokenException",
                f"Token expired: current date/time {current} must be before the expiration date/time{verified.exp}",
                400,
            )
        return verified
