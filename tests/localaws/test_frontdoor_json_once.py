"""The front door reads a JSON body once; its two answers are those of the two parses it replaced: Python's
`json.loads` for the early SerializationException, and the wire's strict `parse_json` after authentication."""

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localaws.errors import AwsError
from localaws.wire import document, parse_json_once

LIMIT = sys.get_int_max_str_digits()


def _two_parses(body: bytes) -> tuple[str, dict | None]:
    try:
        loose = json.loads(body)
        reading = "object" if isinstance(loose, dict) else "value"
    except ValueError:
        reading = "invalid"
    try:
        strict: dict | None = document.parse_json(body)
    except AwsError:
        strict = None
    return reading, strict


@pytest.mark.parametrize(
    "body",
    [
        b'{"StreamName":"wildrydes"}',
        b"[1, 2]",
        b'"text"',
        b"{",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'\xef\xbb\xbf{"a": 1}',  # a UTF-8 byte order mark
        '{"a": "ü"}'.encode("utf-16"),
        b'{"a": "\xff"}',
        b'{"Limit": ' + b"9" * (LIMIT + 1) + b"}",  # json.loads refuses it, the strict reading clamps it
        b'{"Data": "' + b"9" * (LIMIT + 1) + b'"}',  # the same digits inside a string: both read it
        b'{"Limit": ' + b"9" * LIMIT + b"}",
    ],
)
def test_one_parse_answers_as_the_two_did(body: bytes) -> None:
    assert parse_json_once(body) == _two_parses(body)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_any_json_value_is_read_as_the_two_parses_read_it(value: object) -> None:
    body = json.dumps(value).encode()
    assert parse_json_once(body) == _two_parses(body)
