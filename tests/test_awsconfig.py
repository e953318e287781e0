"""Where AWS calls go: pure unit tests of the one configuration path (no network)."""

import pytest

from localaws import accounts
from localaws.state import StateFolder
from simulator import awsconfig
from simulator.errors import UserError


def test_defaults_are_the_workshop_region_and_real_aws():
    target = awsconfig.resolve()
    assert target.region == "us-east-1"
    assert target.endpoint_url is None
    assert not target.is_local


def test_environment_endpoint_makes_it_local(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    target = awsconfig.resolve()
    assert target.is_local
    assert (target.region, target.endpoint_url) == ("eu-west-1", "http://127.0.0.1:4566")


def test_explicit_values_win_over_environment(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    target = awsconfig.resolve(region="ap-northeast-2", endpoint_url="https://kinesis.example.com")
    assert (target.region, target.endpoint_url, target.is_local) == (
        "ap-northeast-2",
        "https://kinesis.example.com",
        False,
    )


def test_profile_supplies_region_and_endpoint(monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile lab]\nregion = ap-northeast-2\nendpoint_url = http://localhost:4599\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    target = awsconfig.resolve(profile="lab")
    assert (target.region, target.endpoint_url, target.is_local) == ("ap-northeast-2", "http://localhost:4599", True)


def test_missing_profile_is_a_user_error_naming_it():
    with pytest.raises(UserError, match="profile 'nobody' not found"):
        awsconfig.resolve(profile="nobody")


def test_endpoint_must_be_http():
    with pytest.raises(UserError, match="not http"):
        awsconfig.resolve(endpoint_url="127.0.0.1:4566")


def test_local_endpoint_without_credentials_acts_as_its_generated_admin(monkeypatch, tmp_path):
    monkeypatch.setenv("WILDRYDES_STATE_DIR", str(tmp_path))
    known = accounts.Accounts(StateFolder(tmp_path))
    known.add(["000000000042", accounts.DEFAULT_ACCOUNT_ID])
    target = awsconfig.resolve(endpoint_url="http://127.0.0.1:4566")
    credentials = awsconfig.session(target).get_credentials()
    assert credentials.access_key == known.admin_key(accounts.DEFAULT_ACCOUNT_ID)[0]


def test_local_endpoint_never_started_is_one_line_naming_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("WILDRYDES_STATE_DIR", str(tmp_path / "empty"))
    target = awsconfig.resolve(endpoint_url="http://127.0.0.1:4566")
    with pytest.raises(UserError, match="simulate local start"):
        awsconfig.session(target)


def test_real_aws_never_gets_local_credentials():
    target = awsconfig.resolve()
    assert awsconfig.session(target).get_credentials() is None


def test_configured_credentials_win_on_the_local_endpoint(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE000000007")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    target = awsconfig.resolve(endpoint_url="http://127.0.0.1:4566")
    assert awsconfig.session(target).get_credentials().access_key == "AKIAEXAMPLE000000007"


def test_generated_admin_keys_are_random_private_and_stable(tmp_path):
    state = StateFolder(tmp_path)
    first = accounts.Accounts(state)
    first.add(["000000000042", "000000000043"], endpoint_url="http://127.0.0.1:4566")
    key_42, key_43 = first.admin_key("000000000042"), first.admin_key("000000000043")
    assert key_42 != key_43 and len(key_42[0]) == 20 and key_42[0].startswith("AKIA") and len(key_42[1]) == 40
    for path in (state.accounts_file, state.aws_config_file, state.aws_credentials_file):
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert "[wildrydes-local-000000000042]" in state.aws_credentials_file.read_text()
    assert "endpoint_url = http://127.0.0.1:4566" in state.aws_config_file.read_text()
    again = accounts.Accounts(state)
    again.add(["000000000042"])
    assert again.admin_key("000000000042") == key_42  # an account keeps its key
    other = accounts.Accounts(StateFolder(tmp_path / "elsewhere"))
    other.add(["000000000042"])
    assert other.admin_key("000000000042") != key_42  # another machine or folder, another secret
    with pytest.raises(ValueError):
        first.add(["42"])
