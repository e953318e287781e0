"""Simulated AWS accounts on the local endpoint, each with a well-known local admin key.

Real accounts are told apart by credentials; so are simulated ones. The local admin key of account
`123456789012` is `AKIA123456789012ADMN` with the secret `LOCAL_ADMIN_SECRET`: anyone who can reach
127.0.0.1 may use it, which is the point of a local lab and why the endpoint never listens elsewhere.
"""

import json
import re
import threading

DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account: the single local attendee's account
LOCAL_ADMIN_SECRET = "wildrydes-local-admin-secret-not-for-aws"
LOCAL_ADMIN_USER = "wildrydes-local-admin"

_ADMIN_KEY = re.compile(r"^AKIA(?P<account>\d{12})ADMN$")
_ADMIN_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
_bootstrap_lock = threading.Lock()


def admin_access_key(account_id: str) -> str:
    if not re.fullmatch(r"\d{12}", account_id):
        raise ValueError(f"an AWS account id has 12 digits, not {account_id!r}")
    return f"AKIA{account_id}ADMN"


def account_of_admin_key(access_key_id: str) -> str | None:
    match = _ADMIN_KEY.match(access_key_id or "")
    return match.group("account") if match else None


def ensure_admin_user(account_id: str) -> None:
    """Create the account's local admin (an IAM user allowed everything, holding the well-known key)
    the first time the account is used, so requests pass IAM enforcement like an admin's would."""
    from moto.iam.models import AccessKey, iam_backends

    iam = iam_backends[account_id]["aws"]
    with _bootstrap_lock:
        if LOCAL_ADMIN_USER in iam.users:
            return
        user = iam.create_user(region_name="us-east-1", user_name=LOCAL_ADMIN_USER, path="/", tags=[])
        iam.put_user_policy(LOCAL_ADMIN_USER, "AdministratorAccess", _ADMIN_POLICY)
        key = AccessKey(LOCAL_ADMIN_USER, prefix="AKIA", account_id=account_id)
        key.access_key_id = admin_access_key(account_id)
        key.secret_access_key = LOCAL_ADMIN_SECRET
        user.access_keys.append(key)
        iam.access_keys[key.physical_resource_id] = key


def route_admin_keys_to_their_accounts() -> None:
    """Teach moto that a local admin key belongs to the account it names (moto maps unknown keys to
    its default account), and give that account its admin user."""
    import moto.core.responses  # noqa: F401 - imports moto.iam.models the way the server does
    from moto.iam import models as iam_models

    if getattr(iam_models.get_account_id_from, "_wildrydes", False):
        return
    original = iam_models.get_account_id_from

    def get_account_id_from(access_key: str) -> str:
        account_id = account_of_admin_key(access_key)
        if account_id is None:
            return original(access_key)
        ensure_admin_user(account_id)
        return account_id

    get_account_id_from._wildrydes = True  # type: ignore[attr-defined]
    iam_models.get_account_id_from = get_account_id_from
