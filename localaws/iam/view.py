"""What IAM holds, as callers see it: moto's IAM backend, with changes taking effect
`settings.iam_propagation_delay` seconds after they were made (IAM is eventually consistent).

With no delay every read goes to moto. With a delay, each change the front door reports (`observe`) is kept as a
snapshot of its account, effective `delay` seconds later on the endpoint's clock; callers see the newest
effective snapshot. The snapshot before an account's first reported change is taken when the delay is switched
on (a baseline of every account moto knows then); an account moto did not know then was empty.
"""

import math
import re
import threading
from typing import Any

from localaws.context import Principal
from localaws.iam import moto_iam
from localaws.iam.facts import EMPTY_ACCOUNT, AccountFacts, RoleFacts, UserFacts
from localaws.runtime import Runtime
from localaws.settings import Settings

_ROLE_ARN = re.compile(r"^arn:[\w-]+:iam::(?P<account>\d{12}):role/")
# Operations that change nothing (the front door may report every successful call).
_READ_ONLY_PREFIXES = ("Get", "List", "Generate", "Simulate")


def account_of_role(role_arn: str) -> str | None:
    match = _ROLE_ARN.match(role_arn or "")
    return match["account"] if match else None


class IamView:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._lock = threading.Lock()
        # account -> [(effective at, on the clock's monotonic reading; snapshot)], oldest first; the first is
        # always in effect. An account without entries is read live.
        self._history: dict[str, list[tuple[float, AccountFacts]]] = {}
        self._delayed = False
        self._switch(runtime.settings.iam_propagation_delay)
        runtime.on_update(self._settings_changed)

    # --- propagation -------------------------------------------------------------------------------

    def _settings_changed(self, settings: Settings, changes: dict[str, Any]) -> None:
        if "iam_propagation_delay" in changes:
            self._switch(settings.iam_propagation_delay)

    def _switch(self, delay: float) -> None:
        with self._lock:
            if delay <= 0:
                self._history.clear()  # everything in effect: moto is the truth again
                self._delayed = False
            elif not self._delayed:
                baseline = {account: moto_iam.account_facts(account) for account in moto_iam.accounts()}
                self._history = {account: [(-math.inf, facts)] for account, facts in baseline.items()}
                self._delayed = True

    def observe(self, account_id: str, operation: str, params: dict[str, Any]) -> None:
        """A successful IAM call changed moto's store: with a delay, it takes effect for callers `delay` seconds
        from now."""
        delay = self._runtime.settings.iam_propagation_delay
        if delay <= 0 or not self._delayed or operation.startswith(_READ_ONLY_PREFIXES):
            return
        facts = moto_iam.account_facts(account_id)
        effective_at = self._runtime.clock.monotonic() + delay
        with self._lock:
            entries = self._history.setdefault(account_id, [(-math.inf, EMPTY_ACCOUNT)])
            entries.append((effective_at, facts))
            self._prune(entries)

    def _prune(self, entries: list[tuple[float, AccountFacts]]) -> AccountFacts:
        """Drop the snapshots a newer effective one replaces; the one in effect now."""
        now = self._runtime.clock.monotonic()
        for index in range(len(entries) - 1, -1, -1):
            if entries[index][0] <= now:
                del entries[:index]
                break
        return entries[0][1]

    def _visible(self, account_id: str) -> AccountFacts | None:
        """The account as callers see it now; None: read moto live (nothing pending)."""
        if not self._delayed:
            return None
        with self._lock:
            entries = self._history.get(account_id)
            return self._prune(entries) if entries else None

    def pending(self, account_id: str) -> int:
        """How many reported changes of the account are not in effect yet."""
        with self._lock:
            entries = self._history.get(account_id) or []
            if entries:
                self._prune(entries)
            return max(len(entries) - 1, 0)

    # --- reads -------------------------------------------------------------------------------------

    def role(self, role_arn: str) -> RoleFacts | None:
        """The role with this ARN; None when there is none (yet, as far as callers can see)."""
        account_id = account_of_role(role_arn)
        if account_id is None:
            return None
        visible = self._visible(account_id)
        if visible is None:
            return moto_iam.role_by_arn(account_id, role_arn)
        return visible.roles_by_arn.get(role_arn)

    def role_by_name(self, account_id: str, name: str) -> RoleFacts | None:
        visible = self._visible(account_id)
        if visible is None:
            return moto_iam.role_by_name(account_id, name)
        return visible.role_named(name)

    def user(self, account_id: str, name: str) -> UserFacts | None:
        visible = self._visible(account_id)
        if visible is None:
            return moto_iam.user_by_name(account_id, name)
        return visible.users_by_name.get(name)

    def identity(self, principal: Principal) -> tuple[tuple[dict[str, Any], ...], dict[str, Any] | None]:
        """The caller's identity-based policies and its permissions boundary (None without one): a user's inline,
        attached and groups' policies; a role session's role's policies and boundary (moto keeps none for users).
        A user or role that is gone (or was made again under the same name) has no policies."""
        if principal.kind == "user":
            user = self.user(principal.account_id, principal.name)
            if user is None or user.arn != principal.arn:
                return (), None
            if principal.user_id and user.user_id != principal.user_id:
                return (), None
            return user.policies, None
        if principal.kind == "assumed-role":
            role = self.role(principal.role_arn or "")
            if role is None:
                return (), None
            role_id = (principal.user_id or "").partition(":")[0]
            if role_id.startswith("AROA") and role_id != role.role_id:
                return (), None  # a session of an earlier role of that name
            return role.policies, role.permissions_boundary
        return (), None

    def identity_policies(self, principal: Principal) -> tuple[dict[str, Any], ...]:
        return self.identity(principal)[0]

    def permissions_boundary(self, principal: Principal) -> dict[str, Any] | None:
        return self.identity(principal)[1]
