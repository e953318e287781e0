"""The shared AWS files read without botocore's session: profile settings and static keys.

Building a botocore session and its credential chain costs about 0.2 s of start-up, most of it imports
(botocore.session pulls in the client, endpoint and HTTP machinery), for what is usually three lines of an INI
file: the profile `simulate local env` hands out, or keys in the environment. This module answers only those
plain cases, exactly as botocore's chain would, and says "botocore decides" (None) for anything else (roles,
SSO, credential_process, expiring keys, a profile chosen by AWS_DEFAULT_PROFILE, an unreadable file...), so every
setup that works with botocore still goes through botocore.

The files are parsed by botocore.configloader, botocore's own INI reader (configparser underneath, a few ms to
import): `[profile x]` sections, `[default]`, nested values and parse errors mean exactly what they mean to
botocore. The decisions of the chain (which provider wins) are ours, and tested against botocore's.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from botocore.configloader import load_config, raw_config_parse
from botocore.exceptions import ConfigNotFound, ConfigParseError

# Profile keys that hand the credentials to a provider botocore tries before (or instead of) the static keys:
# assume-role, web identity, SSO, `aws login`, credential_process. `sso_` covers the SSO provider's keys.
DELEGATING_KEYS = frozenset(
    {
        "role_arn",
        "source_profile",
        "credential_source",
        "web_identity_token_file",
        "credential_process",
        "login_session",
    }
)
# The order botocore's providers look for a session token: the first present wins, even if empty.
FILE_TOKEN_KEYS = ("aws_security_token", "aws_session_token")
ENV_TOKEN_KEYS = ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN")


@dataclass(frozen=True)
class StaticCredentials:
    """Keys that never change during the run; the same attributes as botocore's frozen credentials."""

    access_key: str
    secret_key: str
    token: str | None = None

    def get_frozen_credentials(self) -> "StaticCredentials":
        return self


@dataclass(frozen=True)
class SharedFiles:
    """The shared config and credentials files as botocore's session sees them for one profile."""

    profile: str | None  # chosen explicitly (--profile / AWS_PROFILE); None: botocore's "default"
    config_profiles: dict[str, dict] = field(default_factory=dict)  # the config file's profiles
    credentials_sections: dict[str, dict] = field(default_factory=dict)  # the credentials file's sections

    @property
    def name(self) -> str:
        return self.profile or "default"

    @property
    def exists(self) -> bool:
        """Whether the profile is defined in either file (an explicit one must be)."""
        return self.name in self.config_profiles or self.name in self.credentials_sections

    @property
    def scoped(self) -> dict:
        """The profile's settings: the config file's, overridden by the credentials file's (botocore's merge)."""
        return {**self.config_profiles.get(self.name, {}), **self.credentials_sections.get(self.name, {})}


def read(profile: str | None, environ: Mapping[str, str] = os.environ) -> SharedFiles | None:
    """The shared files for `profile`, or None when botocore must decide (it then also reports any error)."""
    if profile is None and ("AWS_DEFAULT_PROFILE" in environ or "AWS_PROFILE" in environ):
        # botocore picks the profile from these (even an empty one, which it then cannot find): its rules, its call.
        return None
    # botocore.configloader itself expands ~ and $VARS in these paths.
    config_path = environ.get("AWS_CONFIG_FILE", "~/.aws/config")
    credentials_path = environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
    try:
        profiles = _absent_is_empty(lambda: load_config(config_path)["profiles"])
        sections = _absent_is_empty(lambda: raw_config_parse(credentials_path))
    except ConfigParseError:
        return None
    return SharedFiles(profile, profiles, sections)


def _absent_is_empty(parse: Callable[[], dict]) -> dict:
    # botocore's session and providers treat a missing file as an empty one.
    try:
        return parse()
    except ConfigNotFound:
        return {}


def profile_settings(files: SharedFiles, environ: Mapping[str, str] = os.environ) -> tuple[str | None, str | None]:
    """(region, endpoint_url) as botocore's session gives them: `get_config_variable("region")` and the scoped
    config's endpoint_url. The caller checks `files.exists` first for an explicit profile."""
    scoped = files.scoped
    # botocore reads AWS_DEFAULT_REGION whenever it is set, even to "", before the profile's region.
    region = environ["AWS_DEFAULT_REGION"] if "AWS_DEFAULT_REGION" in environ else scoped.get("region")
    return region, scoped.get("endpoint_url")


def static_credentials(files: SharedFiles, environ: Mapping[str, str] = os.environ) -> StaticCredentials | None:
    """The credentials botocore's chain would find when they are static keys; None when botocore must decide."""
    if files.profile is None:
        # The environment comes first, unless a profile was chosen explicitly (then botocore skips it).
        if environ.get("AWS_ACCESS_KEY_ID", ""):
            secret = environ.get("AWS_SECRET_ACCESS_KEY", "")
            if not secret or environ.get("AWS_CREDENTIAL_EXPIRATION", ""):
                return None  # botocore's error (partial keys) or its refreshing credentials
            token = next((environ[key] for key in ENV_TOKEN_KEYS if environ.get(key, "")), None)
            return StaticCredentials(environ["AWS_ACCESS_KEY_ID"], secret, token)
        if "AWS_WEB_IDENTITY_TOKEN_FILE" in environ:
            return None
    if any(key in DELEGATING_KEYS or key.startswith("sso_") for key in files.scoped):
        return None
    # The credentials file's section first, then the config file's profile, as botocore's providers are ordered.
    for settings in (files.credentials_sections.get(files.name, {}), files.config_profiles.get(files.name, {})):
        if "aws_access_key_id" in settings:
            return _from_settings(settings)
    return None  # nothing static: botocore's chain goes on (container, instance metadata...)


def _from_settings(settings: dict) -> StaticCredentials | None:
    if "aws_secret_access_key" not in settings:
        return None  # botocore raises PartialCredentialsError: let it say so
    token = next((settings[key] for key in FILE_TOKEN_KEYS if key in settings), None)
    values = (settings["aws_access_key_id"], settings["aws_secret_access_key"], token)
    if not all(value is None or isinstance(value, str) for value in values):
        return None  # a nested value where a key belongs: whatever botocore makes of it
    return StaticCredentials(*values)
