# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""guest_access_check's sign-in, reads, write and enhanced fan-out checks against stubbed answers."""

from __future__ import annotations

import datetime

from ansible_collections.wildrydes.lab.plugins.module_utils.guest import GuestCheck
from ansible_collections.wildrydes.lab.tests.unit.plugins.modules.kinesis_stubs import ARN, shard, summary
from ansible_collections.wildrydes.lab.tests.unit.plugins.utils import FakeModule

POOL_ID = "us-east-1:8d3c1b0e-7d5b-4a51-9a3e-0c1f1b5e2a11"
IDENTITY = "us-east-1:6a1e3bd8-1d0c-4a6d-9c4e-2a6f9b4e1f0d"
ROLE = "arn:aws:iam::123456789012:role/Cognito_wildrydesUnauth_Role"
CONSUMER_ARN = f"{ARN}/consumer/wildrydes-verify-probe:1764460800"
PARAMS = dict(
    identity_pool_id=POOL_ID,
    unauth_role_arn=ROLE,
    stream_name="wildrydes",
    consumer_name="wildrydes-verify-probe",
    propagation_timeout=60,
)
CREDENTIALS = {
    "AccessKeyId": "ASIAGUESTUNITTEST",
    "SecretAccessKey": "guest-secret",
    "SessionToken": "guest-token",
    "Expiration": datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
}


