"""Settings of the running endpoint that tests may change while it runs (POST /_wildrydes/settings)."""

import threading
from collections.abc import Callable
from typing import Any

from simulator.local.options import EndpointOptions

_lock = threading.Lock()
_settings: dict[str, Any] = {
    "max_records_per_shard": EndpointOptions.max_records_per_shard,
    "kinesis_limits": EndpointOptions.kinesis_limits,
    "inject_throttle": EndpointOptions.inject_throttle,
    "inject_put_failures": EndpointOptions.inject_put_failures,
    "inject_seed": EndpointOptions.inject_seed,
}
# Settings that are fractions: floats from 0 to 1 (a JSON 0 or 1 is taken as 0.0 or 1.0).
FRACTIONS = ("inject_throttle", "inject_put_failures")
_listeners: list[Callable[[dict[str, Any]], None]] = []


def get(name: str) -> Any:
    return _settings[name]


def as_dict() -> dict[str, Any]:
    with _lock:
        return dict(_settings)


def on_update(listener: Callable[[dict[str, Any]], None]) -> None:
    """Call `listener(changes)` after every successful update (say, to reseed a random generator)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _checked(name: str, value: Any) -> Any:
    expected = type(_settings[name])
    if expected is float and type(value) is int:
        value = float(value)
    if type(value) is not expected:
        raise ValueError(f"{name} must be {expected.__name__}, not {type(value).__name__}")
    if name == "max_records_per_shard" and value < 1:
        raise ValueError("max_records_per_shard must be at least 1")
    if name in FRACTIONS and not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a fraction from 0 to 1, not {value}")
    return value


def update(changes: dict[str, Any]) -> None:
    """Change known settings; an unknown name, a wrong type or a value out of range changes nothing and
    raises ValueError."""
    if not isinstance(changes, dict):
        raise ValueError("settings must be a JSON object")
    with _lock:
        unknown = sorted(set(changes) - set(_settings))
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        checked = {name: _checked(name, value) for name, value in changes.items()}
        _settings.update(checked)
        listeners = list(_listeners)
    for listener in listeners:
        listener(checked)
