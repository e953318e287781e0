"""Settings of the running endpoint that tests may change while it runs (POST /_wildrydes/settings)."""

import threading
from typing import Any

from simulator.local.options import EndpointOptions

_lock = threading.Lock()
_settings: dict[str, Any] = {
    "max_records_per_shard": EndpointOptions.max_records_per_shard,
}


def get(name: str) -> Any:
    return _settings[name]


def as_dict() -> dict[str, Any]:
    with _lock:
        return dict(_settings)


def update(changes: dict[str, Any]) -> None:
    """Change known settings; an unknown name or a wrong type changes nothing and raises ValueError."""
    with _lock:
        unknown = sorted(set(changes) - set(_settings))
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        for name, value in changes.items():
            if type(value) is not type(_settings[name]):
                raise ValueError(f"{name} must be {type(_settings[name]).__name__}")
        for name, value in changes.items():
            if name == "max_records_per_shard" and value < 1:
                raise ValueError("max_records_per_shard must be at least 1")
        _settings.update(changes)
