"""The endpoint's state folder: what a running endpoint and its tools share on disk.

    endpoint.json   pid and port of the running endpoint
    endpoint.log    what it printed
    control-token   the secret the control and admin APIs require (new at each start; mode 0600)
    accounts.json   the simulated accounts and their generated admin keys (mode 0600)
    aws/config, aws/credentials   one profile per account, `wildrydes-local-<id>`, for every AWS tool (mode 0600)

The folder is always passed explicitly; `default_state_dir()` is only what the CLI uses when told nothing.
"""

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


def default_state_dir() -> Path:
    """`WILDRYDES_STATE_DIR`, else `$XDG_STATE_HOME/wildrydes`, else `~/.local/state/wildrydes`."""
    explicit = os.environ.get("WILDRYDES_STATE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "wildrydes"


@dataclass(frozen=True)
class StateFolder:
    path: Path

    @property
    def pid_file(self) -> Path:
        return self.path / "endpoint.json"

    @property
    def log_file(self) -> Path:
        return self.path / "endpoint.log"

    @property
    def token_file(self) -> Path:
        return self.path / "control-token"

    @property
    def accounts_file(self) -> Path:
        return self.path / "accounts.json"

    @property
    def lock_file(self) -> Path:
        return self.path / ".lock"

    @property
    def aws_config_file(self) -> Path:
        return self.path / "aws" / "config"

    @property
    def aws_credentials_file(self) -> Path:
        return self.path / "aws" / "credentials"

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.path / "aws").mkdir(exist_ok=True, mode=0o700)

    def read_token(self) -> str | None:
        try:
            return self.token_file.read_text().strip() or None
        except OSError:
            return None


def write_private(path: Path, text: str) -> None:
    """Write a secret file atomically: readable by its owner only from the first byte, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w") as handle:  # mkstemp makes it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
