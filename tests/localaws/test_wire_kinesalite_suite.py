"""Every assertValidation and assertType call of kinesalite's suite (all of test/*.js, read by node with mocha and
the helpers stubbed: the calls' arguments are recorded, nothing is sent), run through the wire.

The type tables must match exactly. Validation calls match exactly, save those where today's botocore model
contradicts what kinesalite recorded in 2020: those are listed below with the model fact, and must differ exactly
so (a new difference, or a listed one that disappears, fails the test). The list is the documentation of those
differences.
"""

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from localaws import wire
from localaws.errors import AwsError

SUITE = Path("/work/shared/conformance/kinesalite/test")
if not SUITE.is_dir():
    SUITE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "kinesalite" / "test"

EXTRACT = r"""
const Module = require('module'), path = require('path'), fs = require('fs')
const dir = process.argv[1], out = []
let current = ''
function chain() {
  const f = function() {}
  return new Proxy(f, {get(t, k) { return k === 'toFixed' || k === 'toString' ? () => '0' : chain() },
                       apply() { return chain() }, construct() { return chain() }})
}
const record = kind => function(target, a, b) {
  if (kind === 'type') return out.push({title: current, kind, target, property: a, type: b})
  out.push({title: current, kind, target, data: a, msg: b instanceof RegExp ? {regex: b.source} : b})
}
const helpers = new Proxy({
  awsRegion: 'us-east-1', awsAccountId: '000000000000', shardLimit: 50, testStream: '__kinesalite_test_stream',
  randomString: () => '123', randomName: () => '__kinesalite_test_123', opts: () => ({}),
  assertValidation: record('validation'), assertType: record('type'),
}, {get(t, k) { return k in t ? t[k] : () => {} }})
const load = Module._load
Module._load = function(request) {
  if (request === './helpers') return helpers
  if (request.startsWith('.')) return chain()
  try { return load.apply(this, arguments) } catch (e) { return chain() }
}
const stack = []
global.describe = (name, fn) => { stack.push(name); fn(); stack.pop() }
global.it = (name, fn) => {
  current = stack.concat([name]).join(' ')
  try { fn.call({timeout() {}}, () => {}) } catch (e) {}
}
global.it.skip = () => {}
global.before = global.after = global.beforeEach = global.afterEach = () => {}
for (const f of fs.readdirSync(dir).sort())
  if (f.endsWith('.js') && f !== 'helpers.js' && f !== 'connection.js') require(path.join(dir, f))
process.stdout.write(JSON.stringify(out))
"""


