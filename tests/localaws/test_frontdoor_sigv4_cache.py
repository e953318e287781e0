"""The front door's SigV4 signing-key cache and its fast date reading give the answers of a fresh computation:
the cache never lets a wrong secret through after a right one succeeded, and keys of other dates, regions and
services are their own. Requests are signed by botocore's own signer, in-process."""

import calendar
import datetime
import hashlib
import hmac

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localaws.frontdoor import sigv4

KEY_ID = "AKIAEXAMPLEKEY000001"
SECRET = "right-secret/0123456789abcdefghijklmnop"
BODY = b'{"StreamName":"wildrydes"}'


def _signed(region: str = "us-east-1", service: str = "kinesis", secret: str = SECRET) -> tuple[dict[str, str], str]:
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:4566/",
        data=BODY,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"},
    )
    SigV4Auth(Credentials(KEY_ID, secret), service, region).add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = "127.0.0.1:4566"
    return headers, headers["authorization"]


def _verify(headers: dict[str, str], secret: str, now: float | None = None) -> None:
    signature = sigv4.parse(headers, "")
    sigv4.verify(signature, secret, method="POST", raw_path="/", query_string="", headers=headers, body=BODY, now=now)


def _uncached_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def test_a_wrong_secret_is_refused_after_the_right_one_was_cached() -> None:
    headers, _ = _signed()
    _verify(headers, SECRET)
    _verify(headers, SECRET)  # served from the cache
    with pytest.raises(sigv4.SignatureProblem) as refused:
        _verify(headers, "wrong-secret")
    assert refused.value.kind == "mismatch"
    wrong_headers, _ = _signed(secret="wrong-secret")
    with pytest.raises(sigv4.SignatureProblem):
        _verify(wrong_headers, SECRET)
    _verify(headers, SECRET)  # the right one still passes afterwards


@pytest.mark.parametrize(
    ("date", "region", "service"),
    [
        ("20261130", "us-east-1", "kinesis"),
        ("20261201", "us-east-1", "kinesis"),
        ("20261130", "eu-west-1", "kinesis"),
        ("20261130", "us-east-1", "sts"),
        ("19991231", "ap-southeast-2", "cognito-identity"),
    ],
)
def test_cached_signing_keys_equal_a_fresh_derivation(date: str, region: str, service: str) -> None:
    for secret in (SECRET, "another-secret"):
        assert sigv4._signing_key(secret, date, region, service) == _uncached_key(secret, date, region, service)
        assert sigv4._signing_key(secret, date, region, service) == _uncached_key(secret, date, region, service)


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1"])
def test_requests_of_other_regions_and_services_verify_with_their_own_keys(region: str) -> None:
    for service in ("kinesis", "sts"):
        headers, _ = _signed(region=region, service=service)
        _verify(headers, SECRET)
        # The same signature presented under another region's scope is refused, cache or not.
        other = "ap-south-1"
        forged = dict(headers)
        forged["authorization"] = headers["authorization"].replace(f"/{region}/", f"/{other}/")
        with pytest.raises(sigv4.SignatureProblem) as refused:
            _verify(forged, SECRET)
        assert refused.value.kind == "mismatch"


def test_a_signature_of_another_day_is_checked_against_that_day() -> None:
    headers, _ = _signed()
    signed = sigv4.parse(headers, "")
    moment = calendar.timegm(datetime.datetime.strptime(signed.amz_date, "%Y%m%dT%H%M%SZ").timetuple())
    _verify(headers, SECRET, now=moment)
    # The scope's date moved a day: another key, so the signature no longer matches.
    day = datetime.datetime.strptime(signed.date, "%Y%m%d") + datetime.timedelta(days=1)
    moved = dict(headers)
    moved["authorization"] = headers["authorization"].replace(f"/{signed.date}/", f"/{day:%Y%m%d}/")
    with pytest.raises(sigv4.SignatureProblem) as refused:
        _verify(moved, SECRET, now=moment)
    assert refused.value.kind == "mismatch"


@pytest.mark.parametrize(
    "amz_date",
    [
        "20261130T223501Z",
        "20240229T000000Z",
        "20230229T000000Z",  # no such day
        "20261301T000000Z",  # no 13th month
        "20261130T246000Z",
        "20261130T235960Z",  # a leap second
        "2026113T223501Z",  # a digit short: strptime's own reading decides
        "00001130T223501Z",
        "20261130t223501z",
        "",
    ],
)
def test_the_fast_date_reading_agrees_with_strptime(amz_date: str) -> None:
    signature = sigv4.Signature(KEY_ID, "20261130", "us-east-1", "kinesis", ("host",), "00", amz_date, None, False)
    try:
        expected: float | None = (
            datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC).timestamp()
        )
    except ValueError:
        expected = None
    assert sigv4._amz_time(signature, {}) == expected
