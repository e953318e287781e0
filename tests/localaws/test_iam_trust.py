"""Role trust policies (Authorizer.trust_allows): who may assume a role, for sts:AssumeRole and
sts:AssumeRoleWithWebIdentity, with the lab's Cognito trust policy and the other principal forms."""

import json
import uuid
from pathlib import Path

import jinja2
import pytest
from moto.iam.models import iam_backends

from localaws.context import Principal
from localaws.iam import Authorizer, IamView, RoleFacts
from localaws.runtime import Runtime
from localaws.settings import Settings

ROLE_TEMPLATES = Path(__file__).resolve().parents[2] / "roles" / "wildrydes_identity_pool" / "templates"
COGNITO = "cognito-identity.amazonaws.com"
POOL = "us-east-1:3f1c2a9e-0000-4000-8000-000000000001"
WEB = "sts:AssumeRoleWithWebIdentity"
ASSUME = "sts:AssumeRole"


def claims(aud: str = POOL, amr: list[str] | None = None, sub: str = "us-east-1:identity") -> dict:
    return {f"{COGNITO}:aud": aud, f"{COGNITO}:amr": amr or ["unauthenticated"], f"{COGNITO}:sub": sub}


def lab_trust(amr: str) -> dict:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    text = (ROLE_TEMPLATES / "trust-policy.json.j2").read_text()
    return json.loads(
        environment.from_string(text).render(wildrydes_identity_pool_id=POOL, wildrydes_identity_pool_amr=amr)
    )


# Reads moto live (no propagation delay).
VIEW = IamView(Runtime(Settings(state_dir=Path("unused"))))


@pytest.fixture
def account() -> str:
    return f"{uuid.uuid4().int % 10**12:012d}"


@pytest.fixture
def authorizer(tmp_path) -> Authorizer:
    runtime = Runtime(Settings(state_dir=tmp_path))
    return Authorizer(runtime, IamView(runtime))


def role_with(account_id: str, trust: dict, name: str = "Assumable") -> RoleFacts:
    backend = iam_backends[account_id]["global"]
    backend.create_role(name, json.dumps(trust), "/", None, "", [], "7200")
    facts = VIEW.role_by_name(account_id, name)
    assert facts is not None
    return facts


