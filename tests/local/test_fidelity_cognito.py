"""Cognito Identity and STS fidelity fixes: each test runs on the patched endpoint, and its companion
(`..._on_plain_moto`) shows the defect on moto 5.2.5 as shipped."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator

import boto3
import botocore
import botocore.config
import pytest
from botocore.exceptions import ClientError

from simulator.local import accounts
from tests.conftest import REGION, Endpoint, running_endpoint

ACCOUNT_A = "000000000001"
ACCOUNT_B = "000000000002"
FLOW_ACCOUNT = "000000000003"
ORIGIN = "http://localhost:5173"
UNKNOWN_POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
UNKNOWN_IDENTITY = "us-east-1:11111111-1111-1111-1111-111111111111"


def unsigned(endpoint: Endpoint, service: str, region: str = REGION):
    """A client that sends no signature, as the dashboard does before it holds credentials."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint.url,
        config=botocore.config.Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}),
    )


def no_retries(endpoint: Endpoint, service: str, account_id: str = accounts.DEFAULT_ACCOUNT_ID):
    """Signed like `endpoint.client`, but a 500 is not retried: plain moto answers many."""
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint.url,
        aws_access_key_id=accounts.admin_access_key(account_id),
        aws_secret_access_key=accounts.LOCAL_ADMIN_SECRET,
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def new_pool(client, **options) -> str:
    options.setdefault("AllowUnauthenticatedIdentities", True)
    created = client.create_identity_pool(IdentityPoolName=f"pool{uuid.uuid4().hex[:8]}", **options)
    return created["IdentityPoolId"]


