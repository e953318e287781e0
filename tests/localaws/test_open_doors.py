"""The open doors of issue 9, each tried over HTTP against a running endpoint as an attacker would: a dashboard
guest (the lab's own WildrydesDashboardPolicy on stream/wildrydes) reaching the stream `secret`, a web page driving
the admin and control APIs, credentials and tokens that never expire, made-up logins, and consumer requests that
name two resources. Each test asserts the refusal and that nothing leaked or changed."""

import base64
import http.client
import json
import math
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import botocore
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import jinja2
import pytest
import yaml
from botocore.exceptions import ClientError

from tests.conftest import REGION, free_port, running_endpoint

REPO = Path(__file__).resolve().parents[2]
POOL_ROLE = REPO / "roles" / "wildrydes_identity_pool"
SECRET_DATA = b"TOP-SECRET-RECORD-of-stream-secret"
EVIL = "https://evil.example"

# --- fixture plumbing (the only part to adapt when this file runs against another endpoint) -------------------


def admin_key(endpoint) -> tuple[str, str]:
    return endpoint.admin_key()


def control_token(endpoint) -> str:
    return endpoint.state.read_token() or ""


def start_endpoint(tmp_path: Path):
    """An endpoint with its defaults (IAM enforcement as it comes)."""
    return running_endpoint(tmp_path)


TOKEN_HEADER = "X-Wildrydes-Token"

# --- the lab: what setup.yml makes, with the role's own policy documents ---------------------------------------


def render(template: str, **variables) -> dict:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["to_json"] = json.dumps
    return json.loads(environment.from_string((POOL_ROLE / "templates" / template).read_text()).render(**variables))


@dataclass
class Lab:
    endpoint: object
    account_id: str
    pool_id: str
    unauth_role_arn: str
    auth_role_arn: str
    wildrydes_arn: str
    secret_arn: str
    secret_consumer_arn: str
    wildrydes_consumer_arn: str

    def admin(self, service: str):
        return self.endpoint.client(service)

    def unsigned(self, service: str):
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint.url,
            config=botocore.config.Config(
                signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}, parameter_validation=False
            ),
        )

    def guest_token(self) -> tuple[str, str]:
        cognito = self.unsigned("cognito-identity")
        identity_id = cognito.get_id(IdentityPoolId=self.pool_id)["IdentityId"]
        return identity_id, cognito.get_open_id_token(IdentityId=identity_id)["Token"]

    def assume(self, token: str, role_arn: str | None = None, **params) -> dict:
        return self.unsigned("sts").assume_role_with_web_identity(
            RoleArn=role_arn or self.unauth_role_arn, RoleSessionName="dashboard", WebIdentityToken=token, **params
        )["Credentials"]

    def guest_credentials(self) -> dict:
        return self.assume(self.guest_token()[1])

    def guest(self, service: str, credentials: dict | None = None):
        credentials = credentials or self.guest_credentials()
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint.url,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )

    def iterator(self, kinesis, stream: str) -> str:
        return kinesis.get_shard_iterator(
            StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]


