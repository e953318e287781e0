"""Simulated AWS accounts and their administrators' keys.

Accounts are told apart by credentials, as on AWS. Each simulated account gets, when it is added, an admin key
made of random bytes (never a constant in code or docs), kept in the state folder's accounts.json (0600) and
handed to tools as an AWS profile `wildrydes-local-<id>` (aws/config + aws/credentials, 0600) whose
`endpoint_url` points at the endpoint. The admin may do anything in its account, as the account's root would.

The file is the one source of truth: `simulate local account add` writes it whether or not the endpoint runs, and
the running endpoint re-reads it when it meets a key it does not know.
"""

import fcntl
import json
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from localaws.context import Credential, Principal
from localaws.state import StateFolder, write_private

DEFAULT_ACCOUNT_ID = "123456789012"
ADMIN_USER = "wildrydes-local-admin"
PROFILE_PREFIX = "wildrydes-local-"
DEFAULT_REGION = "us-east-1"
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def check_account_id(account_id: str) -> str:
    if not isinstance(account_id, str) or not _ACCOUNT_ID.match(account_id):
        raise ValueError(f"an AWS account id has 12 digits, not {account_id!r}")
    return account_id


def profile_name(account_id: str) -> str:
    return PROFILE_PREFIX + account_id


def _new_key() -> tuple[str, str]:
    key_id = "AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
    return key_id, secrets.token_urlsafe(30)[:40]


def admin_principal(account_id: str) -> Principal:
    return Principal(
        account_id=account_id,
        kind="admin",
        arn=f"arn:aws:iam::{account_id}:user/{ADMIN_USER}",
        name=ADMIN_USER,
        user_id="AIDA" + account_id.rjust(17, "0"),
    )


class Accounts:
    """The simulated accounts of one state folder; a credential source for the front door."""

    def __init__(self, state: StateFolder) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._by_key: dict[str, Credential] = {}
        self._ids: list[str] = []
        self._seen_mtime: float | None = None

    # --- the file ------------------------------------------------------------------------------

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.state.create()
        with open(self.state.lock_file, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.state.accounts_file.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            raise ValueError(f"{self.state.accounts_file} is not valid JSON: remove it to start afresh") from None
        accounts = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(accounts, dict):
            raise ValueError(f"{self.state.accounts_file} has no 'accounts' object: remove it to start afresh")
        return accounts

    def add(self, account_ids: list[str], endpoint_url: str | None = None) -> list[str]:
        """Add accounts (those already there keep their keys); rewrites the profiles. Returns the ids added."""
        for account_id in account_ids:
            check_account_id(account_id)
        with self._file_lock():
            accounts = self._read()
            added = [account_id for account_id in dict.fromkeys(account_ids) if account_id not in accounts]
            for account_id in added:
                key_id, secret = _new_key()
                accounts[account_id] = {"access_key_id": key_id, "secret_access_key": secret}
            if added or not self.state.aws_credentials_file.exists() or endpoint_url:
                write_private(self.state.accounts_file, json.dumps({"accounts": accounts}, indent=2) + "\n")
                self._write_profiles(accounts, endpoint_url)
        self.reload()
        return added

    def _write_profiles(self, accounts: dict[str, dict[str, str]], endpoint_url: str | None) -> None:
        if endpoint_url is None:
            endpoint_url = _endpoint_of_existing_config(self.state.aws_config_file)
        config, credentials = [], []
        for account_id, key in sorted(accounts.items()):
            profile = profile_name(account_id)
            config.append(f"[profile {profile}]\nregion = {DEFAULT_REGION}\n")
            if endpoint_url:
                config[-1] += f"endpoint_url = {endpoint_url}\n"
            credentials.append(
                f"[{profile}]\naws_access_key_id = {key['access_key_id']}\n"
                f"aws_secret_access_key = {key['secret_access_key']}\n"
            )
        write_private(self.state.aws_config_file, "\n".join(config))
        write_private(self.state.aws_credentials_file, "\n".join(credentials))

    def reload(self) -> None:
        with self._lock:
            try:
                mtime = self.state.accounts_file.stat().st_mtime
            except FileNotFoundError:
                mtime = None
            if mtime == self._seen_mtime and self._by_key:
                return
            accounts = self._read()
            self._by_key = {
                key["access_key_id"]: Credential(
                    access_key_id=key["access_key_id"],
                    secret_access_key=key["secret_access_key"],
                    principal=admin_principal(account_id),
                )
                for account_id, key in accounts.items()
            }
            self._ids = sorted(accounts)
            self._seen_mtime = mtime

    # --- what callers ask ------------------------------------------------------------------------

    def ids(self) -> list[str]:
        self.reload()
        return list(self._ids)

    def exists(self, account_id: str) -> bool:
        return account_id in self.ids()

    def lookup(self, access_key_id: str) -> Credential | None:
        credential = self._by_key.get(access_key_id)
        if credential is None:
            self.reload()  # an account added by `simulate local account add` since we last looked
            credential = self._by_key.get(access_key_id)
        return credential

    def admin_key(self, account_id: str) -> tuple[str, str]:
        for credential in self._by_key.values():
            if credential.principal.account_id == account_id:
                return credential.access_key_id, credential.secret_access_key
        self.reload()
        for credential in self._by_key.values():
            if credential.principal.account_id == account_id:
                return credential.access_key_id, credential.secret_access_key
        raise KeyError(f"no simulated account {account_id}: add it with `simulate local account add {account_id}`")


def _endpoint_of_existing_config(config_file: Path) -> str | None:
    try:
        for line in config_file.read_text().splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "endpoint_url":
                return value.strip()
    except OSError:
        pass
    return None
