"""Least privilege on the local endpoint with IAM enforcement on (simulator/local/fidelity/iam.py and the
web identity part of sts.py). Each fix has tests on the patched endpoint and a companion
(`..._on_plain_moto`) that shows the defect on moto 5.2.5 as shipped, also enforcing IAM.

The lab's shape is built as the playbooks build it: the stream `wildrydes`, an identity pool with guests
and the basic flow, the two Cognito roles with the repository's trust policy template, and the unauth
role's WildrydesDashboardPolicy from the repository's policy template.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore
import botocore.config
import jinja2
import pytest
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from simulator.local import accounts
from simulator.local.fidelity.sts import conditions_satisfied, trust_allows_web_identity
from tests.conftest import REGION, Endpoint, running_endpoint

REPO = Path(__file__).resolve().parents[2]
ROLE_TEMPLATES = REPO / "roles" / "wildrydes_identity_pool" / "templates"
STREAM_ACTIONS = yaml.safe_load((REPO / "roles" / "wildrydes_identity_pool" / "defaults" / "main.yml").read_text())[
    "wildrydes_identity_pool_stream_actions"
]

LAB_ACCOUNT = "000000000301"
USER_ACCOUNT = "000000000302"
OTHER_POOL_ACCOUNT = "000000000303"
PLAIN_ACCOUNT = "000000000311"


# --- helpers ---------------------------------------------------------------------------------------


def render(template: str, **variables) -> dict:
    """One of the playbooks' policy templates, rendered as Ansible would render it."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["to_json"] = json.dumps
    return json.loads(environment.from_string((ROLE_TEMPLATES / template).read_text()).render(**variables))


def stream_arn(account_id: str, name: str = "wildrydes") -> str:
    return f"arn:aws:kinesis:{REGION}:{account_id}:stream/{name}"


def dashboard_policy(account_id: str, stream: str = "wildrydes") -> dict:
    return render(
        "dashboard-policy.json.j2",
        wildrydes_identity_pool_stream_actions=STREAM_ACTIONS,
        wildrydes_identity_pool_stream_arn=stream_arn(account_id, stream),
    )


def quiet_config(**options) -> botocore.config.Config:
    """No retries: plain moto answers 500s, and a refusal need not be asked twice."""
    return botocore.config.Config(retries={"max_attempts": 1}, **options)


def unsigned(endpoint: Endpoint, service: str):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint.url,
        config=quiet_config(signature_version=botocore.UNSIGNED),
    )


def client_with(endpoint: Endpoint, service: str, credentials: dict):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint.url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials.get("SessionToken"),
        config=quiet_config(),
    )


