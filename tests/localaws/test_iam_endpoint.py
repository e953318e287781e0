"""localaws.iam behind the whole endpoint (localaws.server.build_app, served in-process on 127.0.0.1): an IAM user
made through the IAM API signs with its own key and is held to its policy on the resources its calls act on; a
policy change waits for the propagation delay set through the control API."""

import configparser
import json
import threading
import urllib.request
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from localaws.server import build_app
from localaws.settings import Settings

ACCOUNT = "000000000501"
REGION = "us-east-1"
TOKEN = "control-token-for-tests"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


class Endpoint:
    def __init__(self, url: str, admin_key: tuple[str, str]) -> None:
        self.url = url
        self.admin_key = admin_key

    def client(self, service: str, key: tuple[str, str] | None = None):
        key_id, secret = key or self.admin_key
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )

    def control(self, route: str, payload: dict) -> dict:
        request = urllib.request.Request(
            f"{self.url}/_wildrydes/{route}",
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "X-Wildrydes-Token": TOKEN},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.load(reply)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    state = tmp_path_factory.mktemp("iam-endpoint")
    server = make_server("127.0.0.1", 0, lambda environ, start: [], handler_class=_Quiet)
    settings = Settings(state_dir=state, port=server.server_port, accounts=[ACCOUNT])
    server.set_app(build_app(settings, TOKEN))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    credentials = configparser.ConfigParser()
    credentials.read(state / "aws" / "credentials")
    profile = next(credentials[name] for name in credentials.sections() if ACCOUNT in name)
    try:
        yield Endpoint(
            f"http://127.0.0.1:{server.server_port}", (profile["aws_access_key_id"], profile["aws_secret_access_key"])
        )
    finally:
        server.shutdown()
        server.server_close()


def error_of(call, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def stream_arn(name: str) -> str:
    return f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"


@pytest.fixture(scope="module")
def ivy(endpoint) -> tuple[tuple[str, str], str]:
    """A user allowed to describe, list the shards of and write to the stream `wildrydes` only."""
    kinesis = endpoint.client("kinesis")
    for name in ("wildrydes", "secret"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    endpoint.control("clock", {"advance_seconds": 5})  # past CREATING
    iam = endpoint.client("iam")
    arn = iam.create_user(UserName="ivy", Path="/attendees/")["User"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord"],
                "Resource": "arn:aws:kinesis:*:*:stream/wildrydes",
            }
        ],
    }
    iam.put_user_policy(UserName="ivy", PolicyName="stream", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="ivy")["AccessKey"]
    return (key["AccessKeyId"], key["SecretAccessKey"]), arn


def test_an_iam_users_key_is_held_to_its_policy(endpoint, ivy):
    key, arn = ivy
    kinesis = endpoint.client("kinesis", key)
    assert kinesis.describe_stream_summary(StreamName="wildrydes")["StreamDescriptionSummary"]["StreamName"] == (
        "wildrydes"
    )
    assert kinesis.put_record(StreamName="wildrydes", Data=b"{}", PartitionKey="p")["SequenceNumber"]
    assert error_of(kinesis.describe_stream_summary, StreamName="secret") == (
        "AccessDeniedException",
        400,
        f"User: {arn} is not authorized to perform: kinesis:DescribeStreamSummary on resource: {stream_arn('secret')} "
        "because no identity-based policy allows the kinesis:DescribeStreamSummary action",
    )
    assert error_of(kinesis.list_streams)[:2] == ("AccessDeniedException", 400)
    # Authorised on "*" only: the statement naming the stream does not grant it.
    resize = {"StreamName": "wildrydes", "TargetShardCount": 2, "ScalingType": "UNIFORM_SCALING"}
    assert error_of(kinesis.update_shard_count, **resize)[2] == (
        f"User: {arn} is not authorized to perform: kinesis:UpdateShardCount "
        "because no identity-based policy allows the kinesis:UpdateShardCount action"
    )
    code, status, message = error_of(endpoint.client("iam", key).list_roles)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: {arn} is not authorized to perform: iam:ListRoles")
    assert endpoint.client("sts", key).get_caller_identity()["Arn"] == arn


def test_a_policy_change_waits_for_the_propagation_delay(endpoint, ivy):
    key, _ = ivy
    kinesis = endpoint.client("kinesis", key)
    endpoint.control("settings", {"iam_propagation_delay": 10.0})
    try:
        listing = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"}],
        }
        endpoint.client("iam").put_user_policy(UserName="ivy", PolicyName="list", PolicyDocument=json.dumps(listing))
        assert error_of(kinesis.list_streams)[0] == "AccessDeniedException"
        endpoint.control("clock", {"advance_seconds": 10})
        assert "wildrydes" in kinesis.list_streams()["StreamNames"]
    finally:
        endpoint.control("settings", {"iam_propagation_delay": 0.0})


def test_a_deactivated_key_is_refused(endpoint):
    iam = endpoint.client("iam")
    iam.create_user(UserName="jon")
    iam.put_user_policy(
        UserName="jon",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}]}
        ),
    )
    created = iam.create_access_key(UserName="jon")["AccessKey"]
    key = (created["AccessKeyId"], created["SecretAccessKey"])
    assert endpoint.client("kinesis", key).list_streams()["StreamNames"]
    iam.update_access_key(UserName="jon", AccessKeyId=key[0], Status="Inactive")
    code, status, _ = error_of(endpoint.client("kinesis", key).list_streams)
    assert (code, status) == ("UnrecognizedClientException", 400)