def raw_call(endpoint: Endpoint, operation: str, body: dict) -> tuple[int, dict[str, str], bytes]:
    """An unsigned cognito-identity call as a browser sends it: a POST with an Origin header."""
    request = urllib.request.Request(
        endpoint.url + "/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityService.{operation}",
            "Origin": ORIGIN,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def error_of(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return {**raised.value.response["Error"], "status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def jwt_part(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# --- identity_pool_roles_not_implemented ------------------------------------------------------


def test_identity_pool_roles_round_trip(endpoint):
    cognito = endpoint.client("cognito-identity")
    pool_id = new_pool(cognito)
    roles = {
        "authenticated": "arn:aws:iam::123456789012:role/Cognito_wildrydesAuth_Role",
        "unauthenticated": "arn:aws:iam::123456789012:role/Cognito_wildrydesUnauth_Role",
    }
    mappings = {
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client": {
            "Type": "Token",
            "AmbiguousRoleResolution": "AuthenticatedRole",
        }
    }
    cognito.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles, RoleMappings=mappings)
    got = cognito.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert (got["IdentityPoolId"], got["Roles"], got["RoleMappings"]) == (pool_id, roles, mappings)

    # Set replaces both maps.
    cognito.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": roles["unauthenticated"]})
    got = cognito.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == {"unauthenticated": roles["unauthenticated"]}
    assert "RoleMappings" not in got

    bad = error_of(cognito.set_identity_pool_roles, IdentityPoolId=pool_id, Roles={"guest": roles["authenticated"]})
    assert bad["Code"] == "InvalidParameterException"

    cognito.delete_identity_pool(IdentityPoolId=pool_id)
    gone = error_of(cognito.get_identity_pool_roles, IdentityPoolId=pool_id)
    assert (gone["Code"], gone["status"]) == ("ResourceNotFoundException", 400)
    gone = error_of(cognito.set_identity_pool_roles, IdentityPoolId=pool_id, Roles=roles)
    assert gone["Code"] == "ResourceNotFoundException"


def test_identity_pool_roles_not_implemented_on_plain_moto(plain_endpoint):
    cognito = no_retries(plain_endpoint, "cognito-identity")
    pool_id = new_pool(cognito)
    for call, kwargs in (
        (cognito.set_identity_pool_roles, {"Roles": {"unauthenticated": "arn:aws:iam::123456789012:role/r"}}),
        (cognito.get_identity_pool_roles, {}),
    ):
        assert error_of(call, IdentityPoolId=pool_id, **kwargs)["status"] == 500


# --- allow_classic_flow_dropped ---------------------------------------------------------------


def test_allow_classic_flow_round_trip(endpoint):
    cognito = endpoint.client("cognito-identity")
    created = cognito.create_identity_pool(
        IdentityPoolName="classic", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )
    pool_id = created["IdentityPoolId"]
    assert created["AllowClassicFlow"] is True
    assert cognito.describe_identity_pool(IdentityPoolId=pool_id)["AllowClassicFlow"] is True

    updated = cognito.update_identity_pool(
        IdentityPoolId=pool_id, IdentityPoolName="classic", AllowUnauthenticatedIdentities=True, AllowClassicFlow=False
    )
    assert updated["AllowClassicFlow"] is False
    assert cognito.describe_identity_pool(IdentityPoolId=pool_id)["AllowClassicFlow"] is False

    # Never set: left out, as AWS does.
    assert "AllowClassicFlow" not in cognito.describe_identity_pool(IdentityPoolId=new_pool(cognito))


def test_allow_classic_flow_false_refuses_open_id_tokens(endpoint):
    cognito = endpoint.client("cognito-identity")
    pool_id = new_pool(cognito, AllowClassicFlow=False)
    public = unsigned(endpoint, "cognito-identity")
    identity_id = public.get_id(IdentityPoolId=pool_id)["IdentityId"]
    refused = error_of(public.get_open_id_token, IdentityId=identity_id)
    assert refused["Code"] == "InvalidParameterException"
    assert "classic" in refused["Message"]


def test_list_identity_pools_entries_have_id_and_name_only(endpoint):
    cognito = endpoint.client("cognito-identity", account_id="000000000009")
    new_pool(cognito, AllowClassicFlow=True, IdentityPoolTags={"team": "dashboard"})
    raw: list[bytes] = []
    cognito.meta.events.register(
        "after-call.cognito-identity.ListIdentityPools",
        lambda http_response, **_: raw.append(http_response.content),
    )
    cognito.list_identity_pools(MaxResults=10)
    entries = json.loads(raw[0])["IdentityPools"]
    assert entries and all(set(entry) == {"IdentityPoolId", "IdentityPoolName"} for entry in entries)


def test_allow_classic_flow_dropped_on_plain_moto(plain_endpoint):
    cognito = plain_endpoint.client("cognito-identity")
    created = cognito.create_identity_pool(
        IdentityPoolName="classic", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )
    assert "AllowClassicFlow" not in created
    assert "AllowClassicFlow" not in cognito.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])


# --- unknown_pool_html_500_without_cors -------------------------------------------------------


def test_get_id_on_unknown_pool_is_json_error_with_cors(endpoint):
    status, headers, body = raw_call(endpoint, "GetId", {"IdentityPoolId": UNKNOWN_POOL})
    assert status == 400
    assert headers["content-type"].startswith("application/")
    assert json.loads(body) == {
        "__type": "ResourceNotFoundException",
        "message": f"IdentityPool '{UNKNOWN_POOL}' not found.",
    }
    assert headers["access-control-allow-origin"] in (ORIGIN, "*")


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("describe_identity_pool", {}),
        ("update_identity_pool", {"IdentityPoolName": "x", "AllowUnauthenticatedIdentities": True}),
        ("delete_identity_pool", {}),
        ("get_identity_pool_roles", {}),
        ("set_identity_pool_roles", {"Roles": {}}),
        ("list_identities", {"MaxResults": 10}),
    ],
)
def test_unknown_pool_is_resource_not_found(endpoint, operation, params):
    cognito = endpoint.client("cognito-identity")
    error = error_of(getattr(cognito, operation), IdentityPoolId=UNKNOWN_POOL, **params)
    assert error == {
        "Code": "ResourceNotFoundException",
        "Message": f"IdentityPool '{UNKNOWN_POOL}' not found.",
        "status": 400,
    }


