"""What every part of a running endpoint shares: its settings (replaced whole when the control API changes
them), its clock, a secret made at start (it signs shard iterators and tokens), and its metrics sink."""

import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

from localaws.clock import Clock
from localaws.settings import Settings


class MetricsSink(Protocol):
    def put(
        self,
        account_id: str,
        region: str,
        namespace: str,
        name: str,
        dimensions: dict[str, str],
        value: float,
        unit: str,
        timestamp: float,
    ) -> None:
        """Record one datapoint (what CloudWatch's PutMetricData would store)."""


class NoMetrics:
    def put(self, *args: Any, **kwargs: Any) -> None:
        return None


class Runtime:
    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        secret: bytes | None = None,
        metrics: MetricsSink | None = None,
    ) -> None:
        self._settings = settings
        self.clock = clock or Clock()
        self.secret = secret or os.urandom(32)
        self.metrics: MetricsSink = metrics or NoMetrics()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Settings, dict[str, Any]], None]] = []

    @property
    def settings(self) -> Settings:
        return self._settings

    def on_update(self, listener: Callable[[Settings, dict[str, Any]], None]) -> None:
        """Call `listener(new_settings, changes)` after every successful update (say, to reseed a generator)."""
        self._listeners.append(listener)

    def update(self, changes: Any) -> Settings:
        """Apply run-time setting changes; ValueError (nothing changed) when any is bad."""
        with self._lock:
            self._settings = self._settings.changed(changes)
            settings = self._settings
        for listener in list(self._listeners):
            listener(settings, changes)
        return settings
