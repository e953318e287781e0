"""SessionStore: the temporary credentials STS and Cognito make, as the front door looks them up."""

import re

from localaws.sts import SessionStore
from localaws.sts.sessions import FORGET_AFTER_SECONDS
from tests.localaws.test_sts_cognito_fakes import ACCOUNT_A, iam_user


def test_issue_makes_temporary_aws_shaped_credentials():
    store = SessionStore()
    principal = iam_user(ACCOUNT_A)
    credential = store.issue(principal, 900, now=1_000_000.0)
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credential.access_key_id)
    assert len(credential.secret_access_key) == 40
    assert credential.session_token and len(credential.session_token) > 300
    assert credential.expires_at == 1_000_900.0
    assert credential.principal is principal
    assert store.lookup(credential.access_key_id) == credential


def test_each_issue_is_a_new_key_and_unknown_keys_are_none():
    store = SessionStore()
    first = store.issue(iam_user(ACCOUNT_A), 3600, now=0.0)
    second = store.issue(iam_user(ACCOUNT_A), 3600, now=0.0)
    assert first.access_key_id != second.access_key_id
    assert first.secret_access_key != second.secret_access_key
    assert first.session_token != second.session_token
    assert store.lookup("ASIAUNKNOWNKEY000000") is None
    assert len(store) == 2


def test_expired_credentials_stay_known_for_a_day_then_are_forgotten():
    store = SessionStore()
    old = store.issue(iam_user(ACCOUNT_A), 900, now=0.0)
    # Expired, but still known: the front door can answer ExpiredToken rather than "no such key".
    store.issue(iam_user(ACCOUNT_A), 900, now=900.0 + FORGET_AFTER_SECONDS - 1)
    assert store.lookup(old.access_key_id) is old
    store.issue(iam_user(ACCOUNT_A), 900, now=900.0 + FORGET_AFTER_SECONDS + 1)
    assert store.lookup(old.access_key_id) is None