@pytest.mark.parametrize("operation", ["get_open_id_token", "get_credentials_for_identity"])
def test_unknown_identity_is_resource_not_found(endpoint, operation):
    error = error_of(getattr(unsigned(endpoint, "cognito-identity"), operation), IdentityId=UNKNOWN_IDENTITY)
    assert error == {
        "Code": "ResourceNotFoundException",
        "Message": f"Identity '{UNKNOWN_IDENTITY}' not found.",
        "status": 400,
    }


def test_deleting_a_pool_deletes_its_identities(endpoint):
    cognito = endpoint.client("cognito-identity")
    pool_id = new_pool(cognito)
    identity_id = unsigned(endpoint, "cognito-identity").get_id(IdentityPoolId=pool_id)["IdentityId"]
    cognito.delete_identity_pool(IdentityPoolId=pool_id)
    assert error_of(cognito.list_identities, IdentityPoolId=pool_id, MaxResults=10)["status"] == 400
    gone = error_of(unsigned(endpoint, "cognito-identity").get_open_id_token, IdentityId=identity_id)
    assert gone["Code"] == "ResourceNotFoundException"


def test_unknown_pool_html_500_without_cors_on_plain_moto(plain_endpoint):
    status, headers, _ = raw_call(plain_endpoint, "GetId", {"IdentityPoolId": UNKNOWN_POOL})
    assert (status, headers["content-type"].split(";")[0]) == (500, "text/html")
    assert "access-control-allow-origin" not in headers
    cognito = no_retries(plain_endpoint, "cognito-identity")
    update = error_of(
        cognito.update_identity_pool,
        IdentityPoolId=UNKNOWN_POOL,
        IdentityPoolName="x",
        AllowUnauthenticatedIdentities=True,
    )
    assert update["status"] == 500
    # An identity nobody issued gets a "token" all the same.
    assert unsigned(plain_endpoint, "cognito-identity").get_open_id_token(IdentityId=UNKNOWN_IDENTITY)["Token"]


# --- unsigned_calls_land_in_default_account ---------------------------------------------------


def test_unsigned_get_id_lands_in_the_pool_account_and_region(endpoint):
    pools = {
        (ACCOUNT_A, REGION): new_pool(endpoint.client("cognito-identity", account_id=ACCOUNT_A)),
        (ACCOUNT_B, REGION): new_pool(endpoint.client("cognito-identity", account_id=ACCOUNT_B)),
        (ACCOUNT_B, "eu-west-1"): new_pool(
            endpoint.client("cognito-identity", account_id=ACCOUNT_B, region="eu-west-1")
        ),
    }
    public = unsigned(endpoint, "cognito-identity")  # unsigned, and us-east-1 whatever the pool's region
    issued = {owner: public.get_id(IdentityPoolId=pool_id)["IdentityId"] for owner, pool_id in pools.items()}

    for (account_id, region), pool_id in pools.items():
        listed = endpoint.client("cognito-identity", account_id=account_id, region=region).list_identities(
            IdentityPoolId=pool_id, MaxResults=10
        )
        assert [each["IdentityId"] for each in listed["Identities"]] == [issued[(account_id, region)]]
        assert issued[(account_id, region)].startswith(f"{region}:")


def test_get_id_without_logins_on_a_pool_without_guests_is_not_authorized(endpoint):
    pool_id = new_pool(endpoint.client("cognito-identity", account_id=ACCOUNT_A), AllowUnauthenticatedIdentities=False)
    refused = error_of(unsigned(endpoint, "cognito-identity").get_id, IdentityPoolId=pool_id)
    assert refused == {
        "Code": "NotAuthorizedException",
        "Message": "Unauthenticated access is not supported for this identity pool.",
        "status": 400,
    }


