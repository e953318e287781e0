"""Simulated AWS accounts on the local endpoint, each with a well-known local admin key.

Real accounts are told apart by credentials; so are simulated ones. The local admin key of account
`123456789012` is `AKIA123456789012ADMN` with the secret `LOCAL_ADMIN_SECRET`: anyone who can reach
127.0.0.1 may use it, which is the point of a local lab and why the endpoint never listens elsewhere.
"""

import re

DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account: the single local attendee's account
LOCAL_ADMIN_SECRET = "wildrydes-local-admin-secret-not-for-aws"
LOCAL_ADMIN_USER = "wildrydes-local-admin"

_ADMIN_KEY = re.compile(r"^AKIA(?P<account>\d{12})ADMN$")


def admin_access_key(account_id: str) -> str:
    if not re.fullmatch(r"\d{12}", account_id):
        raise ValueError(f"an AWS account id has 12 digits, not {account_id!r}")
    return f"AKIA{account_id}ADMN"


def account_of_admin_key(access_key_id: str) -> str | None:
    match = _ADMIN_KEY.match(access_key_id or "")
    return match.group("account") if match else None


def route_admin_keys_to_their_accounts() -> None:
    """Teach moto that a local admin key belongs to the account it names (moto maps unknown keys to
    its default account)."""
    import moto.core.responses  # noqa: F401 - imports moto.iam.models the way the server does
    from moto.iam import models as iam_models

    if getattr(iam_models.get_account_id_from, "_wildrydes", False):
        return
    original = iam_models.get_account_id_from

    def get_account_id_from(access_key: str) -> str:
        return account_of_admin_key(access_key) or original(access_key)

    get_account_id_from._wildrydes = True  # type: ignore[attr-defined]
    iam_models.get_account_id_from = get_account_id_from
