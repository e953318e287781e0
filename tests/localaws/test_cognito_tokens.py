"""Cognito's OpenID tokens: what GetOpenIdToken issues and what STS's AssumeRoleWithWebIdentity accepts."""

import base64
import json

import pytest

from localaws.cognito_identity.tokens import NOT_A_JWT, NOT_VERIFIED, TOKEN_SECONDS, OpenIdTokens
from localaws.errors import AwsError

POOL = "eu-west-1:3f1c2a9e-0000-4000-8000-000000000001"
IDENTITY = "eu-west-1:9a8b7c6d-0000-4000-8000-000000000002"
NOW = 1_800_000_000.0


def part(token: str, index: int) -> dict:
    text = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def encode(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def refusal(tokens: OpenIdTokens, token: str, now: float = NOW) -> AwsError:
    with pytest.raises(AwsError) as raised:
        tokens.verify(token, now)
    return raised.value


def test_an_issued_token_is_a_jwt_with_cognitos_claims_and_verifies():
    tokens = OpenIdTokens(b"s" * 32)
    token = tokens.issue(IDENTITY, POOL, ["unauthenticated"], NOW)
    assert token.count(".") == 2 and "=" not in token
    assert part(token, 0) == {"kid": "eu-west-1-local", "typ": "JWS", "alg": "HS256"}
    assert part(token, 1) == {
        "sub": IDENTITY,
        "aud": POOL,
        "amr": ["unauthenticated"],
        "iss": "https://cognito-identity.amazonaws.com",
        "exp": int(NOW) + 600,
        "iat": int(NOW),
    }
    claims = tokens.verify(token, NOW + TOKEN_SECONDS - 1)
    assert (claims.sub, claims.aud, claims.amr) == (IDENTITY, POOL, ("unauthenticated",))
    assert claims.condition_context() == {
        "cognito-identity.amazonaws.com:aud": POOL,
        "cognito-identity.amazonaws.com:amr": ["unauthenticated"],
        "cognito-identity.amazonaws.com:sub": IDENTITY,
    }


def test_a_token_expires_after_ten_minutes_in_aws_words():
    tokens = OpenIdTokens(b"s" * 32)
    token = tokens.issue(IDENTITY, POOL, ["unauthenticated"], NOW)
    expired = refusal(tokens, token, NOW + 600)
    assert (expired.code, expired.status) == ("ExpiredTokenException", 400)
    assert expired.message == (
        f"Token expired: current date/time {int(NOW) + 600} must be before the expiration date/time{int(NOW) + 600}"
    )


@pytest.mark.parametrize("garbage", ["not-a-jwt", "a.b", "a.b.c", "...", "e30.e30"])
def test_what_is_not_a_jwt_is_invalid_identity_token(garbage):
    refused = refusal(OpenIdTokens(b"s" * 32), garbage)
    assert (refused.code, refused.message, refused.status) == ("InvalidIdentityToken", NOT_A_JWT, 400)


def test_tampered_tokens_are_refused():
    tokens = OpenIdTokens(b"s" * 32)
    token = tokens.issue(IDENTITY, POOL, ["unauthenticated"], NOW)
    header, claims, signature = token.split(".")
    other_pool = encode({**part(token, 1), "aud": "eu-west-1:00000000-0000-0000-0000-000000000000"})
    authenticated = encode({**part(token, 1), "amr": ["authenticated", "graph.facebook.com"]})
    longer = encode({**part(token, 1), "exp": int(NOW) + 86400})
    unsigned = encode({**part(token, 0), "alg": "none"})
    for forged in (
        f"{header}.{other_pool}.{signature}",
        f"{header}.{authenticated}.{signature}",
        f"{header}.{longer}.{signature}",
        f"{unsigned}.{claims}.",
        f"{header}.{claims}.{signature[:-4]}AAAA",
        f"{header}.{claims}.",
    ):
        refused = refusal(tokens, forged)
        assert (refused.code, refused.message) == ("InvalidIdentityToken", NOT_VERIFIED), forged


def test_a_token_of_another_endpoint_is_refused():
    token = OpenIdTokens(b"a" * 32).issue(IDENTITY, POOL, ["unauthenticated"], NOW)
    refused = refusal(OpenIdTokens(b"b" * 32), token)
    assert (refused.code, refused.message) == ("InvalidIdentityToken", NOT_VERIFIED)
