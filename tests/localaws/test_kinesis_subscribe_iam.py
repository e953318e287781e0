"""IAM on SubscribeToShard over HTTP: the workshop's guest (the identity pool's basic flow, with the
WildrydesDashboardPolicy the playbook renders) may subscribe through a consumer of the lab's stream, and is refused
a consumer of another stream; the check is on the consumer ARN (resource type `consumer`)."""

import json
from pathlib import Path

import boto3
import botocore.config
import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from tests.conftest import REGION, running_endpoint
from tests.localaws.test_cognito_real_iam import STREAM_ACTIONS, render
from tests.localaws.test_kinesis_subscribe_support import Lab, active_consumer, active_stream


def unsigned(endpoint, service: str):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint.url,
        config=botocore.config.Config(signature_version=UNSIGNED),
    )


def guest_kinesis(endpoint, stream_arn: str):
    """Kinesis signed with a guest's credentials, got as the dashboard gets them."""
    cognito = endpoint.client("cognito-identity")
    pool = cognito.create_identity_pool(
        IdentityPoolName="wildrydes", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )["IdentityPoolId"]
    trust = render(
        "trust-policy.json.j2", wildrydes_identity_pool_id=pool, wildrydes_identity_pool_amr="unauthenticated"
    )
    iam = endpoint.client("iam")
    role = iam.create_role(RoleName="Cognito_wildrydesUnauth_Role", AssumeRolePolicyDocument=json.dumps(trust))
    policy = render(
        "dashboard-policy.json.j2",
        wildrydes_identity_pool_stream_actions=STREAM_ACTIONS,
        wildrydes_identity_pool_stream_arn=stream_arn,
    )
    iam.put_role_policy(
        RoleName="Cognito_wildrydesUnauth_Role",
        PolicyName="WildrydesDashboardPolicy",
        PolicyDocument=json.dumps(policy),
    )
    cognito.set_identity_pool_roles(IdentityPoolId=pool, Roles={"unauthenticated": role["Role"]["Arn"]})
    public = unsigned(endpoint, "cognito-identity")
    identity = public.get_id(IdentityPoolId=pool)["IdentityId"]
    token = public.get_open_id_token(IdentityId=identity)["Token"]
    credentials = unsigned(endpoint, "sts").assume_role_with_web_identity(
        RoleArn=role["Role"]["Arn"], RoleSessionName="guest", WebIdentityToken=token
    )["Credentials"]
    return boto3.client(
        "kinesis",
        region_name=REGION,
        endpoint_url=endpoint.url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def test_a_guest_subscribes_through_the_labs_consumer_and_not_another_streams(tmp_path: Path):
    with running_endpoint(tmp_path, state_transition_seconds=0.2) as endpoint:
        admin = endpoint.client("kinesis")
        lab_stream = active_stream(admin, "wildrydes")
        other_stream = active_stream(admin, "secret")
        lab_consumer = active_consumer(admin, lab_stream, "dashboard-efo")
        other_consumer = active_consumer(admin, other_stream, "dashboard-efo")
        admin.put_record(StreamName="wildrydes", Data=b"unicorn", PartitionKey="Shadowfax")
        guest = guest_kinesis(endpoint, lab_stream)

        reader = Lab(guest, lab_stream, lab_consumer).subscribe("shardId-000000000000")
        assert [record["Data"] for record in reader.records(1)[0]] == [b"unicorn"]
        reader.close()
        assert guest.describe_stream_consumer(ConsumerARN=lab_consumer)["ConsumerDescription"]["ConsumerStatus"]

        with pytest.raises(ClientError) as refused:
            Lab(guest, other_stream, other_consumer).subscribe("shardId-000000000000")
        error = refused.value.response["Error"]
        assert error["Code"] == "AccessDeniedException"
        assert "kinesis:SubscribeToShard" in error["Message"] and other_consumer in error["Message"]
        with pytest.raises(ClientError) as register:
            guest.register_stream_consumer(StreamARN=lab_stream, ConsumerName="mine")
        assert register.value.response["Error"]["Code"] == "AccessDeniedException"
