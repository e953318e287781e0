"""Cognito Identity (identity pools), owned outright (see service.py); its OpenID tokens (tokens.py) are what
STS's AssumeRoleWithWebIdentity accepts."""

from localaws.cognito_identity.pools import PoolStore
from localaws.cognito_identity.service import CognitoIdentityService
from localaws.cognito_identity.tokens import OpenIdTokens

__all__ = ["CognitoIdentityService", "OpenIdTokens", "PoolStore"]
