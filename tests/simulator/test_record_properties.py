"""Property tests (issue 10): any bytes on the stream go through the decoder and the printer (pretty and jsonl)
without an exception, one output entry each, and no raw control character reaches the output.

Over 10,000 generated records per run: random bytes, text full of escape sequences, markup, bidi overrides and
lone surrogates (invalid UTF-8), JSON with wrong types, NaN, huge numbers, deep nesting, and a few 1 MiB blobs.
"""

import base64
import io
import json
import random
import re
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import record
from simulator.printer import Printer
from simulator.safe_text import UNSAFE

tried: Counter = Counter()
# In the output, the only control character allowed is the newline that ends lines.
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
WHERE = "shardId-000000000000/49590338271490256608559692538361571095921575989136588898"
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def _refuse(name: str) -> None:
    raise AssertionError(f"{name} in the output is not JSON")


def check(data: bytes, category: str) -> None:
    """One record through the decoder and both formats: accounted for, valid, nothing raw."""
    tried[category] += 1
    decoded = record.decode(data)
    for output_format in ("pretty", "jsonl"):
        out, warnings = io.StringIO(), []
        printer = Printer(output_format, None, out, warn=warnings.append)
        assert printer.show(data, WHERE) is True
        text = out.getvalue()
        text.encode("utf-8")  # writable to any UTF-8 terminal or file: no lone surrogates
        assert text.endswith("\n") and not RAW_CONTROL.search(text)
        assert all("\n" not in line and not UNSAFE.search(line) for line in warnings)
        if output_format == "jsonl":
            assert text.count("\n") == 1, "one JSON line per record"
            value = json.loads(text, parse_constant=_refuse)
            if decoded is not None:
                assert value == decoded
            else:
                assert value["Raw"] == data.decode("utf-8", errors="replace") and value["Record"] == WHERE
                exact = base64.b64decode(value["Base64"]) if "Base64" in value else value["Raw"].encode()
                assert exact == data, "the exact bytes are in the line"
        elif decoded is None:
            assert text.count("\n") == 1, "one line per foreign record"
        else:
            assert json.loads(text) == decoded
    # A name filter never raises either; a foreign record never matches it.
    filtered = Printer("jsonl", "Shadowfax", io.StringIO(), warn=lambda _: None)
    assert filtered.show(data, WHERE) == (decoded is not None and decoded["Name"] == "Shadowfax")


HOSTILE_FRAGMENTS = [
    "\x1b[2J",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b[31m",
    "\x9b2J",
    "\x07",
    "\x08",
    "\r",
    "\n",
    "\x00",
    "\x7f",
    "\u202e",
    "\u2066",
    "\u2028",
    "\ud800",
    "\udfff",
    "[/x]",
    "[bold]",
    "[link=http://x]",
    "\\",
    '"',
    "<script>",
    "유니콘",
    "\ufffd",
    "\U0001f984",
]
hostile_text = st.lists(st.sampled_from(HOSTILE_FRAGMENTS) | st.text(max_size=8), max_size=12).map("".join)
json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | hostile_text
)
# Two levels at most (deep nesting is among the extremes below): generating deeper values is slow.
json_value = json_leaf | st.lists(json_leaf, max_size=3) | st.dictionaries(st.text(max_size=5), json_leaf, max_size=3)


