"""Whatever a client sends to a Kinesis operation, the wire answers with an AwsError or typed params, never
another exception (which the front door would turn into a 500 that SDKs retry)."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localaws import wire
from localaws.errors import AwsError
from localaws.wire import cbor

OPERATIONS = [
    "CreateStream",
    "PutRecord",
    "PutRecords",
    "GetShardIterator",
    "GetRecords",
    "ListShards",
    "ListStreams",
    "AddTagsToStream",
    "RemoveTagsFromStream",
    "DescribeStreamSummary",
    "ListTagsForStream",
]
MEMBERS = [
    "StreamName",
    "StreamARN",
    "ShardCount",
    "Records",
    "Data",
    "PartitionKey",
    "ExplicitHashKey",
    "ShardId",
    "ShardIteratorType",
    "Timestamp",
    "Limit",
    "Tags",
    "TagKeys",
    "StreamModeDetails",
    "StreamMode",
    "MaxResults",
    "StreamCreationTimestamp",
    "ShardFilter",
    "Type",
    "DryRun",
    "SequenceNumberForOrdering",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "aGk=", "+/+=", "LATEST", "AT_TIMESTAMP", "0", "shardId-000000000001", "ON_DEMAND"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(MEMBERS), st.text(max_size=5)), inner, max_size=5),
    ),
    max_leaves=20,
)
documents = st.dictionaries(st.sampled_from(MEMBERS), values, max_size=6)


def _exercise(operation: str, protocol: str, body: bytes) -> None:
    try:
        params = wire.decode_request("kinesis", operation, protocol, body)
        wire.validate("kinesis", operation, params)
    except AwsError as error:
        status, _headers, encoded = wire.encode_error("kinesis", protocol, error, "r")
        assert status == 400 and encoded
        assert error.code in ("SerializationException", "ValidationException")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(OPERATIONS), documents)
def test_random_json_documents_give_params_or_aws_errors(operation, document):
    _exercise(operation, "json", json.dumps(document).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(OPERATIONS), documents)
def test_random_cbor_documents_give_params_or_aws_errors(operation, document):
    _exercise(operation, "cbor", cbor.dumps(document))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(OPERATIONS), st.binary(max_size=200))
def test_random_bytes_give_params_or_aws_errors(operation, body):
    _exercise(operation, "json", body)
    _exercise(operation, "cbor", body)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(OPERATIONS),
    st.sampled_from(MEMBERS),
    st.sampled_from(
        [
            b"1" * 5000,
            b"-" + b"9" * 5000,
            b"1e400",
            b"-1e400",
            b"1e-400",
            b"NaN",
            b"Infinity",
            b"-Infinity",
            b'"\\ud800"',
            b'"\xff\xfe"',
            b'"\xc3\x28"',
            b"[" * 10000,
            b"{}" * 2,
            b"0.1e999999999",
            b"123456789012345678901234567890",
        ]
    ),
)
def test_hostile_json_values_give_params_or_aws_errors(operation, member, raw):
    _exercise(operation, "json", b'{"' + member.encode() + b'": ' + raw + b"}")
