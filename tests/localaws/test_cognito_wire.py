"""STS (query in, XML out) and Cognito Identity (JSON 1.1) through the endpoint's wire, in-process: what botocore
sends is decoded and validated by the model, answered by our services, encoded, and parsed back by botocore, as
boto3, the AWS CLI, the playbooks and the dashboard's SDK would see it."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import botocore.parsers
import botocore.serialize
import botocore.session
import pytest
from moto import mock_aws

from localaws import wire
from localaws.context import Principal
from localaws.errors import AwsError
from tests.localaws.test_sts_cognito_fakes import (
    ACCOUNT_A,
    REGION,
    World,
    admin,
    cognito_trust,
    create_role,
    make_world,
    signed,
    unsigned,
)

SESSION = botocore.session.get_session()
PROTOCOL = {"sts": "query", "cognito-identity": "json"}


class WireClient:
    def __init__(self, world: World, service: str, principal: Principal | None) -> None:
        self.world = world
        self.service = service
        self.principal = principal
        self.model = SESSION.get_service_model(service)

    def __getattr__(self, operation: str) -> Any:
        return lambda **params: self.call(operation, params)

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        protocol = PROTOCOL[self.service]
        model = self.model.operation_model(operation)
        body = botocore.serialize.create_serializer(self.model.protocol, include_validation=False).serialize_to_request(
            params, model
        )["body"]
        if protocol == "query":
            body = {key: [str(value)] for key, value in body.items()}
        if self.principal is None:
            ctx = unsigned(self.world.runtime, self.service, operation)
        else:
            ctx = signed(self.world.runtime, self.service, operation, self.principal)
        target = self.world.sts if self.service == "sts" else self.world.cognito
        try:
            decoded = wire.decode_request(self.service, operation, protocol, body)
            wire.validate(self.service, operation, decoded)
            result = target.call(ctx, decoded)
            status, headers, payload = wire.encode_response(self.service, operation, protocol, result, "req-1")
        except AwsError as error:
            status, headers, payload = wire.encode_error(self.service, protocol, error, "req-1")
        parser = botocore.parsers.create_parser(self.model.protocol)
        parsed = parser.parse({"status_code": status, "headers": headers, "body": payload}, model.output_shape)
        meta = parsed.pop("ResponseMetadata", {})
        if "Error" in parsed:
            parsed["Error"]["status"] = meta.get("HTTPStatusCode", status)
        return parsed


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    with mock_aws():
        yield make_world(tmp_path)


def test_the_dashboard_sign_in_over_the_wire(world):
    cognito = WireClient(world, "cognito-identity", admin(ACCOUNT_A))
    created = cognito.CreateIdentityPool(
        IdentityPoolName="wildrydes", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )
    pool_id = created["IdentityPoolId"]
    assert created["AllowClassicFlow"] is True
    role_arn = create_role(ACCOUNT_A, "Cognito_wildrydesUnauth_Role", cognito_trust(pool_id))
    assert cognito.SetIdentityPoolRoles(IdentityPoolId=pool_id, Roles={"unauthenticated": role_arn}) == {}
    assert cognito.GetIdentityPoolRoles(IdentityPoolId=pool_id)["Roles"] == {"unauthenticated": role_arn}

    guest = WireClient(world, "cognito-identity", None)
    identity_id = guest.GetId(IdentityPoolId=pool_id)["IdentityId"]
    token = guest.GetOpenIdToken(IdentityId=identity_id)["Token"]
    sts = WireClient(world, "sts", None)
    assumed = sts.AssumeRoleWithWebIdentity(
        RoleArn=role_arn, RoleSessionName="wildrydes-dashboard", WebIdentityToken=token
    )
    credentials = assumed["Credentials"]
    assert isinstance(credentials["Expiration"], datetime)
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert assumed["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{ACCOUNT_A}:assumed-role/Cognito_wildrydesUnauth_Role/wildrydes-dashboard"
    )
    assert (assumed["Audience"], assumed["SubjectFromWebIdentityToken"]) == (pool_id, identity_id)

    session = world.sessions.lookup(credentials["AccessKeyId"]).principal
    who = WireClient(world, "sts", session).GetCallerIdentity()
    assert (who["Account"], who["Arn"]) == (ACCOUNT_A, assumed["AssumedRoleUser"]["Arn"])

    enhanced = guest.GetCredentialsForIdentity(IdentityId=identity_id)
    assert isinstance(enhanced["Credentials"]["Expiration"], datetime)
    assert enhanced["Credentials"]["SecretKey"]


def test_errors_over_the_wire_are_awss(world):
    guest = WireClient(world, "cognito-identity", None)
    unknown = "us-east-1:00000000-0000-0000-0000-000000000000"
    assert guest.GetId(IdentityPoolId=unknown)["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": f"IdentityPool '{unknown}' not found.",
        "status": 400,
    }
    sts = WireClient(world, "sts", None)
    role = f"arn:aws:iam::{ACCOUNT_A}:role/Cognito_wildrydesUnauth_Role"
    error = sts.AssumeRoleWithWebIdentity(RoleArn=role, RoleSessionName="s1", WebIdentityToken="not-a-jwt")["Error"]
    assert (error["Code"], error["status"]) == ("InvalidIdentityToken", 400)
    # The model's range is checked by the wire before the service, in the same words the service would use.
    error = sts.AssumeRoleWithWebIdentity(
        RoleArn=role, RoleSessionName="s1", WebIdentityToken="not-a-jwt", DurationSeconds=899
    )["Error"]
    assert error["Code"] == "ValidationError"
    assert "Member must have value greater than or equal to 900" in error["Message"]


def test_pool_description_round_trips_over_the_wire(world):
    cognito = WireClient(world, "cognito-identity", admin(ACCOUNT_A))
    options = {
        "IdentityPoolName": "social",
        "AllowUnauthenticatedIdentities": False,
        "SupportedLoginProviders": {"graph.facebook.com": "1234567890"},
        "CognitoIdentityProviders": [
            {"ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{REGION}_abc", "ClientId": "client1"}
        ],
        "OpenIdConnectProviderARNs": [f"arn:aws:iam::{ACCOUNT_A}:oidc-provider/login.example.com"],
        "SamlProviderARNs": [f"arn:aws:iam::{ACCOUNT_A}:saml-provider/corp"],
        "IdentityPoolTags": {"project": "wildrydes"},
    }
    created = cognito.CreateIdentityPool(**options)
    described = cognito.DescribeIdentityPool(IdentityPoolId=created["IdentityPoolId"])
    assert described == created
    assert {key: described[key] for key in options} == options
    listed = cognito.ListIdentityPools(MaxResults=60)["IdentityPools"]
    assert listed == [{"IdentityPoolId": created["IdentityPoolId"], "IdentityPoolName": "social"}]
