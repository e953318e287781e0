"""Where the local endpoint keeps its pid file, its log and the local admin profile."""

import os
from pathlib import Path

DEFAULT_PORT = 4566


def state_dir() -> Path:
    """`WILDRYDES_STATE_DIR`, else `$XDG_STATE_HOME/wildrydes`, else `~/.local/state/wildrydes`."""
    explicit = os.environ.get("WILDRYDES_STATE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "wildrydes"


def pid_file() -> Path:
    return state_dir() / "endpoint.json"


def log_file() -> Path:
    return state_dir() / "endpoint.log"