# Each example is a few records: hypothesis spends most of its time per example, not per record.
def some(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(strategy, min_size=2, max_size=6)


@settings(max_examples=1300, **SETTINGS)
@given(some(st.binary(max_size=300)))
def test_random_bytes(records: list[bytes]) -> None:
    for data in records:
        check(data, "random bytes")


@settings(max_examples=800, **SETTINGS)
@given(some(hostile_text))
def test_text_with_escapes_markup_bidi_and_invalid_utf8(texts: list[str]) -> None:
    for text in texts:
        check(text.encode("utf-8", errors="surrogatepass"), "hostile text")


@settings(max_examples=600, **SETTINGS)
@given(some(st.fixed_dictionaries({field: json_value for field in record.FIELDS})), st.booleans())
def test_unicorn_shaped_json_with_wrong_types(records: list[dict], pretty: bool) -> None:
    for fields in records:
        text = json.dumps(fields, indent=2 if pretty else None, ensure_ascii=False)  # NaN and Infinity too
        check(text.encode("utf-8", errors="surrogatepass"), "wrong types")


unicorn = st.fixed_dictionaries(
    {
        "Name": hostile_text,
        "StatusTime": hostile_text,
        "Latitude": st.floats(-90, 90),
        "Longitude": st.floats(-180, 180),
        "Distance": st.integers(0, 10**20),
        "MagicPoints": st.integers(-(10**6), 10**6),
        "HealthPoints": st.integers(0, 250),
    }
)


@settings(max_examples=400, **SETTINGS)
@given(some(unicorn))
def test_unicorn_records_with_hostile_names_print_as_json(records: list[dict]) -> None:
    for fields in records:
        # As a JSON encoder writes them: lone surrogates as \ud800 escapes (the bytes are UTF-8).
        check(json.dumps(fields).encode(), "unicorn records")


def _deep(levels: int, opener: str, closer: str) -> bytes:
    return (opener * levels + "1" + closer * levels).encode()


SAMPLE = json.loads(
    json.dumps(record.UnicornStatus("Shadowfax", "2017-06-05 09:17:08.189", 1.0, 2.0, 3, 4, 5).as_dict())
)
MIB = 1024 * 1024
EXTREMES = {
    "nested arrays, 1,000 levels": _deep(1000, "[", "]"),
    "nested objects, 1,000 levels": ('{"a":' * 1000 + "1" + "}" * 1000).encode(),
    "nested arrays, 100,000 levels": _deep(100_000, "[", "]"),
    "deep Latitude": json.dumps({**SAMPLE, "Latitude": 0}).replace("0", "[" * 1000 + "0" + "]" * 1000, 1).encode(),
    "NaN": json.dumps({**SAMPLE, "Latitude": float("nan")}).encode(),
    "-Infinity": json.dumps({**SAMPLE, "Longitude": float("-inf")}).encode(),
    "1e400": json.dumps(SAMPLE).replace('"Distance": 3', '"Distance": 1e400').encode(),
    "4,300 digits": json.dumps({**SAMPLE, "Distance": 10**4299}).encode(),
    "5,000 digits": json.dumps(SAMPLE).replace('"Distance": 3', '"Distance": ' + "9" * 5000).encode(),
    "bare NaN": b"NaN",
    "empty": b"",
    "UTF-16 JSON": json.dumps(SAMPLE).encode("utf-16"),
    "1 MiB random bytes": random.Random(1).randbytes(MIB),
    "1 MiB of ESC": b"\x1b" * MIB,
    "1 MiB name": json.dumps({**SAMPLE, "Name": "\u202e" * (MIB // 3)}).encode(),
    "1 MiB of markup": b"[/x]" * (MIB // 4),
}


@pytest.mark.parametrize("name", list(EXTREMES))
def test_extremes(name: str) -> None:
    assert sys.getrecursionlimit() <= 10_000  # the 100,000 levels must be deeper than any parser goes
    check(EXTREMES[name], "extremes")


def test_the_workshop_sample_still_prints_byte_identical() -> None:
    from tests.simulator.test_record_and_unicorn import WORKSHOP_SAMPLE

    out = io.StringIO()
    Printer("pretty", None, out).show(json.dumps(json.loads(WORKSHOP_SAMPLE)).encode(), WHERE)
    assert out.getvalue() == WORKSHOP_SAMPLE + "\n"


def teardown_module() -> None:
    total = sum(tried.values())
    sys.stderr.write(f"\nrecord property tests tried {total} records: {dict(tried)}\n")
    if len(tried) == 5:  # the whole module ran (not a -k selection)
        assert total >= 10_000, f"only {total} generated records were tried"
