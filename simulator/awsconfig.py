"""One way to decide where AWS calls go: region, endpoint and credentials.

Used by every simulator command and by the dashboard config; the playbooks follow the same rules
through Ansible's own `region`/`endpoint_url`/`profile` options. Real AWS: the usual profile and
environment chain, nothing of ours. Local endpoint: when `--endpoint-url` or `AWS_ENDPOINT_URL` points
at 127.0.0.1; with no credentials configured, the admin key the endpoint generated for its default
simulated account (read from its state folder; `simulate local env` prints the profile instead).

botocore's session is built only when the shared files and the environment are not plain static keys
(simulator.awsfiles decides): `simulate produce` should put its first record without paying for it.
"""

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from simulator import awsfiles
from simulator.errors import UserError

if TYPE_CHECKING:
    import boto3

WORKSHOP_REGION = "us-east-1"  # the workshop's examples use us-east-1
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class AwsTarget:
    region: str
    endpoint_url: str | None = None
    profile: str | None = None

    @property
    def is_local(self) -> bool:
        return is_local_endpoint(self.endpoint_url)

    def describe(self) -> str:
        where = f"local endpoint {self.endpoint_url}" if self.is_local else (self.endpoint_url or "AWS")
        who = f", profile {self.profile}" if self.profile else ""
        return f"{where}, region {self.region}{who}"


def is_local_endpoint(endpoint_url: str | None) -> bool:
    return bool(endpoint_url) and urlparse(endpoint_url).hostname in LOOPBACK_HOSTS


def resolve(region: str | None = None, endpoint_url: str | None = None, profile: str | None = None) -> AwsTarget:
    """Explicit values win, then the environment, then the profile, then the workshop's defaults."""
    profile = profile or os.environ.get("AWS_PROFILE") or None
    profile_region, profile_endpoint = _profile_settings(profile)
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or profile_endpoint or None
    if endpoint and urlparse(endpoint).scheme not in ("http", "https"):
        raise UserError(f"endpoint URL {endpoint!r} is not http(s): use e.g. http://127.0.0.1:4566")
    chosen_region = (
        region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or profile_region
        or WORKSHOP_REGION
    )
    return AwsTarget(region=chosen_region, endpoint_url=endpoint, profile=profile)


def _profile_settings(profile: str | None) -> tuple[str | None, str | None]:
    """The profile's (region, endpoint_url); a profile that was asked for must exist."""
    files = awsfiles.read(profile)
    if files is not None and (profile is None or files.exists):
        settings = awsfiles.profile_settings(files)
        if all(value is None or isinstance(value, str) for value in settings):
            return settings
    # Anything but the plain case (and the missing profile's error) is botocore's, as it always was.
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    try:
        core = botocore.session.Session(profile=profile)
        return core.get_config_variable("region"), core.get_scoped_config().get("endpoint_url")
    except ProfileNotFound:
        raise UserError(
            f"AWS profile {profile!r} not found: create it with `aws configure --profile {profile}` "
            "or pick another with --profile / AWS_PROFILE"
        ) from None


def credentials(target: AwsTarget) -> Any:
    """The credentials `session(target)` would use (botocore's chain, else the local admin's key), read without
    loading boto3, and without botocore's session when they are static keys: the producer needs nothing else."""
    files = awsfiles.read(target.profile)
    found = awsfiles.static_credentials(files) if files is not None else None
    if found is None:
        import botocore.session

        found = botocore.session.Session(profile=target.profile).get_credentials()
    if found is None and target.is_local:
        key_id, secret = _local_admin_key()
        return awsfiles.StaticCredentials(key_id, secret)
    return found


def session(target: AwsTarget) -> "boto3.Session":
    import boto3

    aws = boto3.Session(profile_name=target.profile, region_name=target.region)
    if target.is_local and aws.get_credentials() is None:
        # Nothing configured and aimed at the local endpoint: act as its default account's admin.
        key_id, secret = _local_admin_key()
        aws = boto3.Session(aws_access_key_id=key_id, aws_secret_access_key=secret, region_name=target.region)
    return aws


def client(target: AwsTarget, service: str, *, max_attempts: int = 5, **config: object):
    """A boto3 client for `service` at the target. Callers that retry themselves pass max_attempts=1."""
    import botocore.config

    retries = {"max_attempts": max_attempts, "mode": "standard"}
    return session(target).client(
        service,
        endpoint_url=target.endpoint_url,
        config=botocore.config.Config(retries=retries, **config),  # type: ignore[arg-type]
    )


def _local_admin_key() -> tuple[str, str]:
    # Imported here: the endpoint's account code (and its settings model) is only needed on this fallback, not on
    # every command's start.
    from localaws import accounts
    from localaws.state import StateFolder, default_state_dir

    known = accounts.Accounts(StateFolder(default_state_dir()))
    try:
        ids = known.ids()
    except ValueError as error:
        raise UserError(str(error)) from None
    if not ids:
        raise UserError(
            "no credentials for the local endpoint: start it with `simulate local start`, "
            'then `eval "$(simulate local env)"`'
        )
    chosen = accounts.DEFAULT_ACCOUNT_ID if accounts.DEFAULT_ACCOUNT_ID in ids else ids[0]
    return known.admin_key(chosen)