def error_of(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return {
        **response["Error"],
        "status": response["ResponseMetadata"]["HTTPStatusCode"],
        "content_type": response["ResponseMetadata"]["HTTPHeaders"].get("content-type", ""),
    }


def raw_post(endpoint: Endpoint, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(endpoint.url + "/", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def user_with_policy(endpoint: Endpoint, account_id: str, *statements: dict) -> tuple[dict, str]:
    """A fresh IAM user whose only policy has these statements: (its access key, its ARN)."""
    iam = endpoint.client("iam", account_id=account_id)
    name = f"user-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=json.dumps(policy))
    return iam.create_access_key(UserName=name)["AccessKey"], arn


@dataclass
class Lab:
    account_id: str
    pool_id: str
    auth_role_arn: str
    unauth_role_arn: str


def make_lab(endpoint: Endpoint, account_id: str, pool_name: str = "wildrydes", streams=("wildrydes", "other")) -> Lab:
    """What setup.yml makes in one account, plus a stream `other` the guests must not read."""
    kinesis = endpoint.client("kinesis", account_id=account_id)
    for stream in streams:
        kinesis.create_stream(StreamName=stream, ShardCount=1)
    cognito = endpoint.client("cognito-identity", account_id=account_id)
    pool_id = cognito.create_identity_pool(
        IdentityPoolName=pool_name, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )["IdentityPoolId"]
    iam = endpoint.client("iam", account_id=account_id)
    arns = {}
    for kind, amr in (("Auth", "authenticated"), ("Unauth", "unauthenticated")):
        trust = render("trust-policy.json.j2", wildrydes_identity_pool_id=pool_id, wildrydes_identity_pool_amr=amr)
        role_name = f"Cognito_{pool_name}{kind}_Role"
        arns[kind] = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=f"Cognito_{pool_name}Unauth_Role",
        PolicyName="WildrydesDashboardPolicy",
        PolicyDocument=json.dumps(dashboard_policy(account_id)),
    )
    return Lab(account_id, pool_id, arns["Auth"], arns["Unauth"])


def guest_token(endpoint: Endpoint, pool_id: str) -> str:
    cognito = unsigned(endpoint, "cognito-identity")
    identity_id = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
    return cognito.get_open_id_token(IdentityId=identity_id)["Token"]


def assume(endpoint: Endpoint, role_arn: str, token: str) -> dict:
    return unsigned(endpoint, "sts").assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="dashboard", WebIdentityToken=token
    )


def read_stream(kinesis, **stream) -> list:
    """What the dashboard does: summary, shards, an iterator, records."""
    kinesis.describe_stream_summary(**stream)
    shard_id = kinesis.list_shards(**stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(**stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")
    return kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]


def iterator_of(kinesis, stream: str) -> str:
    shard_id = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    return kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]


# --- endpoints -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def enforcing(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("iam-enforcing"), iam_enforcement=True) as running:
        yield running


@pytest.fixture(scope="module")
def plain_enforcing(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("iam-plain"), fidelity=False, iam_enforcement=True) as running:
        yield running


@pytest.fixture(scope="module")
def lab(enforcing) -> Lab:
    return make_lab(enforcing, LAB_ACCOUNT)


@pytest.fixture(scope="module")
def plain_lab(plain_enforcing) -> Lab:
    return make_lab(plain_enforcing, PLAIN_ACCOUNT)


@pytest.fixture(scope="module")
def reader(enforcing) -> tuple[dict, str]:
    """A user of USER_ACCOUNT allowed the dashboard's reads on its stream `wildrydes` only."""
    kinesis = enforcing.client("kinesis", account_id=USER_ACCOUNT)
    for stream in ("wildrydes", "other"):
        kinesis.create_stream(StreamName=stream, ShardCount=1)
        kinesis.put_record(StreamName=stream, Data=b'{"unicorn": "Shadowfax"}', PartitionKey="Shadowfax")
    return user_with_policy(enforcing, USER_ACCOUNT, *dashboard_policy(USER_ACCOUNT)["Statement"])


# --- fix 1: kinesis_checked_against_resource_star --------------------------------------------------


def test_stream_scoped_policy_allows_reading_that_stream(enforcing, reader):
    kinesis = client_with(enforcing, "kinesis", reader[0])
    assert [r["PartitionKey"] for r in read_stream(kinesis, StreamName="wildrydes")] == ["Shadowfax"]
    by_arn = {"StreamARN": stream_arn(USER_ACCOUNT)}
    assert kinesis.describe_stream_summary(**by_arn)["StreamDescriptionSummary"]["StreamName"] == "wildrydes"
    assert kinesis.list_shards(**by_arn)["Shards"]
    # (moto 5.2.5's GetShardIterator by StreamARN makes an iterator of a stream named "None".)
    assert kinesis.get_shard_iterator(**by_arn, ShardId="shardId-000000000000", ShardIteratorType="LATEST")


def test_stream_scoped_policy_refuses_other_streams_writes_and_unscoped_calls(enforcing, reader):
    kinesis = client_with(enforcing, "kinesis", reader[0])
    for call, kwargs in [
        (kinesis.describe_stream_summary, {"StreamName": "other"}),
        (kinesis.describe_stream_summary, {"StreamARN": stream_arn(USER_ACCOUNT, "other")}),
        (kinesis.list_shards, {"StreamName": "other"}),
        (kinesis.put_record, {"StreamName": "wildrydes", "Data": b"{}", "PartitionKey": "p"}),
        (kinesis.put_records, {"StreamName": "wildrydes", "Records": [{"Data": b"{}", "PartitionKey": "p"}]}),
        (kinesis.list_streams, {}),
    ]:
        assert error_of(call, **kwargs)["Code"] == "AccessDeniedException", (call, kwargs)


def test_get_records_is_checked_against_the_stream_of_the_iterator(enforcing, reader):
    admin = enforcing.client("kinesis", account_id=USER_ACCOUNT)
    kinesis = client_with(enforcing, "kinesis", reader[0])
    denied = error_of(kinesis.get_records, ShardIterator=iterator_of(admin, "other"))
    assert denied["Code"] == "AccessDeniedException"
    assert f"on resource: {stream_arn(USER_ACCOUNT, 'other')} " in denied["Message"]
    assert kinesis.get_records(ShardIterator=iterator_of(admin, "wildrydes"))["Records"]


def test_get_records_with_a_bad_or_orphaned_iterator_is_the_error_aws_gives(enforcing, reader):
    admin = enforcing.client("kinesis", account_id=USER_ACCOUNT)
    kinesis = client_with(enforcing, "kinesis", reader[0])
    for garbage in ("not-an-iterator", "AAAAAAAAAAGarbage+/==", "bm8tY29sb25z"):
        bad = error_of(kinesis.get_records, ShardIterator=garbage)
        assert (bad["Code"], bad["status"], bad["Message"]) == (
            "InvalidArgumentException",
            400,
            "Invalid ShardIterator.",
        ), garbage

    admin.create_stream(StreamName="doomed", ShardCount=1)
    orphan = iterator_of(admin, "doomed")
    admin.delete_stream(StreamName="doomed")
    gone = error_of(admin.get_records, ShardIterator=orphan)
    assert (gone["Code"], gone["status"]) == ("ResourceNotFoundException", 400)
    assert "stream doomed under account 000000000302 does not exist" in gone["Message"]


def test_consumer_operations_are_checked_against_the_consumer(enforcing, reader):
    admin = enforcing.client("kinesis", account_id=USER_ACCOUNT)
    kinesis = client_with(enforcing, "kinesis", reader[0])
    ours = admin.register_stream_consumer(StreamARN=stream_arn(USER_ACCOUNT), ConsumerName="dashboard")
    theirs = admin.register_stream_consumer(StreamARN=stream_arn(USER_ACCOUNT, "other"), ConsumerName="dashboard")
    described = kinesis.describe_stream_consumer(ConsumerARN=ours["Consumer"]["ConsumerARN"])
    assert described["ConsumerDescription"]["ConsumerName"] == "dashboard"
    assert kinesis.list_stream_consumers(StreamARN=stream_arn(USER_ACCOUNT))["Consumers"]
    denied = error_of(kinesis.describe_stream_consumer, ConsumerARN=theirs["Consumer"]["ConsumerARN"])
    assert denied["Code"] == "AccessDeniedException"
    by_name = error_of(
        kinesis.describe_stream_consumer, StreamARN=stream_arn(USER_ACCOUNT, "other"), ConsumerName="dashboard"
    )
    assert f"on resource: {theirs['Consumer']['ConsumerARN']} " in by_name["Message"]


def test_kinesis_checked_against_resource_star_on_plain_moto(plain_enforcing):
    kinesis = plain_enforcing.client("kinesis", account_id=PLAIN_ACCOUNT)
    kinesis.create_stream(StreamName="scoped", ShardCount=1)
    policy = dashboard_policy(PLAIN_ACCOUNT, "scoped")["Statement"]
    key, _ = user_with_policy(plain_enforcing, PLAIN_ACCOUNT, *policy)
    # A policy naming the stream allows nothing on it: moto asks about "*".
    refused = error_of(client_with(plain_enforcing, "kinesis", key).describe_stream_summary, StreamName="scoped")
    assert refused["status"] == 403
    assert "kinesis:DescribeStreamSummary" in refused["Message"]


# --- fix 2: access_denied_is_xml_403 ---------------------------------------------------------------


def test_kinesis_refusal_is_json_access_denied_exception_as_on_aws(enforcing, reader):
    key, user_arn = reader
    denied = error_of(
        client_with(enforcing, "kinesis", key).put_record, StreamName="wildrydes", Data=b"{}", PartitionKey="p"
    )
    assert denied["status"] == 400
    assert denied["content_type"] == "application/x-amz-json-1.1"
    assert denied["Code"] == "AccessDeniedException"
    assert denied["Message"] == (
        f"User: {user_arn} is not authorized to perform: kinesis:PutRecord on resource: "
        f"{stream_arn(USER_ACCOUNT)} because no identity-based policy allows the kinesis:PutRecord action"
    )
    unscoped = error_of(client_with(enforcing, "kinesis", key).list_streams)
    assert unscoped["Message"] == (
        f"User: {user_arn} is not authorized to perform: kinesis:ListStreams "
        "because no identity-based policy allows the kinesis:ListStreams action"
    )


def test_explicit_deny_is_named_in_the_refusal(enforcing):
    key, user_arn = user_with_policy(
        enforcing,
        USER_ACCOUNT,
        {"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "kinesis:PutRecord", "Resource": stream_arn(USER_ACCOUNT)},
    )
    kinesis = client_with(enforcing, "kinesis", key)
    denied = error_of(kinesis.put_record, StreamName="wildrydes", Data=b"{}", PartitionKey="p")
    assert denied["Message"] == (
        f"User: {user_arn} is not authorized to perform: kinesis:PutRecord on resource: "
        f"{stream_arn(USER_ACCOUNT)} with an explicit deny in an identity-based policy"
    )
    # The Deny names one stream; the Allow covers the others.
    assert kinesis.put_record(StreamName="other", Data=b"{}", PartitionKey="p")["SequenceNumber"]


def test_cognito_refusal_is_json_and_iam_refusal_stays_xml(enforcing, reader):
    key, user_arn = reader
    cognito = error_of(client_with(enforcing, "cognito-identity", key).list_identity_pools, MaxResults=10)
    assert (cognito["Code"], cognito["status"]) == ("AccessDeniedException", 400)
    assert cognito["Message"].startswith(f"User: {user_arn} is not authorized to perform: cognito-identity:")
    iam = error_of(client_with(enforcing, "iam", key).list_roles)
    assert (iam["Code"], iam["status"]) == ("AccessDenied", 403)
    assert iam["content_type"].endswith("xml")


def test_unsigned_calls_are_missing_authentication_token(enforcing):
    kinesis = error_of(unsigned(enforcing, "kinesis").list_streams)
    assert (kinesis["Code"], kinesis["status"]) == ("MissingAuthenticationTokenException", 400)
    assert kinesis["Message"] == "Request is missing Authentication Token"
    cognito = error_of(unsigned(enforcing, "cognito-identity").list_identity_pools, MaxResults=10)
    assert (cognito["Code"], cognito["status"]) == ("MissingAuthenticationTokenException", 400)
    for call in (unsigned(enforcing, "iam").list_roles, unsigned(enforcing, "sts").get_caller_identity):
        query = error_of(call)
        assert (query["Code"], query["status"]) == ("MissingAuthenticationToken", 403)


def test_unknown_key_and_bad_signature_are_json_for_kinesis(enforcing, reader):
    unknown = {"AccessKeyId": "AKIAUNKNOWNUNKNOWN00", "SecretAccessKey": "x"}
    refused = error_of(client_with(enforcing, "kinesis", unknown).list_streams)
    assert (refused["Code"], refused["status"]) == ("UnrecognizedClientException", 400)
    wrong_secret = {**reader[0], "SecretAccessKey": "not-the-secret"}
    refused = error_of(client_with(enforcing, "kinesis", wrong_secret).list_streams)
    assert (refused["Code"], refused["status"]) == ("InvalidSignatureException", 400)


def test_access_denied_is_xml_403_on_plain_moto(plain_enforcing):
    kinesis = plain_enforcing.client("kinesis", account_id=PLAIN_ACCOUNT)
    kinesis.create_stream(StreamName="xml", ShardCount=1)
    key, _ = user_with_policy(
        plain_enforcing, PLAIN_ACCOUNT, {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}
    )
    denied = error_of(
        client_with(plain_enforcing, "kinesis", key).put_record, StreamName="xml", Data=b"{}", PartitionKey="p"
    )
    # botocore's JSON parser cannot read moto's XML: the code is the HTTP status, the message the XML.
    assert (denied["Code"], denied["status"]) == ("403", 403)
    assert "<Code>AccessDenied</Code>" in denied["Message"]
    status, _, body = raw_post(
        plain_enforcing,
        {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"},
        b"{}",
    )
    assert status == 500  # moto hands the unsigned request to S3, which crashes
    assert b"Internal Server Error" in body


# --- fix 3: web_identity_token_not_checked -----------------------------------------------------------


def test_guest_credentials_carry_the_dashboard_policy(enforcing, lab):
    token = guest_token(enforcing, lab.pool_id)
    assumed = assume(enforcing, lab.unauth_role_arn, token)
    assert assumed["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{LAB_ACCOUNT}:assumed-role/Cognito_wildrydesUnauth_Role/dashboard"
    )
    assert assumed["Audience"] == lab.pool_id
    assert assumed["Provider"] == "cognito-identity.amazonaws.com"
    assert assumed["SubjectFromWebIdentityToken"].startswith(f"{REGION}:")
    kinesis = client_with(enforcing, "kinesis", assumed["Credentials"])
    assert read_stream(kinesis, StreamName="wildrydes") == []
    denied = error_of(kinesis.put_record, StreamName="wildrydes", Data=b"{}", PartitionKey="p")
    assert denied["Message"].startswith(
        f"User: {assumed['AssumedRoleUser']['Arn']} is not authorized to perform: kinesis:PutRecord on resource: "
    )
    assert error_of(kinesis.describe_stream_summary, StreamName="other")["Code"] == "AccessDeniedException"
    assert error_of(client_with(enforcing, "iam", assumed["Credentials"]).list_roles)["Code"] == "AccessDenied"


def test_guest_token_cannot_assume_the_auth_role(enforcing, lab):
    denied = error_of(assume, endpoint=enforcing, role_arn=lab.auth_role_arn, token=guest_token(enforcing, lab.pool_id))
    assert (denied["Code"], denied["status"]) == ("AccessDenied", 403)
    assert denied["Message"] == "Not authorized to perform sts:AssumeRoleWithWebIdentity"


def test_token_of_another_pool_cannot_assume_the_role(enforcing, lab):
    same_account = make_lab(enforcing, LAB_ACCOUNT, pool_name="elsewhere", streams=())
    other_account = make_lab(enforcing, OTHER_POOL_ACCOUNT, streams=())
    for pool in (same_account, other_account):
        denied = error_of(
            assume, endpoint=enforcing, role_arn=lab.unauth_role_arn, token=guest_token(enforcing, pool.pool_id)
        )
        assert (denied["Code"], denied["status"]) == ("AccessDenied", 403), pool
    # Each pool's token works for its own role.
    assert assume(enforcing, other_account.unauth_role_arn, guest_token(enforcing, other_account.pool_id))[
        "Credentials"
    ]


def test_unknown_tokens_and_roles_are_refused(enforcing, lab):
    token = guest_token(enforcing, lab.pool_id)
    header, claims, signature = token.split(".")
    for bad in ("not-a-jwt", f"{header}.{claims}.{signature[:-4]}AAAA"):
        refused = error_of(assume, endpoint=enforcing, role_arn=lab.unauth_role_arn, token=bad)
        assert (refused["Code"], refused["status"]) == ("InvalidIdentityToken", 400), bad
    missing_role = f"arn:aws:iam::{LAB_ACCOUNT}:role/NoSuchRole"
    assert error_of(assume, endpoint=enforcing, role_arn=missing_role, token=token)["Code"] == "AccessDenied"


def test_expired_token_is_refused(enforcing, lab):
    token = guest_token(enforcing, lab.pool_id)
    enforcing.control("clock", {"advance_seconds": 601})  # OpenID tokens are valid for 10 minutes
    expired = error_of(assume, endpoint=enforcing, role_arn=lab.unauth_role_arn, token=token)
    assert (expired["Code"], expired["status"]) == ("ExpiredTokenException", 400)
    assert expired["Message"].startswith("Token expired: current date/time ")
    assert assume(enforcing, lab.unauth_role_arn, guest_token(enforcing, lab.pool_id))["Credentials"]


def signed_query(endpoint: Endpoint, service: str, account_id: str, form: dict) -> tuple[int, str]:
    """A query-protocol request signed with the account's admin key, even where botocore would not sign."""
    request = AWSRequest(
        method="POST",
        url=endpoint.url + "/",
        data=urllib.parse.urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    credentials = Credentials(accounts.admin_access_key(account_id), accounts.LOCAL_ADMIN_SECRET)
    SigV4Auth(credentials, service, REGION).add_auth(request)
    status, _, body = raw_post(endpoint, dict(request.headers.items()), request.body)
    return status, body.decode()


def test_web_identity_token_not_checked_on_plain_moto(plain_enforcing, plain_lab):
    # botocore never signs AssumeRoleWithWebIdentity, and unsigned it crashes moto under IAM enforcement
    # (see test_fidelity_cognito.py); signed by the account's admin, any string is a token for any role.
    for role_arn in (plain_lab.auth_role_arn, f"arn:aws:iam::{PLAIN_ACCOUNT}:role/NoSuchRole"):
        form = {
            "Action": "AssumeRoleWithWebIdentity",
            "Version": "2011-06-15",
            "RoleArn": role_arn,
            "RoleSessionName": "anyone",
            "WebIdentityToken": "not-a-jwt",
        }
        status, body = signed_query(plain_enforcing, "sts", PLAIN_ACCOUNT, form)
        assert status == 200, body
        assert "<AccessKeyId>ASIA" in body


def test_signed_web_identity_request_is_checked_too(enforcing, lab):
    form = {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": lab.auth_role_arn,
        "RoleSessionName": "anyone",
        "WebIdentityToken": "not-a-jwt",
    }
    status, body = signed_query(enforcing, "sts", LAB_ACCOUNT, form)
    assert status == 400
    assert "<Code>InvalidIdentityToken</Code>" in body


# --- the trust policy evaluator on its own ------------------------------------------------------------

POOL = "us-east-1:3f1c2a9e-0000-4000-8000-000000000001"
UNAUTH_CLAIMS = {"aud": POOL, "amr": ["unauthenticated"], "sub": "us-east-1:identity"}
AUTH_CLAIMS = {"aud": POOL, "amr": ["authenticated", "accounts.google.com"], "sub": "us-east-1:identity"}
COGNITO = "cognito-identity.amazonaws.com"


def context(claims: dict) -> dict[str, list[str]]:
    return {f"{COGNITO}:{k}": v if isinstance(v, list) else [v] for k, v in claims.items()}


@pytest.mark.parametrize(
    ("conditions", "claims", "expected"),
    [
        ({"StringEquals": {f"{COGNITO}:aud": POOL}}, UNAUTH_CLAIMS, True),
        ({"StringEquals": {f"{COGNITO}:aud": ["x", POOL]}}, UNAUTH_CLAIMS, True),
        ({"StringEquals": {f"{COGNITO}:aud": "us-east-1:other"}}, UNAUTH_CLAIMS, False),
        ({"StringEquals": {f"{COGNITO.upper()}:AUD": POOL}}, UNAUTH_CLAIMS, True),  # keys are case-insensitive
        ({"StringEqualsIgnoreCase": {f"{COGNITO}:aud": POOL.upper()}}, UNAUTH_CLAIMS, True),
        ({"StringLike": {f"{COGNITO}:aud": "us-east-1:*"}}, UNAUTH_CLAIMS, True),
        ({"StringLike": {f"{COGNITO}:aud": "us-east-?:*"}}, UNAUTH_CLAIMS, True),
        ({"StringLike": {f"{COGNITO}:aud": "eu-*"}}, UNAUTH_CLAIMS, False),
        ({"ForAnyValue:StringLike": {f"{COGNITO}:amr": "unauthenticated"}}, UNAUTH_CLAIMS, True),
        ({"ForAnyValue:StringLike": {f"{COGNITO}:amr": "unauthenticated"}}, AUTH_CLAIMS, False),
        ({"ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"}}, AUTH_CLAIMS, True),
        ({"ForAnyValue:StringLike": {f"{COGNITO}:amr": "*google*"}}, AUTH_CLAIMS, True),
        ({"ForAllValues:StringEquals": {f"{COGNITO}:amr": "authenticated"}}, AUTH_CLAIMS, False),
        ({"ForAllValues:StringLike": {f"{COGNITO}:amr": ["authenticated", "*.com"]}}, AUTH_CLAIMS, True),
        ({"StringNotEquals": {f"{COGNITO}:aud": "us-east-1:other"}}, UNAUTH_CLAIMS, True),
        ({"StringNotEquals": {f"{COGNITO}:aud": POOL}}, UNAUTH_CLAIMS, False),
        ({"StringNotLike": {f"{COGNITO}:amr": "unauth*"}}, AUTH_CLAIMS, True),
        ({"StringEquals": {"aws:PrincipalTag/team": "x"}}, UNAUTH_CLAIMS, False),  # absent key
        ({"StringEqualsIfExists": {"aws:PrincipalTag/team": "x"}}, UNAUTH_CLAIMS, True),
        ({"Null": {"aws:PrincipalTag/team": "true"}}, UNAUTH_CLAIMS, True),
        ({"Null": {f"{COGNITO}:aud": "true"}}, UNAUTH_CLAIMS, False),
        ({"Null": {f"{COGNITO}:aud": "false"}}, UNAUTH_CLAIMS, True),
        ({"NumericEquals": {f"{COGNITO}:aud": "1"}}, UNAUTH_CLAIMS, False),  # not supported: never holds
        (
            {
                "StringEquals": {f"{COGNITO}:aud": POOL},
                "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"},
            },
            UNAUTH_CLAIMS,
            False,
        ),
    ],
)
def test_conditions(conditions, claims, expected):
    assert conditions_satisfied(conditions, context(claims)) is expected


def trust(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


LAB_TRUST = render(
    "trust-policy.json.j2", wildrydes_identity_pool_id=POOL, wildrydes_identity_pool_amr="unauthenticated"
)


def test_trust_policy_of_the_lab():
    assert trust_allows_web_identity(LAB_TRUST, COGNITO, UNAUTH_CLAIMS)
    assert trust_allows_web_identity(json.dumps(LAB_TRUST), COGNITO, UNAUTH_CLAIMS)
    assert not trust_allows_web_identity(LAB_TRUST, COGNITO, AUTH_CLAIMS)
    assert not trust_allows_web_identity(LAB_TRUST, COGNITO, {**UNAUTH_CLAIMS, "aud": "us-east-1:other"})
    assert not trust_allows_web_identity(LAB_TRUST, "accounts.google.com", UNAUTH_CLAIMS)


def test_trust_policy_principal_action_and_deny():
    allow = {"Effect": "Allow", "Principal": {"Federated": COGNITO}, "Action": "sts:AssumeRoleWithWebIdentity"}
    assert trust_allows_web_identity(trust(allow), COGNITO, UNAUTH_CLAIMS)
    assert trust_allows_web_identity(trust({**allow, "Action": ["sts:AssumeRole*"]}), COGNITO, UNAUTH_CLAIMS)
    assert trust_allows_web_identity(trust({**allow, "Principal": "*"}), COGNITO, UNAUTH_CLAIMS)
    assert not trust_allows_web_identity(trust({**allow, "Action": "sts:AssumeRole"}), COGNITO, UNAUTH_CLAIMS)
    assert not trust_allows_web_identity(
        trust({**allow, "Principal": {"AWS": "arn:aws:iam::1:root"}}), COGNITO, UNAUTH_CLAIMS
    )
    assert not trust_allows_web_identity(
        trust({**allow, "Principal": {"Service": "ec2.amazonaws.com"}}), COGNITO, UNAUTH_CLAIMS
    )
    deny = {**allow, "Effect": "Deny", "Condition": {"StringLike": {f"{COGNITO}:sub": "us-east-1:ident*"}}}
    assert not trust_allows_web_identity(trust(allow, deny), COGNITO, UNAUTH_CLAIMS)
    assert trust_allows_web_identity(trust(allow, deny), COGNITO, {**UNAUTH_CLAIMS, "sub": "us-east-1:other"})
    assert not trust_allows_web_identity(trust(), COGNITO, UNAUTH_CLAIMS)
