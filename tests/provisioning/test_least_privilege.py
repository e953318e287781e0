"""What setup.yml gives a dashboard guest, checked on the endpoint with IAM enforcement on: the guest signs
in as the browser does (unsigned GetId → GetOpenIdToken → AssumeRoleWithWebIdentity) and may read its
attendee's stream `wildrydes`, and nothing else."""

import json

import boto3
import botocore
import botocore.config
import pytest
from botocore.exceptions import ClientError

from tests.conftest import REGION

IVY, JON = "000000000201", "000000000202"


def quiet() -> botocore.config.Config:
    return botocore.config.Config(retries={"max_attempts": 1})


def unsigned(endpoint, service: str):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint.url,
        config=botocore.config.Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}),
    )


def guest_token(endpoint, pool_id: str) -> str:
    cognito = unsigned(endpoint, "cognito-identity")
    identity_id = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
    return cognito.get_open_id_token(IdentityId=identity_id)["Token"]


def assume(endpoint, role_arn: str, token: str) -> dict:
    return unsigned(endpoint, "sts").assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="dashboard", WebIdentityToken=token
    )["Credentials"]


def guest_client(endpoint, service: str, credentials: dict):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint.url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        config=quiet(),
    )


def refusal(call, **kwargs) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def first_iterator(kinesis, stream: str) -> str:
    shard_id = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    return kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]


def test_dashboard_guest_reads_its_stream_and_nothing_else(make_lab):
    lab = make_lab({"ivy": {"account": IVY}, "jon": {"account": JON}})
    setup = lab.playbook("setup.yml")
    assert setup.returncode == 0, setup.output
    ivy = json.loads((lab.build_dir / "ivy" / "dashboard-config.json").read_text())
    jon = json.loads((lab.build_dir / "jon" / "dashboard-config.json").read_text())
    endpoint = lab.endpoint
    admin = endpoint.client("kinesis", account_id=IVY)
    admin.create_stream(StreamName="other", ShardCount=1)
    admin.get_waiter("stream_exists").wait(StreamName="other", WaiterConfig={"Delay": 1})  # CREATING first, as on AWS
    admin.put_record(StreamName="wildrydes", Data=b'{"Name": "Shadowfax"}', PartitionKey="Shadowfax")

    guest = assume(endpoint, ivy["unauthRoleArn"], guest_token(endpoint, ivy["identityPoolId"]))
    kinesis = guest_client(endpoint, "kinesis", guest)

    # What the dashboard needs.
    summary = kinesis.describe_stream_summary(StreamName="wildrydes")["StreamDescriptionSummary"]
    assert summary["StreamStatus"] == "ACTIVE"
    shard_id = kinesis.list_shards(StreamName="wildrydes")["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName="wildrydes", ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")
    records = kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [record["PartitionKey"] for record in records] == ["Shadowfax"]

    # No writes.
    record = {"Data": b"{}", "PartitionKey": "guest"}
    assert refusal(kinesis.put_record, StreamName="wildrydes", **record) == "AccessDeniedException"
    assert refusal(kinesis.put_records, StreamName="wildrydes", Records=[record]) == "AccessDeniedException"
    # No other stream: not in the same account, not another attendee's.
    assert refusal(kinesis.describe_stream_summary, StreamName="other") == "AccessDeniedException"
    assert refusal(kinesis.list_shards, StreamName="other") == "AccessDeniedException"
    other = {"StreamName": "other", "ShardId": "shardId-000000000000", "ShardIteratorType": "LATEST"}
    assert refusal(kinesis.get_shard_iterator, **other) == "AccessDeniedException"
    assert refusal(kinesis.get_records, ShardIterator=first_iterator(admin, "other")) == "AccessDeniedException"
    jon_stream = f"arn:aws:kinesis:{REGION}:{JON}:stream/wildrydes"
    assert refusal(kinesis.describe_stream_summary, StreamARN=jon_stream) == "AccessDeniedException"
    assert refusal(kinesis.list_streams) == "AccessDeniedException"
    # No IAM, no Cognito administration.
    assert refusal(guest_client(endpoint, "iam", guest).list_roles) == "AccessDenied"
    cognito = guest_client(endpoint, "cognito-identity", guest)
    assert refusal(cognito.describe_identity_pool, IdentityPoolId=ivy["identityPoolId"]) == "AccessDeniedException"

    # A guest's token does not open the role for signed-in identities.
    auth_role = ivy["unauthRoleArn"].replace("Unauth_Role", "Auth_Role")
    assert refusal(
        assume, endpoint=endpoint, role_arn=auth_role, token=guest_token(endpoint, ivy["identityPoolId"])
    ) == ("AccessDenied")
    # Tokens of other pools do not open this pool's role: another attendee's, or a second pool of the account.
    second_pool = endpoint.client("cognito-identity", account_id=IVY).create_identity_pool(
        IdentityPoolName="second", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )["IdentityPoolId"]
    for pool_id in (jon["identityPoolId"], second_pool):
        token = guest_token(endpoint, pool_id)
        assert refusal(assume, endpoint=endpoint, role_arn=ivy["unauthRoleArn"], token=token) == "AccessDenied"
    # ... while each attendee's guests read their own stream.
    jon_guest = assume(endpoint, jon["unauthRoleArn"], guest_token(endpoint, jon["identityPoolId"]))
    assert guest_client(endpoint, "kinesis", jon_guest).list_shards(StreamName="wildrydes")["Shards"]

    verify = lab.playbook("verify.yml")
    assert verify.returncode == 0, verify.output
    assert sorted(line.split(":")[0] for line in verify.report()) == ["ok ivy", "ok jon"]
    assert all(line.endswith("guest can read, cannot write") for line in verify.report())
