"""STS, owned outright (see service.py): role sessions and their credentials (sessions.py)."""

from localaws.sts.service import StsService
from localaws.sts.sessions import SessionStore

__all__ = ["SessionStore", "StsService"]