class FakeClock:
    """time.monotonic and time.sleep for a test: sleeping moves the clock, instantly."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def expect_sign_in(cognito, sts, refusals=0):
    cognito.add_response("get_id", {"IdentityId": IDENTITY}, {"IdentityPoolId": POOL_ID})
    token_call = {"IdentityId": IDENTITY}
    assume = {"RoleArn": ROLE, "RoleSessionName": "wildrydes-verify", "WebIdentityToken": "token"}
    for _refusal in range(refusals):
        cognito.add_response("get_open_id_token", {"IdentityId": IDENTITY, "Token": "token"}, token_call)
        sts.add_client_error("assume_role_with_web_identity", "AccessDenied", http_status_code=403)
    cognito.add_response("get_open_id_token", {"IdentityId": IDENTITY, "Token": "token"}, token_call)
    sts.add_response("assume_role_with_web_identity", {"Credentials": CREDENTIALS}, assume)


def expect_reads(kinesis):
    kinesis.add_response("describe_stream_summary", summary(), {"StreamName": "wildrydes"})
    kinesis.add_response("list_shards", {"Shards": [shard(0)]}, {"StreamName": "wildrydes"})
    kinesis.add_response(
        "get_shard_iterator",
        {"ShardIterator": "AAAA"},
        {"StreamName": "wildrydes", "ShardId": "shardId-000000000000", "ShardIteratorType": "LATEST"},
    )
    kinesis.add_response("get_records", {"Records": []}, {"ShardIterator": "AAAA", "Limit": 1})


def checker(stubbed, check_mode=False):
    cognito, cognito_stub = stubbed("cognito-identity", retry=False)
    sts, sts_stub = stubbed("sts", retry=False)
    guest, guest_stub = stubbed("kinesis", retry=False)
    own, own_stub = stubbed("kinesis")
    given = []

    def guest_kinesis(credentials):
        given.append(credentials)
        return guest

    clock = FakeClock()
    check = GuestCheck(
        FakeModule(dict(PARAMS), check_mode=check_mode),
        cognito,
        sts,
        guest_kinesis,
        own,
        clock=clock,
        sleep=clock.sleep,
    )
    return check, (cognito_stub, sts_stub, guest_stub, own_stub), given


def test_a_guest_as_the_dashboard_needs_it(stubbed):
    check, (cognito, sts, guest, _own), given = checker(stubbed)
    expect_sign_in(cognito, sts)
    expect_reads(guest)
    guest.add_client_error("put_record", "AccessDeniedException", http_status_code=400)
    guest.add_client_error("describe_stream_consumer", "ResourceNotFoundException", http_status_code=400)
    guest.add_client_error("register_stream_consumer", "AccessDeniedException", http_status_code=400)
    result = check.run()
    assert given == [CREDENTIALS]
    assert result == {
        "can_read": True,
        "can_write": False,
        "can_describe_consumers": True,
        "can_register_consumer": False,
        "checks": {
            "DescribeStreamSummary": "allowed",
            "ListShards": "allowed",
            "GetShardIterator": "allowed",
            "GetRecords": "allowed",
            "PutRecord": "AccessDeniedException",
            "DescribeStreamConsumer": "allowed",
            "RegisterStreamConsumer": "AccessDeniedException",
        },
        "identity_id": IDENTITY,
        "stream_arn": ARN,
        "waited_seconds": 0.0,
    }


def test_a_refused_consumer_description_is_reported(stubbed):
    check, (cognito, sts, guest, _own), _given = checker(stubbed, check_mode=True)
    expect_sign_in(cognito, sts)
    expect_reads(guest)
    guest.add_client_error("describe_stream_consumer", "AccessDeniedException", http_status_code=400)
    result = check.run()
    assert result["can_describe_consumers"] is False
    assert result["checks"]["DescribeStreamConsumer"] == "AccessDeniedException"


def test_check_mode_tries_no_write(stubbed):
    check, (cognito, sts, guest, _own), _given = checker(stubbed, check_mode=True)
    expect_sign_in(cognito, sts)
    expect_reads(guest)
    guest.add_client_error("describe_stream_consumer", "ResourceNotFoundException", http_status_code=400)
    result = check.run()
    assert "PutRecord" not in result["checks"] and "RegisterStreamConsumer" not in result["checks"]
    assert result["can_write"] is False and result["can_register_consumer"] is False


def test_a_consumer_a_guest_could_register_is_deregistered_at_once(stubbed):
    check, (cognito, sts, guest, own), _given = checker(stubbed)
    expect_sign_in(cognito, sts)
    expect_reads(guest)
    guest.add_client_error("put_record", "AccessDeniedException", http_status_code=400)
    guest.add_client_error("describe_stream_consumer", "ResourceNotFoundException", http_status_code=400)
    guest.add_response(
        "register_stream_consumer",
        {
            "Consumer": {
                "ConsumerName": "wildrydes-verify-probe",
                "ConsumerARN": CONSUMER_ARN,
                "ConsumerStatus": "CREATING",
                "ConsumerCreationTimestamp": datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC),
            }
        },
        {"StreamARN": ARN, "ConsumerName": "wildrydes-verify-probe"},
    )
    own.add_response("deregister_stream_consumer", {}, {"StreamARN": ARN, "ConsumerARN": CONSUMER_ARN})
    assert check.run()["can_register_consumer"] is True


def test_sign_in_is_retried_while_iam_has_not_put_the_role_into_effect(stubbed):
    check, (cognito, sts, guest, _own), _given = checker(stubbed, check_mode=True)
    expect_sign_in(cognito, sts, refusals=2)
    expect_reads(guest)
    guest.add_client_error("describe_stream_consumer", "ResourceNotFoundException", http_status_code=400)
    result = check.run()
    assert result["can_read"] is True
    assert result["waited_seconds"] == 1.5  # two refusals: pauses of 0.5 s and 1 s


def test_the_stream_arn_comes_from_the_modules_own_credentials_when_guests_cannot_describe(stubbed):
    check, (cognito, sts, guest, own), _given = checker(stubbed, check_mode=True)
    check.params["propagation_timeout"] = 0  # a refusal is reported at once
    expect_sign_in(cognito, sts)
    guest.add_client_error("describe_stream_summary", "AccessDeniedException", http_status_code=400)
    guest.add_client_error("list_shards", "AccessDeniedException", http_status_code=400)
    own.add_response("describe_stream_summary", summary(), {"StreamName": "wildrydes"})
    guest.add_client_error("describe_stream_consumer", "AccessDeniedException", http_status_code=400)
    result = check.run()
    assert result["can_read"] is False
    assert result["stream_arn"] == ARN
    assert result["checks"]["DescribeStreamSummary"] == "AccessDeniedException"