def test_open_id_token_is_a_jwt_for_the_identity(endpoint):
    pool_id = new_pool(endpoint.client("cognito-identity", account_id=ACCOUNT_A))
    public = unsigned(endpoint, "cognito-identity")
    identity_id = public.get_id(IdentityPoolId=pool_id)["IdentityId"]
    answer = public.get_open_id_token(IdentityId=identity_id)
    token = answer["Token"]
    assert answer["IdentityId"] == identity_id
    assert len(token.split(".")) == 3 and "=" not in token
    claims = jwt_part(token, 1)
    assert claims["iss"] == "https://cognito-identity.amazonaws.com"
    assert (claims["aud"], claims["sub"], claims["amr"]) == (pool_id, identity_id, ["unauthenticated"])
    assert claims["exp"] - claims["iat"] == 600
    assert jwt_part(token, 0)["typ"] == "JWS"


def test_issued_tokens_are_recorded():
    # In-process: the registry the server's STS will consult.
    from simulator.local.fidelity import cognito_identity

    identity = cognito_identity._Identity(ACCOUNT_A, "eu-west-1", "eu-west-1:abc-123", ())
    token = cognito_identity._issue_token("eu-west-1:def-456", identity)
    record = cognito_identity.issued_token(token)
    assert record is not None
    assert {k: record[k] for k in ("identity_id", "identity_pool_id", "account_id", "region", "amr")} == {
        "identity_id": "eu-west-1:def-456",
        "identity_pool_id": "eu-west-1:abc-123",
        "account_id": ACCOUNT_A,
        "region": "eu-west-1",
        "amr": ["unauthenticated"],
    }
    assert record["expires_at"] == record["claims"]["exp"] == record["issued_at"] + 600
    assert cognito_identity.issued_token(token[:-2] + "xx") is None


def test_unsigned_calls_land_in_default_account_on_plain_moto(plain_endpoint):
    pool_id = new_pool(plain_endpoint.client("cognito-identity", account_id=ACCOUNT_A))
    # moto looks for the pool in 123456789012, finds nothing and crashes.
    assert error_of(unsigned(plain_endpoint, "cognito-identity").get_id, IdentityPoolId=pool_id)["status"] == 500


@pytest.fixture(scope="module")
def enforcing_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("enforcing"), iam_enforcement=True) as running:
        yield running


@pytest.fixture(scope="module")
def plain_enforcing_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("plain-enforcing"), fidelity=False, iam_enforcement=True) as running:
        yield running


def make_guest_setup(endpoint: Endpoint, account_id: str) -> tuple[str, str]:
    """The lab's shape in one account: a pool allowing guests (classic flow), an unauth role trusting
    Cognito for that pool, allowed to list Kinesis streams, and a stream. Returns (pool id, role ARN)."""
    cognito = endpoint.client("cognito-identity", account_id=account_id)
    pool_id = new_pool(cognito, AllowClassicFlow=True)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"},
                },
            }
        ],
    }
    iam = endpoint.client("iam", account_id=account_id)
    role_name = f"Cognito_{pool_id.split(':')[1][:8]}Unauth_Role"
    role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=role_name, PolicyName="dashboard", PolicyDocument=json.dumps(policy))
    endpoint.client("kinesis", account_id=account_id).create_stream(StreamName=f"wildrydes-{account_id}", ShardCount=1)
    return pool_id, role_arn