def _sibling(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"_wire_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# kinesalite's helpers.js assertType table (the serialization messages AWS gave), kept in test_wire_kinesalite.py.
_KINESALITE = _sibling("test_wire_kinesalite")
TYPE_CASES, nested = _KINESALITE.TYPE_CASES, _KINESALITE.nested

_NOT_REQUIRED = "{member} is not required in today's model ({shape}.required = {required})"
_PATTERN = (
    "the model's pattern is anchored now: '^(0|([1-9]\\d{{0,{n}}}))$' (kinesalite: '0|([1-9]\\d{{0,{n}}})'); "
    "AWS prints the model's pattern"
)
STREAM_NAME_OPTIONAL = "StreamName is optional now that StreamARN exists (StreamName or StreamARN: a service rule)"

# test title -> why today's model gives another answer than kinesalite recorded.
MODEL_DIFFERENCES = {
    "addTagsToStream validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "addTagsToStream validations should return ValidationException for too many tags": "TagMap max is 200 now "
    "(kinesalite: 10)",
    "createStream validations should return ValidationException for no StreamName": "ShardCount is optional now "
    "(on-demand streams; CreateStreamInput.required = [StreamName])",
    "createStream validations should return ValidationException for long StreamName": "ShardCount "
    "(PositiveIntegerObject) has min 1 and no max now (kinesalite: max 100000); the shard quota is a service rule",
    "decreaseStreamRetentionPeriod validations should return ValidationException for no StreamName": (
        STREAM_NAME_OPTIONAL
    ),
    "decreaseStreamRetentionPeriod validations should return ValidationException for empty StreamName": "the "
    "RetentionPeriodHours shape has no min/max now (kinesalite: 1..168); the bounds are a service rule",
    "decreaseStreamRetentionPeriod validations should return ValidationException for retention period greater than "
    "168": "the RetentionPeriodHours shape has no max now (kinesalite: 168; AWS allows up to 8760 hours)",
    "deleteStream validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "describeStream validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "describeStreamSummary validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "getShardIterator validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "getShardIterator validations should return ValidationException for empty StreamName": _PATTERN.format(n=128),
    "increaseStreamRetentionPeriod validations should return ValidationException for no StreamName": (
        STREAM_NAME_OPTIONAL
    ),
    "increaseStreamRetentionPeriod validations should return ValidationException for empty StreamName": "the "
    "RetentionPeriodHours shape has no min/max now (kinesalite: 1..168); the bounds are a service rule",
    "increaseStreamRetentionPeriod validations should return ValidationException for retention period greater than "
    "168": "the RetentionPeriodHours shape has no max now (kinesalite: 168; AWS allows up to 8760 hours)",
    "listTagsForStream validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "listTagsForStream validations should return ValidationException for long StreamName": "ListTagsForStreamInputLimit"
    " max is 50 now (kinesalite: 10)",
    "mergeShards validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "putRecord  validations should return ValidationException for no StreamName": "PartitionKey and StreamName are "
    "optional now (PutRecordInput.required = [Data])",
    "putRecord  validations should return ValidationException for empty StreamName": _PATTERN.format(n=38)
    + "; the same for SequenceNumberForOrdering (\\d{0,128})",
    "putRecord  validations should return ValidationException for long StreamName": "Data max is 10485760 bytes now "
    "(kinesalite: 1048576); " + _PATTERN.format(n=38),
    "putRecords validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "putRecords validations should return ValidationException for empty PartitionKey": _PATTERN.format(n=38),
    "putRecords validations should return ValidationException for long StreamName": "Data max is 10485760 bytes now "
    "(kinesalite: 1048576); " + _PATTERN.format(n=38),
    "removeTagsFromStream validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "removeTagsFromStream validations should return ValidationException for too many TagKeys": "TagKeyList max is 50 "
    "now (kinesalite: 10)",
    "splitShard validations should return ValidationException for no StreamName": STREAM_NAME_OPTIONAL,
    "splitShard validations should return ValidationException for empty StreamName": _PATTERN.format(n=38),
}


@pytest.fixture(scope="module")
def calls() -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node, "node is needed (the dashboard's toolchain) to read kinesalite's test files"
    assert SUITE.is_dir(), f"kinesalite's suite is not at {SUITE}"
    run = subprocess.run([node, "-e", EXTRACT, str(SUITE)], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(run.stdout)


def _run(target: str, data: Any) -> AwsError | None:
    try:
        wire.validate("kinesis", target, wire.decode_request("kinesis", target, "json", json.dumps(data).encode()))
    except AwsError as error:
        return error
    return None


def _matches(error: AwsError | None, expected: Any) -> bool:
    """kinesalite's assertValidation: a regex, an exact message, or the listed errors in any order."""
    if error is None or error.code != "ValidationException":
        return False
    if isinstance(expected, dict):
        return re.match(expected["regex"], error.message) is not None
    if isinstance(expected, str):
        return error.message == expected
    prefix = f"{len(expected)} validation {'error' if len(expected) == 1 else 'errors'} detected: "
    if not error.message.startswith(prefix):
        return False
    rest, pending = error.message[len(prefix) :], list(expected)
    while pending:
        found = next((m for m in pending if rest.startswith(m)), None)
        if found is None:
            return False
        rest = rest[len(found) :].removeprefix("; ")
        pending.remove(found)
    return True


def test_the_suite_was_read(calls):
    assert sum(c["kind"] == "validation" for c in calls) == 59
    assert sum(c["kind"] == "type" for c in calls) == 51


def test_every_assert_type_of_the_suite_gives_aws_message(calls):
    checked = 0
    for call in (c for c in calls if c["kind"] == "type"):
        for value, message in TYPE_CASES[call["type"]]:
            error = _run(call["target"], nested(call["property"], value))
            assert error is not None, (call["title"], value)
            assert (error.code, error.message) == ("SerializationException", message), call["title"]
            checked += 1
    assert checked == 333


def test_every_assert_validation_matches_or_differs_as_the_model_says(calls):
    differing = set()
    for call in (c for c in calls if c["kind"] == "validation"):
        if not _matches(_run(call["target"], call["data"]), call["msg"]):
            differing.add(call["title"])
    assert differing == set(MODEL_DIFFERENCES)
