"""simulator.awsfiles against botocore's own resolution: for the same environment and shared files, the same keys,
token, region and endpoint, and botocore's chain itself for anything that is not static keys. In-process, no
network: every AWS variable is cleared, HOME and the shared files are a temporary folder's."""

import os
from pathlib import Path

import botocore.session
import pytest
from botocore.exceptions import PartialCredentialsError

from simulator import awsconfig, awsfiles
from simulator.errors import UserError

KEY = "AKIAEXAMPLE000000001"
SECRET = "secret/one+1"


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """Writes the shared files, sets variables; `aws.config` and `aws.credentials` are the files' paths."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name == "BOTO_CONFIG":
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # a chain that finds nothing must not wait for IMDS
    monkeypatch.setenv("BOTO_CONFIG", str(tmp_path / "no-boto-config"))

    class Aws:
        config = tmp_path / "config"
        credentials = tmp_path / "credentials"

        @staticmethod
        def files(config: str | None = None, credentials: str | None = None) -> None:
            monkeypatch.setenv("AWS_CONFIG_FILE", str(Aws.config))
            monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(Aws.credentials))
            if config is not None:
                Aws.config.write_text(config)
            if credentials is not None:
                Aws.credentials.write_text(credentials)

        setenv = staticmethod(monkeypatch.setenv)

    return Aws


def botocore_view(profile: str | None) -> tuple[tuple | None, str | None, str | None]:
    """(access key, secret, token) or None, region and endpoint_url, as botocore's session resolves them."""
    core = botocore.session.Session(profile=profile)
    found = core.get_credentials()
    keys = None
    if found is not None:
        frozen = found.get_frozen_credentials()
        keys = (frozen.access_key, frozen.secret_key, frozen.token)
    return keys, core.get_config_variable("region"), core.get_scoped_config().get("endpoint_url")


def ours(profile: str | None) -> tuple[tuple | None, str | None, str | None]:
    """The same three as this module resolves them, asserting that botocore's session was not needed."""
    files = awsfiles.read(profile)
    assert files is not None, "the plain case went to botocore"
    found = awsfiles.static_credentials(files)
    assert found is not None, "static keys went to botocore"
    region, endpoint = awsfiles.profile_settings(files)
    return (found.access_key, found.secret_key, found.token), region, endpoint