def test_basic_flow_unsigned_with_iam_enforcement(enforcing_endpoint):
    pool_id, role_arn = make_guest_setup(enforcing_endpoint, FLOW_ACCOUNT)
    assert role_arn.startswith(f"arn:aws:iam::{FLOW_ACCOUNT}:role/")
    enforcing_endpoint.client("cognito-identity", account_id=FLOW_ACCOUNT).set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"unauthenticated": role_arn}
    )

    cognito = unsigned(enforcing_endpoint, "cognito-identity")
    identity_id = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = cognito.get_open_id_token(IdentityId=identity_id)["Token"]
    assumed = unsigned(enforcing_endpoint, "sts").assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="dashboard", WebIdentityToken=token
    )
    credentials = assumed["Credentials"]
    assert assumed["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{FLOW_ACCOUNT}:assumed-role/")

    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )
    caller = session.client("sts", endpoint_url=enforcing_endpoint.url).get_caller_identity()
    assert caller["Account"] == FLOW_ACCOUNT
    streams = session.client("kinesis", endpoint_url=enforcing_endpoint.url).list_streams()["StreamNames"]
    assert streams == [f"wildrydes-{FLOW_ACCOUNT}"]

    # The enhanced flow's first call is public too (its credentials are still moto's placeholder).
    assert cognito.get_credentials_for_identity(IdentityId=identity_id)["IdentityId"] == identity_id


def test_basic_flow_unsigned_with_iam_enforcement_on_plain_moto(plain_enforcing_endpoint):
    pool_id, role_arn = make_guest_setup(plain_enforcing_endpoint, FLOW_ACCOUNT)
    cognito = unsigned(plain_enforcing_endpoint, "cognito-identity")
    # The pool is sought in 123456789012.
    assert error_of(cognito.get_id, IdentityPoolId=pool_id)["status"] == 500
    # Not on moto's list of public operations: the missing signature is checked, and crashes.
    assert error_of(cognito.get_credentials_for_identity, IdentityId=UNKNOWN_IDENTITY)["status"] == 500
    # botocore cannot even parse the answer (HTML where XML is due): look at it raw.
    form = {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": role_arn,
        "RoleSessionName": "dashboard",
        "WebIdentityToken": "a.b.c",
    }
    request = urllib.request.Request(
        plain_enforcing_endpoint.url + "/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 500


# --- identity_pool_tags_not_implemented -------------------------------------------------------


def pool_arn(pool_id: str, account_id: str = "123456789012", region: str = REGION) -> str:
    return f"arn:aws:cognito-identity:{region}:{account_id}:identitypool/{pool_id}"


def test_identity_pool_tags(endpoint):
    cognito = endpoint.client("cognito-identity")
    pool_id = new_pool(cognito, IdentityPoolTags={"project": "wildrydes", "stage": "lab"})
    arn = pool_arn(pool_id)
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"project": "wildrydes", "stage": "lab"}

    cognito.tag_resource(ResourceArn=arn, Tags={"stage": "local", "owner": "attendee"})
    cognito.untag_resource(ResourceArn=arn, TagKeys=["project"])
    expected = {"stage": "local", "owner": "attendee"}
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == expected
    assert cognito.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolTags"] == expected

    assert error_of(cognito.list_tags_for_resource, ResourceArn=pool_arn(UNKNOWN_POOL))["Code"] == (
        "ResourceNotFoundException"
    )
    other_account = pool_arn(pool_id, account_id=ACCOUNT_A)
    assert error_of(cognito.tag_resource, ResourceArn=other_account, Tags={"a": "b"})["Code"] == (
        "ResourceNotFoundException"
    )
    malformed = error_of(cognito.list_tags_for_resource, ResourceArn=f"arn:aws:cognito-idp:{REGION}:1:userpool/x")
    assert malformed["Code"] == "InvalidParameterException"


def test_identity_pool_tags_not_implemented_on_plain_moto(plain_endpoint):
    cognito = no_retries(plain_endpoint, "cognito-identity")
    arn = pool_arn(new_pool(cognito, IdentityPoolTags={"project": "wildrydes"}))
    assert error_of(cognito.list_tags_for_resource, ResourceArn=arn)["status"] == 500
    assert error_of(cognito.tag_resource, ResourceArn=arn, Tags={"a": "b"})["status"] == 500