def trust(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def user(account_id: str, name: str = "ivy") -> Principal:
    return Principal(account_id, "user", f"arn:aws:iam::{account_id}:user/{name}", name, "AIDAEXAMPLE")


def role_session(account_id: str, role: str = "Caller") -> Principal:
    return Principal(
        account_id,
        "assumed-role",
        f"arn:aws:sts::{account_id}:assumed-role/{role}/s",
        role,
        "AROAEXAMPLE:s",
        session_name="s",
        role_arn=f"arn:aws:iam::{account_id}:role/{role}",
    )


def other(account_id: str) -> str:
    return f"{(int(account_id) + 1) % 10**12:012d}"


def test_role_facts_as_iam_holds_them(account):
    role = role_with(account, lab_trust("unauthenticated"), "Cognito_wildrydesUnauth_Role")
    assert role.arn == f"arn:aws:iam::{account}:role/Cognito_wildrydesUnauth_Role"
    assert (role.name, role.path, role.account_id, role.max_session_duration) == (
        "Cognito_wildrydesUnauth_Role",
        "/",
        account,
        7200,
    )
    assert role.role_id.startswith("AROA")
    assert role.trust_policy == lab_trust("unauthenticated")
    assert role.policies == ()


def test_lab_trust_policy_admits_the_pools_guests_only(account, authorizer):
    unauth = role_with(account, lab_trust("unauthenticated"), "Unauth")
    auth = role_with(account, lab_trust("authenticated"), "Auth")
    assert authorizer.trust_allows(unauth, WEB, federated=COGNITO, context=claims())
    assert not authorizer.trust_allows(unauth, WEB, federated=COGNITO, context=claims(aud="us-east-1:other"))
    assert not authorizer.trust_allows(unauth, WEB, federated=COGNITO, context=claims(amr=["authenticated", "x"]))
    assert not authorizer.trust_allows(unauth, WEB, federated="accounts.google.com", context=claims())
    assert not authorizer.trust_allows(unauth, ASSUME, principal=user(account))  # not for AssumeRole
    assert not authorizer.trust_allows(unauth, WEB, federated=COGNITO)  # no token claims: the conditions fail
    assert not authorizer.trust_allows(auth, WEB, federated=COGNITO, context=claims())
    signed_in = claims(amr=["authenticated", "cognito-identity.amazonaws.com:login"])
    assert authorizer.trust_allows(auth, WEB, federated=COGNITO, context=signed_in)


def test_aws_principals(account, authorizer):
    foreign = other(account)
    by_account = role_with(account, trust({"Effect": "Allow", "Principal": {"AWS": account}, "Action": ASSUME}), "A")
    by_root = role_with(
        account, trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{foreign}:root"}, "Action": ASSUME}), "B"
    )
    by_user = role_with(
        account,
        trust({"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{account}:user/ivy"]}, "Action": ASSUME}),
        "C",
    )
    by_role = role_with(
        account,
        trust({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:role/Caller"}, "Action": "sts:*"}),
        "D",
    )
    anyone = role_with(account, trust({"Effect": "Allow", "Principal": "*", "Action": ASSUME}), "E")
    any_aws = role_with(account, trust({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ASSUME}), "F")
    service = role_with(
        account, trust({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": ASSUME}), "G"
    )

    assert authorizer.trust_allows(by_account, ASSUME, principal=user(account))
    administrator = Principal(account, "admin", f"arn:aws:iam::{account}:root", "admin", account)
    assert authorizer.trust_allows(by_account, ASSUME, principal=administrator)  # the account's root
    assert not authorizer.trust_allows(by_user, ASSUME, principal=administrator)
    assert authorizer.trust_allows(by_account, ASSUME, principal=role_session(account))
    assert not authorizer.trust_allows(by_account, ASSUME, principal=user(foreign))
    assert authorizer.trust_allows(by_root, ASSUME, principal=user(foreign))
    assert not authorizer.trust_allows(by_root, ASSUME, principal=user(account))
    assert authorizer.trust_allows(by_user, ASSUME, principal=user(account))
    assert not authorizer.trust_allows(by_user, ASSUME, principal=user(account, "jon"))
    assert authorizer.trust_allows(by_role, ASSUME, principal=role_session(account))
    assert not authorizer.trust_allows(by_role, ASSUME, principal=role_session(account, "Other"))
    assert authorizer.trust_allows(anyone, ASSUME, principal=user(foreign))
    assert authorizer.trust_allows(any_aws, ASSUME, principal=role_session(foreign))
    assert not authorizer.trust_allows(service, ASSUME, principal=user(account))
    assert not authorizer.trust_allows(service, WEB, federated=COGNITO, context=claims())


def test_deny_not_principal_and_conditions_on_the_caller(account, authorizer):
    allow = {"Effect": "Allow", "Principal": {"AWS": account}, "Action": ASSUME}
    deny_jon = {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{account}:user/jon"}, "Action": ASSUME}
    role = role_with(account, trust(allow, deny_jon), "Guarded")
    assert authorizer.trust_allows(role, ASSUME, principal=user(account, "ivy"))
    assert not authorizer.trust_allows(role, ASSUME, principal=user(account, "jon"))

    only_ivy = {"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{account}:user/ivy"}, "Action": ASSUME}
    role = role_with(account, trust(allow, only_ivy), "OnlyIvy")
    assert authorizer.trust_allows(role, ASSUME, principal=user(account, "ivy"))
    assert not authorizer.trust_allows(role, ASSUME, principal=user(account, "jon"))

    session_named = {**allow, "Condition": {"StringLike": {"sts:RoleSessionName": "${aws:username}"}}}
    role = role_with(account, trust(session_named), "Named")
    assert authorizer.trust_allows(role, ASSUME, principal=user(account, "ivy"), context={"sts:RoleSessionName": "ivy"})
    assert not authorizer.trust_allows(
        role, ASSUME, principal=user(account, "ivy"), context={"sts:RoleSessionName": "jon"}
    )

    from_role = {**allow, "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{account}:role/Call*"}}}
    role = role_with(account, trust(from_role), "FromRole")
    assert authorizer.trust_allows(role, ASSUME, principal=role_session(account))
    assert not authorizer.trust_allows(role, ASSUME, principal=user(account))


def test_an_empty_or_malformed_trust_policy_admits_nobody(account, authorizer):
    empty = role_with(account, trust(), "Empty")
    assert not authorizer.trust_allows(empty, ASSUME, principal=user(account))
    no_principal = role_with(account, trust({"Effect": "Allow", "Action": ASSUME}), "NoPrincipal")
    assert not authorizer.trust_allows(no_principal, ASSUME, principal=user(account))
