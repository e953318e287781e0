"""Where AWS calls go: pure unit tests of the one configuration path (no network)."""

import pytest

from simulator import awsconfig
from simulator.errors import UserError
from simulator.local import accounts


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


def test_local_endpoint_without_credentials_acts_as_local_admin():
    target = awsconfig.resolve(endpoint_url="http://127.0.0.1:4566")
    credentials = awsconfig.session(target).get_credentials()
    assert credentials.access_key == accounts.admin_access_key(accounts.DEFAULT_ACCOUNT_ID)


def test_real_aws_never_gets_local_credentials():
    target = awsconfig.resolve()
    assert awsconfig.session(target).get_credentials() is None


def test_configured_credentials_win_on_the_local_endpoint(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA000000000007ADMN")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    target = awsconfig.resolve(endpoint_url="http://127.0.0.1:4566")
    assert awsconfig.session(target).get_credentials().access_key == "AKIA000000000007ADMN"


def test_admin_keys_round_trip_their_account():
    key = accounts.admin_access_key("000000000042")
    assert len(key) == 20
    assert accounts.account_of_admin_key(key) == "000000000042"
    assert accounts.account_of_admin_key("AKIAIOSFODNN7EXAMPLE") is None
    with pytest.raises(ValueError):
        accounts.admin_access_key("42")
