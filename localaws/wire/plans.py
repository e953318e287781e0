"""A cache of per-shape plans (converters, checks, writers), built once, safe to share between threads.

Shapes can be recursive: while a shape's plan is being built, its children see a forwarder to it. Plans become
visible to other threads only once the whole build they belong to has finished, so no thread ever calls a
forwarder whose target is not there yet.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Any

_MISSING = object()


class PlanCache:
    def __init__(self, forwarder: Callable[[list[Any]], Any]):
        # forwarder(slot) -> a plan calling slot[0] (the plan being built) once it is there.
        self._forwarder = forwarder
        self._done: dict[Hashable, Any] = {}
        self._staged: dict[Hashable, Any] = {}
        self._lock = threading.RLock()
        self._depth = 0

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        plan = self._done.get(key, _MISSING)
        if plan is not _MISSING:
            return plan
        with self._lock:
            plan = self._done.get(key, self._staged.get(key, _MISSING))
            if plan is not _MISSING:
                return plan
            slot: list[Any] = []
            self._staged[key] = self._forwarder(slot)
            self._depth += 1
            try:
                plan = build()
            except BaseException:
                if self._depth == 1:
                    self._staged.clear()
                raise
            finally:
                self._depth -= 1
            slot.append(plan)
            self._staged[key] = plan
            if self._depth == 0:
                self._done.update(self._staged)
                self._staged.clear()
            return plan


def forward_call(slot: list[Any]) -> Callable[..., Any]:
    return lambda *args: slot[0](*args)