def wait_active(kinesis, stream: str) -> None:
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def provision(endpoint) -> Lab:
    account_id = endpoint.client("sts").get_caller_identity()["Account"]
    kinesis = endpoint.client("kinesis")
    for name in ("wildrydes", "secret"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    for name in ("wildrydes", "secret"):
        wait_active(kinesis, name)
    kinesis.put_record(StreamName="secret", PartitionKey="k", Data=SECRET_DATA)
    kinesis.put_record(StreamName="wildrydes", PartitionKey="Shadowfax", Data=b'{"Name": "Shadowfax"}')
    arns = {
        name: kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        for name in ("wildrydes", "secret")
    }
    consumers = {
        name: kinesis.register_stream_consumer(StreamARN=arns[name], ConsumerName="reader")["Consumer"]["ConsumerARN"]
        for name in ("wildrydes", "secret")
    }

    cognito = endpoint.client("cognito-identity")
    pool_id = cognito.create_identity_pool(
        IdentityPoolName="wildrydes", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )["IdentityPoolId"]
    iam = endpoint.client("iam")
    roles = {}
    for amr, name in (
        ("unauthenticated", "Cognito_wildrydesUnauth_Role"),
        ("authenticated", "Cognito_wildrydesAuth_Role"),
    ):
        trust = render("trust-policy.json.j2", wildrydes_identity_pool_id=pool_id, wildrydes_identity_pool_amr=amr)
        roles[amr] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    actions = yaml.safe_load((POOL_ROLE / "defaults" / "main.yml").read_text())[
        "wildrydes_identity_pool_stream_actions"
    ]
    policy = render(
        "dashboard-policy.json.j2",
        wildrydes_identity_pool_stream_actions=actions,
        wildrydes_identity_pool_stream_arn=arns["wildrydes"],
    )
    iam.put_role_policy(
        RoleName="Cognito_wildrydesUnauth_Role",
        PolicyName="WildrydesDashboardPolicy",
        PolicyDocument=json.dumps(policy),
    )
    cognito.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles)
    return Lab(
        endpoint=endpoint,
        account_id=account_id,
        pool_id=pool_id,
        unauth_role_arn=roles["unauthenticated"],
        auth_role_arn=roles["authenticated"],
        wildrydes_arn=arns["wildrydes"],
        secret_arn=arns["secret"],
        secret_consumer_arn=consumers["secret"],
        wildrydes_consumer_arn=consumers["wildrydes"],
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    with start_endpoint(tmp_path_factory.mktemp("open-doors")) as endpoint:
        yield provision(endpoint)


def refused(call, **params) -> dict:
    """The error response of a call that must fail."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response


def leaks_nothing_of_secret(response: dict) -> None:
    text = json.dumps(response, default=str)
    assert SECRET_DATA.decode() not in text
    assert base64.b64encode(SECRET_DATA).decode() not in text
    for member in ("StreamDescriptionSummary", "ShardIterator", "Records", "ConsumerDescription"):
        assert member not in response


# --- raw HTTP ---------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


def raw(endpoint, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Reply:
    parts = urlsplit(endpoint.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        sent = {"Host": parts.netloc, **(headers or {})}
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in sent.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        reply = connection.getresponse()
        return Reply(reply.status, {name.lower(): value for name, value in reply.getheaders()}, reply.read())
    finally:
        connection.close()


def signed_headers(
    key: tuple[str, str], service: str, url: str, body: bytes, headers: dict[str, str], token: str | None = None
) -> dict[str, str]:
    request = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body, headers=headers)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(*key, token), service, REGION).add_auth(request)
    return dict(request.headers.items())


def kinesis_call(
    endpoint, operation: str, params: dict, *, host: str | None = None, extra: dict | None = None, sent_host=None
):
    """A Kinesis JSON call signed by the account's admin for `host` (the endpoint's own by default), sent with the
    Host header `sent_host` when given (an empty one cannot be signed for)."""
    host = host or urlsplit(endpoint.url).netloc
    body = json.dumps(params).encode()
    headers = {
        "Host": host,
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"Kinesis_20131202.{operation}",
        **(extra or {}),
    }
    headers = signed_headers(admin_key(endpoint), "kinesis", f"http://{host}/", body, headers)
    if sent_host is not None:
        headers["Host"] = sent_host
    return raw(endpoint, "POST", "/", body, headers)


def stream_names(lab: Lab) -> list[str]:
    return sorted(lab.admin("kinesis").list_streams()["StreamNames"])


def clock_offset(lab: Lab) -> float:
    return lab.endpoint.control("clock")["offset_seconds"]


# --- 1. a guest names wildrydes by ARN and secret by name ----------------------------------------------------------


def test_door_1_guest_cannot_reach_secret_by_naming_wildrydes_arn(lab):
    kinesis = lab.guest("kinesis")
    # The guest reads its own stream (so the refusals below are not a broken sign-in).
    summary = kinesis.describe_stream_summary(StreamARN=lab.wildrydes_arn)["StreamDescriptionSummary"]
    assert summary["StreamName"] == "wildrydes"

    twice = {"StreamARN": lab.wildrydes_arn, "StreamName": "secret"}
    response = refused(kinesis.describe_stream_summary, **twice)
    assert response["Error"]["Code"] in ("ValidationException", "InvalidArgumentException", "AccessDeniedException")
    leaks_nothing_of_secret(response)

    response = refused(
        kinesis.get_shard_iterator, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON", **twice
    )
    assert response["Error"]["Code"] in ("ValidationException", "InvalidArgumentException", "AccessDeniedException")
    leaks_nothing_of_secret(response)
    # And plainly: secret by name or by ARN is denied to the guest.
    for params in ({"StreamName": "secret"}, {"StreamARN": lab.secret_arn}):
        response = refused(kinesis.describe_stream_summary, **params)
        assert response["Error"]["Code"] == "AccessDeniedException"
        leaks_nothing_of_secret(response)


# --- 2. forged, foreign, tampered and old iterators ------------------------------------------------------------------


def test_door_2_forged_or_foreign_iterators_read_nothing_and_old_ones_expire(lab):
    kinesis = lab.guest("kinesis")
    own = lab.iterator(kinesis, "wildrydes")
    records = kinesis.get_records(ShardIterator=own)["Records"]
    assert [record["PartitionKey"] for record in records] == ["Shadowfax"]

    admins_secret_iterator = lab.iterator(lab.admin("kinesis"), "secret")
    assert lab.admin("kinesis").get_records(ShardIterator=admins_secret_iterator)["Records"][0]["Data"] == SECRET_DATA
    hand_made = [
        base64.b64encode(b"secret:shardId-000000000000:0").decode(),
        base64.b64encode(f"{lab.account_id}:secret:shardId-000000000000:0".encode()).decode(),
        base64.b64encode(f"{lab.secret_arn}:shardId-000000000000:0".encode()).decode(),
    ]
    raw_own = bytearray(base64.b64decode(own + "=" * (-len(own) % 4)))
    raw_own[len(raw_own) // 2] ^= 0x01
    tampered = base64.b64encode(bytes(raw_own)).decode()
    # A tampered iterator of wildrydes that still claims to be the admin's iterator of secret: both halves spliced.
    spliced = admins_secret_iterator[: len(admins_secret_iterator) // 2] + own[len(own) // 2 :]
    for iterator in [*hand_made, admins_secret_iterator, tampered, spliced]:
        for params in ({}, {"StreamARN": lab.wildrydes_arn}):
            response = refused(kinesis.get_records, ShardIterator=iterator, **params)
            assert response["Error"]["Code"] in (
                "InvalidArgumentException",
                "AccessDeniedException",
                "ValidationException",
                "ExpiredIteratorException",
            ), (iterator, params, response["Error"])
            leaks_nothing_of_secret(response)

    # Iterators expire after 5 minutes on the endpoint's clock, as on AWS.
    fresh = lab.iterator(kinesis, "wildrydes")
    lab.endpoint.control("clock", {"advance_seconds": 301})
    response = refused(kinesis.get_records, ShardIterator=fresh)
    assert response["Error"]["Code"] == "ExpiredIteratorException"
    assert "Records" not in response


# --- 3. the admin and control APIs from a web page ---------------------------------------------------------------

ADMIN_PATHS = [
    ("POST", "/moto-api/reset-auth", b'{"value": 0}'),
    ("GET", "/moto-api/data.json", b""),
    ("POST", "/moto-api/reset", b""),
    ("GET", "/_wildrydes/settings", b""),
    ("POST", "/_wildrydes/settings", b'{"inject_throttle": 1.0}'),
    ("GET", "/_wildrydes/clock", b""),
    ("POST", "/_wildrydes/clock", b'{"advance_seconds": 100000}'),
    ("GET", "/_wildrydes/status", b""),
    ("GET", "/_wildrydes/kinesis/shards", b""),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_PATHS, ids=[f"{m} {p}" for m, p, _ in ADMIN_PATHS])
def test_door_3_admin_and_control_apis_refuse_a_web_page(lab, method, path, body):
    before = (stream_names(lab), clock_offset(lab), lab.endpoint.control("settings"))
    for headers in (
        {"Origin": EVIL, "Content-Type": "text/plain"},
        {"Origin": EVIL, "Content-Type": "application/json"},
        {},
    ):
        reply = raw(lab.endpoint, method, path, body, headers)
        assert reply.status == 403, (headers, reply)
        assert not any(name.startswith("access-control-") for name in reply.headers), reply.headers
        assert b"SecretAccessKey" not in reply.body and b"secret_access_key" not in reply.body
    # A wrong token is no token.
    reply = raw(lab.endpoint, method, path, body, {TOKEN_HEADER: control_token(lab.endpoint)[:-1] + "x"})
    assert reply.status == 403
    assert (stream_names(lab), clock_offset(lab), lab.endpoint.control("settings")) == before
    assert before[2]["iam_enforcement"] is True
    # The guest is still held to its policy (reset-auth did not switch IAM off).
    assert refused(lab.guest("kinesis").list_streams)["Error"]["Code"] == "AccessDeniedException"


def role_names(lab: Lab) -> list[str]:
    return sorted(role["RoleName"] for role in lab.admin("iam").list_roles()["Roles"])


TEXT_POSTS = {
    "/_wildrydes/settings": b'{"inject_throttle": 1.0}',
    "/_wildrydes/clock": b'{"advance_seconds": 1000}',
    "/moto-api/reset": b"",
    "/moto-api/reset-auth": b'{"value": 0}',
}


@pytest.mark.parametrize("path", list(TEXT_POSTS))
def test_door_3_a_text_plain_post_is_refused_even_with_the_token(lab, path):
    before = (clock_offset(lab), lab.endpoint.control("settings"), role_names(lab), stream_names(lab))
    assert "Cognito_wildrydesUnauth_Role" in before[2]
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {TOKEN_HEADER: control_token(lab.endpoint), "Origin": EVIL}
        if content_type:
            headers["Content-Type"] = content_type
        reply = raw(lab.endpoint, "POST", path, TEXT_POSTS[path], headers)
        assert reply.status in (400, 415), (content_type, reply)
        assert "access-control-allow-origin" not in reply.headers
    assert (clock_offset(lab), lab.endpoint.control("settings"), role_names(lab), stream_names(lab)) == before
    # The token itself is good: a read of moto's admin API with it is answered.
    reply = raw(lab.endpoint, "GET", "/moto-api/data.json", headers={TOKEN_HEADER: control_token(lab.endpoint)})
    assert reply.status == 200 and "access-control-allow-origin" not in reply.headers


@pytest.mark.parametrize("amount", [b"NaN", b"Infinity", b"-Infinity", b"-5", b'"x"', b"true", b"null", b"1e400"])
def test_door_3_a_bad_clock_advance_is_400_and_changes_nothing(lab, amount):
    before = clock_offset(lab)
    headers = {TOKEN_HEADER: control_token(lab.endpoint), "Content-Type": "application/json"}
    reply = raw(lab.endpoint, "POST", "/_wildrydes/clock", b'{"advance_seconds": %s}' % amount, headers)
    assert reply.status == 400, reply
    after = clock_offset(lab)
    assert after == before and math.isfinite(after)
    # The clock still works: it moves by a good amount, and records still flow.
    assert lab.endpoint.control("clock", {"advance_seconds": 1})["offset_seconds"] == before + 1
    kinesis = lab.admin("kinesis")
    assert kinesis.get_records(ShardIterator=lab.iterator(kinesis, "wildrydes"))["Records"]


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-1", b'"x"'])
def test_door_3_a_bad_setting_is_400_and_changes_nothing(lab, value):
    before = lab.endpoint.control("settings")
    headers = {TOKEN_HEADER: control_token(lab.endpoint), "Content-Type": "application/json"}
    reply = raw(lab.endpoint, "POST", "/_wildrydes/settings", b'{"state_transition_seconds": %s}' % value, headers)
    assert reply.status == 400, reply
    assert lab.endpoint.control("settings") == before


REBINDING_PATHS = [
    ("GET", "/_wildrydes/health"),
    ("GET", "/_wildrydes/status"),
    ("POST", "/moto-api/reset"),
    ("GET", "/moto-api/data.json"),
]


@pytest.mark.parametrize(
    "host", ["evil.example", f"evil.example:{80}", "localhost.evil.example", "127.0.0.1.nip.io", "0.0.0.0", ""]
)
def test_door_3_a_foreign_host_name_is_refused_on_every_path(lab, host):
    port = urlsplit(lab.endpoint.url).port
    names = [host] if not host or ":" in host else [host, f"{host}:{port}"]
    for name in names:
        for method, path in REBINDING_PATHS:
            headers = {"Host": name, TOKEN_HEADER: control_token(lab.endpoint), "Content-Type": "application/json"}
            reply = raw(lab.endpoint, method, path, b"", headers)
            assert reply.status in (400, 403, 421), (name, path, reply)
            assert b"SecretAccessKey" not in reply.body and b"pid" not in reply.body
        # The AWS APIs too, even correctly signed for that host name.
        reply = kinesis_call(lab.endpoint, "ListStreams", {}, host=name or None, extra={"Origin": EVIL}, sent_host=name)
        assert reply.status in (400, 403, 421), (name, reply)
        assert b"StreamNames" not in reply.body
    assert stream_names(lab) == ["secret", "wildrydes"]


def test_door_3_the_aws_apis_keep_cors_for_browsers(lab):
    reply = kinesis_call(lab.endpoint, "ListStreams", {}, extra={"Origin": EVIL})
    assert reply.status == 200
    assert reply.headers.get("access-control-allow-origin") == "*"
    preflight = raw(
        lab.endpoint,
        "OPTIONS",
        "/",
        headers={
            "Origin": EVIL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-target",
        },
    )
    assert preflight.status == 200
    assert preflight.headers.get("access-control-allow-origin") == "*"
    # ... but a preflight for the control or admin API is never granted.
    for path in ("/_wildrydes/settings", "/_wildrydes/clock", "/moto-api/reset", "/moto-api/data.json"):
        preflight = raw(
            lab.endpoint,
            "OPTIONS",
            path,
            headers={
                "Origin": EVIL,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-wildrydes-token",
            },
        )
        assert not any(name.startswith("access-control-") for name in preflight.headers), (path, preflight)


def test_door_3_the_state_folders_secrets_are_private(lab):
    state = Path(lab.endpoint.state_dir)
    for name in ("control-token", "accounts.json", "aws/credentials", "aws/config"):
        mode = stat.S_IMODE((state / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert stat.S_IMODE(state.stat().st_mode) & 0o077 == 0


def test_door_3_no_admin_key_is_a_constant_in_the_repository():
    # Spelt in pieces so that this file does not hold what it looks for.
    old_key = re.compile(rb"AKIA\d{12}" + b"ADM" + b"N")
    old_secret = b"wildrydes-local-admin" + b"-secret"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    found = []
    for name in filter(None, files):
        path = REPO / os.fsdecode(name)
        if not path.is_file():
            continue
        data = path.read_bytes()
        if old_key.search(data) or old_secret in data:
            found.append(os.fsdecode(name))
    assert found == []


def test_door_3_iam_enforcement_is_on_by_default(tmp_path):
    environment = {**os.environ, "WILDRYDES_STATE_DIR": str(tmp_path)}
    simulate = [sys.executable, "-m", "simulator"]
    started = subprocess.run(
        [*simulate, "local", "start", "--port", str(free_port())], env=environment, capture_output=True, text=True
    )
    try:
        assert started.returncode == 0, started.stderr + started.stdout
        status = subprocess.run(
            [*simulate, "local", "status", "--json"], env=environment, capture_output=True, text=True
        )
        assert status.returncode == 0, status.stderr + status.stdout
        assert json.loads(status.stdout)["settings"]["iam_enforcement"] is True
    finally:
        subprocess.run([*simulate, "local", "stop"], env=environment, capture_output=True)


# --- 4. guest credentials and tokens expire --------------------------------------------------------------------


@pytest.mark.parametrize(("duration", "words"), [(899, "900"), (43201, "43200"), (3601, "MaxSessionDuration")])
def test_door_4_duration_outside_aws_bounds_is_refused(lab, duration, words):
    response = refused(lab.assume, token=lab.guest_token()[1], DurationSeconds=duration)
    assert response["Error"]["Code"] == "ValidationError"
    assert words in response["Error"]["Message"]
    assert "Credentials" not in response


def test_door_4_guest_credentials_and_openid_tokens_expire(lab):
    # The bounds themselves are accepted (the role's MaxSessionDuration is IAM's default, 3600 s).
    for duration in (900, 3600):
        assert lab.assume(lab.guest_token()[1], DurationSeconds=duration)["AccessKeyId"]
    credentials = lab.guest_credentials()
    kinesis = lab.guest("kinesis", credentials)
    assert kinesis.describe_stream_summary(StreamName="wildrydes")["StreamDescriptionSummary"]
    _, token = lab.guest_token()

    lab.endpoint.control("clock", {"advance_seconds": 601})
    response = refused(lab.assume, token=token)
    assert response["Error"]["Code"] == "ExpiredTokenException"
    assert "Credentials" not in response

    lab.endpoint.control("clock", {"advance_seconds": 3000})
    response = refused(kinesis.describe_stream_summary, StreamName="wildrydes")
    assert response["Error"]["Code"] == "ExpiredTokenException"
    leaks_nothing_of_secret(response)
    # A fresh sign-in still works on the moved clock.
    assert lab.guest("kinesis").describe_stream_summary(StreamName="wildrydes")["StreamDescriptionSummary"]


def test_door_4_the_roles_max_session_duration_bounds_and_ends_the_session(lab):
    iam = lab.admin("iam")
    trust = render(
        "trust-policy.json.j2", wildrydes_identity_pool_id=lab.pool_id, wildrydes_identity_pool_amr="unauthenticated"
    )
    role_arn = iam.create_role(
        RoleName="Cognito_wildrydesLongGuest_Role", AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=7200
    )["Role"]["Arn"]
    response = refused(lab.assume, token=lab.guest_token()[1], role_arn=role_arn, DurationSeconds=7201)
    assert response["Error"]["Code"] == "ValidationError"
    assert "MaxSessionDuration" in response["Error"]["Message"]
    credentials = lab.assume(lab.guest_token()[1], role_arn=role_arn, DurationSeconds=7200)
    sts = lab.guest("sts", credentials)
    assert sts.get_caller_identity()["Arn"].endswith(":assumed-role/Cognito_wildrydesLongGuest_Role/dashboard")
    lab.endpoint.control("clock", {"advance_seconds": 3700})
    assert sts.get_caller_identity()["Account"] == lab.account_id  # past an hour, within its two
    lab.endpoint.control("clock", {"advance_seconds": 3501})
    response = refused(sts.get_caller_identity)
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("ExpiredToken", 403)
    assert "Arn" not in response


# --- 5. made-up logins -----------------------------------------------------------------------------------------


def test_door_5_made_up_logins_give_no_identity_and_never_the_auth_role(lab):
    cognito_admin = lab.admin("cognito-identity")

    def identities() -> list[dict]:
        return cognito_admin.list_identities(IdentityPoolId=lab.pool_id, MaxResults=60)["Identities"]

    before = identities()
    cognito = lab.unsigned("cognito-identity")
    for logins in ({"graph.facebook.com": "x"}, {"accounts.google.com": "x"}, {"cognito-identity.amazonaws.com": "x"}):
        response = refused(cognito.get_id, IdentityPoolId=lab.pool_id, Logins=logins)
        assert response["Error"]["Code"] == "NotAuthorizedException"
        assert "IdentityId" not in response
    assert identities() == before

    # A guest identity with made-up logins gets no token, no credentials, and no auth role.
    identity_id, guest_token = lab.guest_token()
    made_up = {"graph.facebook.com": "x"}
    for call in (cognito.get_open_id_token, cognito.get_credentials_for_identity):
        response = refused(call, IdentityId=identity_id, Logins=made_up)
        assert response["Error"]["Code"] == "NotAuthorizedException"
        assert "Token" not in response and "Credentials" not in response
    response = refused(lab.assume, token=guest_token, role_arn=lab.auth_role_arn)
    assert response["Error"]["Code"] == "AccessDenied"


# --- 6. consumers named twice ------------------------------------------------------------------------------------


def test_door_6_consumer_arn_and_stream_plus_name_that_disagree_are_refused(lab):
    kinesis = lab.guest("kinesis")
    own = kinesis.describe_stream_consumer(ConsumerARN=lab.wildrydes_consumer_arn)["ConsumerDescription"]
    assert own["StreamARN"] == lab.wildrydes_arn

    for params in (
        {"ConsumerARN": lab.secret_consumer_arn, "StreamARN": lab.wildrydes_arn, "ConsumerName": "reader"},
        {"ConsumerARN": lab.wildrydes_consumer_arn, "StreamARN": lab.secret_arn, "ConsumerName": "reader"},
        {"ConsumerARN": lab.secret_consumer_arn},
    ):
        response = refused(kinesis.describe_stream_consumer, **params)
        assert response["Error"]["Code"] in ("InvalidArgumentException", "ValidationException", "AccessDeniedException")
        leaks_nothing_of_secret(response)
        assert lab.secret_arn not in json.dumps(response.get("ConsumerDescription", {}))

    # Refused before acting: even the admin cannot deregister secret's consumer through wildrydes's names.
    admin = lab.admin("kinesis")
    response = refused(
        admin.deregister_stream_consumer,
        ConsumerARN=lab.secret_consumer_arn,
        StreamARN=lab.wildrydes_arn,
        ConsumerName="reader",
    )
    assert response["Error"]["Code"] in ("InvalidArgumentException", "ValidationException")
    for stream_arn in (lab.secret_arn, lab.wildrydes_arn):
        consumers = admin.list_stream_consumers(StreamARN=stream_arn)["Consumers"]
        assert [consumer["ConsumerName"] for consumer in consumers] == ["reader"]
