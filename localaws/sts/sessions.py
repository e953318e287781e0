"""Temporary credentials made by STS (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken) and by Cognito
Identity's enhanced flow (GetCredentialsForIdentity): an ASIA… key, its secret and session token, and whose they
are. The front door looks keys up here and refuses them once `expires_at` has passed on the endpoint's clock."""

import secrets
import threading

from localaws.context import Credential, Principal

# AWS's access key ids: a four-letter kind (ASIA: temporary) and 16 characters of this alphabet.
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# Expired credentials are kept this long so that a late caller is told "expired" (ExpiredToken), not "unknown".
FORGET_AFTER_SECONDS = 24 * 3600


def _access_key_id() -> str:
    return "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


class SessionStore:
    """Credentials issued by this endpoint since it started (they die with it, like the tokens behind them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, Credential] = {}

    def issue(self, principal: Principal, duration_seconds: int, now: float) -> Credential:
        credential = Credential(
            access_key_id=_access_key_id(),
            secret_access_key=secrets.token_urlsafe(30)[:40],
            principal=principal,
            # AWS's session tokens are long opaque strings (several hundred characters); SDKs only echo them.
            session_token="IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(240),
            expires_at=now + duration_seconds,
        )
        with self._lock:
            stale = [key for key, held in self._by_key.items() if (held.expires_at or now) + FORGET_AFTER_SECONDS < now]
            for key in stale:
                del self._by_key[key]
            self._by_key[credential.access_key_id] = credential
        return credential

    def lookup(self, access_key_id: str) -> Credential | None:
        """The credential issued with this key id, expired or not (the front door checks `expires_at`)."""
        with self._lock:
            return self._by_key.get(access_key_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_key)