@pytest.mark.parametrize(
    ("variables", "profile"),
    [
        ({"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}, None),
        ({"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": "tok"}, None),
        ({"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SECURITY_TOKEN": "old"}, None),
        ({"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": ""}, None),
        ({"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_DEFAULT_REGION": "eu-west-3"}, None),
    ],
)
def test_environment_keys_as_botocore_reads_them(aws, variables: dict[str, str], profile: str | None) -> None:
    aws.files(config="[default]\nregion = ap-south-1\n")
    for name, value in variables.items():
        aws.setenv(name, value)
    assert ours(profile) == botocore_view(profile)


def test_an_explicit_profile_wins_over_environment_keys(aws) -> None:
    # botocore drops the environment provider when a profile is chosen explicitly (AWS_PROFILE, --profile).
    aws.files(credentials="[lab]\naws_access_key_id = AKIAFROMPROFILE00001\naws_secret_access_key = s\n")
    aws.setenv("AWS_ACCESS_KEY_ID", KEY)
    aws.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    assert ours("lab") == botocore_view("lab")
    assert ours("lab")[0][0] == "AKIAFROMPROFILE00001"


FILES = {
    "default profile in the credentials file": (
        "[default]\nregion = eu-central-1\n",
        f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
        None,
    ),
    "named profile in the credentials file, settings in the config file": (
        "[profile lab]\nregion = ap-northeast-2\nendpoint_url = http://127.0.0.1:4566\n",
        f"[lab]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\naws_session_token = tok\n",
        "lab",
    ),
    "profile with its keys in the config file": (
        f"[profile lab]\nregion = us-west-2\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
        "",
        "lab",
    ),
    "the credentials file wins over the config file, keys and region": (
        "[profile lab]\nregion = us-west-2\naws_access_key_id = AKIACONFIG0000000001\naws_secret_access_key = c\n",
        f"[lab]\nregion = sa-east-1\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
        "lab",
    ),
    "both token spellings: aws_security_token first": (
        "",
        f"[lab]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
        "aws_session_token = new\naws_security_token = old\n",
        "lab",
    ),
    "a [DEFAULT] section and nested settings": (
        "[DEFAULT]\nregion = me-south-1\n[profile lab]\ns3 =\n  addressing_style = path\n",
        f"[lab]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
        "lab",
    ),
    "`simulate local env`'s own files": (
        "[profile wildrydes-local-123456789012]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:4566\n",
        f"[wildrydes-local-123456789012]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
        "wildrydes-local-123456789012",
    ),
    "`[profile default]` in the config file": (
        f"[profile default]\nregion = af-south-1\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
        "",
        None,
    ),
}


@pytest.mark.parametrize("case", list(FILES))
def test_shared_files_as_botocore_reads_them(aws, case: str) -> None:
    config, credentials, profile = FILES[case]
    aws.files(config=config, credentials=credentials)
    assert ours(profile) == botocore_view(profile)


def test_files_in_the_home_folder_by_default(aws, tmp_path: Path) -> None:
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[profile lab]\nregion = eu-north-1\n")
    (tmp_path / ".aws" / "credentials").write_text(f"[lab]\naws_access_key_id = {KEY}\naws_secret_access_key = x\n")
    assert ours("lab") == botocore_view("lab")


def test_awsconfig_resolves_the_same_target_and_keys_without_botocore(aws) -> None:
    aws.files(
        config="[profile lab]\nregion = ap-northeast-2\nendpoint_url = http://127.0.0.1:4566\n",
        credentials=f"[lab]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
    )
    aws.setenv("AWS_PROFILE", "lab")
    target = awsconfig.resolve()
    assert (target.region, target.endpoint_url, target.profile) == ("ap-northeast-2", "http://127.0.0.1:4566", "lab")
    found = awsconfig.credentials(target)
    assert isinstance(found, awsfiles.StaticCredentials)
    assert (found.access_key, found.secret_key, found.token) == botocore_view("lab")[0]


def test_a_missing_profile_is_the_same_one_line_error(aws) -> None:
    aws.files(config="[profile lab]\nregion = us-west-2\n", credentials="")
    with pytest.raises(UserError) as raised:
        awsconfig.resolve(profile="nobody")
    assert str(raised.value) == (
        "AWS profile 'nobody' not found: create it with `aws configure --profile nobody` "
        "or pick another with --profile / AWS_PROFILE"
    )
    assert raised.value.exit_code == 2


def test_an_explicit_default_profile_must_exist_too(aws) -> None:
    aws.files(config="", credentials="")
    with pytest.raises(UserError, match="profile 'default' not found"):
        awsconfig.resolve(profile="default")


DELEGATED = {
    "assume role": f"[profile base]\naws_access_key_id = {KEY}\naws_secret_access_key = s\n"
    "[profile lab]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n",
    "credential_process": "[profile lab]\ncredential_process = /bin/echo "
    '\'{"Version": 1, "AccessKeyId": "AKIAPROCESS000000001", "SecretAccessKey": "s"}\'\n',
    "sso": "[profile lab]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
    "sso_account_id = 123456789012\nsso_role_name = r\n",
    "web identity": "[profile lab]\nrole_arn = arn:aws:iam::123456789012:role/r\nweb_identity_token_file = /t\n",
    "keys beside a role": f"[profile lab]\naws_access_key_id = {KEY}\naws_secret_access_key = s\n"
    "role_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\n",
}


@pytest.mark.parametrize("case", list(DELEGATED))
def test_anything_but_static_keys_is_botocores(aws, case: str) -> None:
    aws.files(config=DELEGATED[case], credentials="")
    aws.setenv("AWS_ACCESS_KEY_ID", KEY)  # credential_source = Environment's source; ignored by the others
    aws.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    files = awsfiles.read("lab")
    assert files is not None and awsfiles.static_credentials(files) is None
    found = awsconfig.credentials(awsconfig.resolve(profile="lab"))
    assert type(found).__module__ == "botocore.credentials"  # botocore's chain made them, not us


def test_expiring_environment_keys_are_botocores(aws) -> None:
    aws.files(config="", credentials="")
    aws.setenv("AWS_ACCESS_KEY_ID", KEY)
    aws.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    aws.setenv("AWS_CREDENTIAL_EXPIRATION", "2999-01-01T00:00:00Z")
    assert awsfiles.static_credentials(awsfiles.read(None)) is None
    found = awsconfig.credentials(awsconfig.resolve())
    assert type(found).__name__ == "RefreshableCredentials"
    assert found.access_key == KEY


def test_partial_keys_are_botocores_error(aws) -> None:
    aws.files(config="", credentials=f"[lab]\naws_access_key_id = {KEY}\n")
    assert awsfiles.static_credentials(awsfiles.read("lab")) is None
    with pytest.raises(PartialCredentialsError):
        awsconfig.credentials(awsconfig.resolve(profile="lab"))


def test_a_profile_picked_by_aws_default_profile_is_botocores(aws) -> None:
    aws.files(
        config="[profile lab]\nregion = eu-west-2\n",
        credentials=f"[lab]\naws_access_key_id = {KEY}\naws_secret_access_key = s\n",
    )
    aws.setenv("AWS_DEFAULT_PROFILE", "lab")
    assert awsfiles.read(None) is None
    target = awsconfig.resolve()
    assert target.region == "eu-west-2" == botocore_view(None)[1]
    assert awsconfig.credentials(target).access_key == KEY


def test_a_broken_file_is_botocores_error(aws) -> None:
    aws.files(config="[profile lab\nregion = x\n", credentials="")
    assert awsfiles.read("lab") is None
    with pytest.raises(Exception) as raised:
        awsconfig.resolve(profile="lab")
    assert type(raised.value).__name__ == "ConfigParseError"


def test_no_keys_anywhere_goes_on_to_botocores_chain(aws) -> None:
    aws.files(config="[default]\nregion = us-west-1\n", credentials="")
    assert awsfiles.static_credentials(awsfiles.read(None)) is None
    assert awsconfig.credentials(awsconfig.resolve()) is None is botocore_view(None)[0]
