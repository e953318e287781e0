"""Kinesis over JSON: kinesalite's recorded AWS behaviour (test/*.js of the conformance kit), per the botocore model.

Where today's model contradicts kinesalite (written in 2020), the test follows the model and says so.
"""

import base64
import itertools
import json
from typing import Any

import pytest

from localaws import wire
from localaws.errors import AwsError

NUMBER = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
LIST = "Start of list found where not expected"
STRUCT = "Start of structure or map found where not expected."

# kinesalite's test/helpers.js assertType: (value sent, AWS's SerializationException message) per expected type.
TYPE_CASES: dict[str, list[tuple[Any, str]]] = {
    "Boolean": [
        ("23", "'23' can not be converted to an Boolean"),
        (23, f"{NUMBER} can not be converted to an Boolean"),
        (-2147483648, f"{NUMBER} can not be converted to an Boolean"),
        (2147483648, f"{NUMBER} can not be converted to an Boolean"),
        ([], LIST),
        ({}, STRUCT),
    ],
    "String": [
        (True, "class java.lang.Boolean can not be converted to an String"),
        (23, f"{NUMBER} can not be converted to an String"),
        (-2147483648, f"{NUMBER} can not be converted to an String"),
        (2147483648, f"{NUMBER} can not be converted to an String"),
        (34.56, f"{NUMBER} can not be converted to an String"),
        ([], LIST),
        ({}, STRUCT),
    ],
    "Integer": [
        ("23", "class java.lang.String can not be converted to an Integer"),
        (True, "class java.lang.Boolean can not be converted to an Integer"),
        ([], LIST),
        ({}, STRUCT),
    ],
    "Blob": [
        (True, "class java.lang.Boolean can not be converted to a Blob"),
        (23, f"{NUMBER} can not be converted to a Blob"),
        (-2147483648, f"{NUMBER} can not be converted to a Blob"),
        (2147483648, f"{NUMBER} can not be converted to a Blob"),
        (34.56, f"{NUMBER} can not be converted to a Blob"),
        ([], LIST),
        ({}, STRUCT),
        (
            "23456",
            "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes "
            "but found: 5",
        ),
        ("=+/=", "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"),
        ("+/+=", "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"),
    ],
    "Timestamp": [
        ("23", "class java.lang.String can not be converted to milliseconds since epoch"),
        (True, "class java.lang.Boolean can not be converted to milliseconds since epoch"),
        ([], LIST),
        ({}, STRUCT),
    ],
    "List": [
        ("23", "Expected list or null"),
        (True, "Expected list or null"),
        (23, "Expected list or null"),
        (-2147483648, "Expected list or null"),
        (2147483648, "Expected list or null"),
        (34.56, "Expected list or null"),
        ({}, STRUCT),
    ],
    "Map": [
        ("23", "Expected map or null"),
        (True, "Expected map or null"),
        (23, "Expected map or null"),
        (-2147483648, "Expected map or null"),
        (2147483648, "Expected map or null"),
        (34.56, "Expected map or null"),
        ([], LIST),
    ],
    "Structure": [
        ("23", "Expected null"),
        (True, "Expected null"),
        (23, "Expected null"),
        (-2147483648, "Expected null"),
        (2147483648, "Expected null"),
        (34.56, "Expected null"),
        ([], LIST),
    ],
}


def nested(prop: str, value: Any) -> dict[str, Any]:
    """kinesalite's body for a property path: 'Records.0.Data' -> {'Records': [{'Data': value}]}."""
    pieces = prop.split(".")
    data: dict[str, Any] = {}
    child: Any = data
    for here, following in itertools.pairwise(pieces):
        fresh: Any = [] if following == "0" else {}
        if isinstance(child, list):
            child.append(fresh)
        else:
            child[here] = fresh
        child = fresh
    if isinstance(child, list):
        child.append(value)
    else:
        child[pieces[-1]] = value
    return data


def call(service: str, operation: str, data: Any, protocol: str = "json") -> dict[str, Any]:
    """Decode and validate as the front door does."""
    body = json.dumps(data).encode() if protocol == "json" and not isinstance(data, bytes) else data
    params = wire.decode_request(service, operation, protocol, body)
    wire.validate(service, operation, params)
    return params


def error_of(service: str, operation: str, data: Any, protocol: str = "json") -> AwsError:
    with pytest.raises(AwsError) as caught:
        call(service, operation, data, protocol)
    return caught.value


def validation_messages(message: str) -> list[str]:
    """The listed errors of a validation message, after checking its 'N validation error(s) detected: ' prefix."""
    head, _, rest = message.partition(" detected: ")
    count = int(head.split()[0])
    assert head == f"{count} validation {'error' if count == 1 else 'errors'}"
    parts = rest.split("; Value ")
    parts = [parts[0]] + ["Value " + part for part in parts[1:]]
    assert len(parts) == count
    return parts


# --- serializations: every assertType of the eight operations' kinesalite tests ---------------------------------

TYPE_CHECKS = [
    ("CreateStream", "StreamName", "String"),
    ("CreateStream", "ShardCount", "Integer"),
    ("PutRecord", "Data", "Blob"),
    ("PutRecord", "ExplicitHashKey", "String"),
    ("PutRecord", "PartitionKey", "String"),
    ("PutRecord", "SequenceNumberForOrdering", "String"),
    ("PutRecord", "StreamName", "String"),
    ("PutRecords", "Records", "List"),
    ("PutRecords", "Records.0", "Structure"),
    ("PutRecords", "Records.0.Data", "Blob"),
    ("PutRecords", "Records.0.ExplicitHashKey", "String"),
    ("PutRecords", "Records.0.PartitionKey", "String"),
    ("PutRecords", "StreamName", "String"),
    ("GetShardIterator", "ShardId", "String"),
    ("GetShardIterator", "ShardIteratorType", "String"),
    ("GetShardIterator", "StartingSequenceNumber", "String"),
    ("GetShardIterator", "StreamName", "String"),
    ("GetShardIterator", "Timestamp", "Timestamp"),
    ("GetRecords", "Limit", "Integer"),
    ("GetRecords", "ShardIterator", "String"),
    ("ListShards", "StreamName", "String"),
    ("ListShards", "MaxResults", "Integer"),
    ("ListShards", "ExclusiveStartShardId", "String"),
    ("ListShards", "NextToken", "String"),
    ("ListShards", "StreamCreationTimestamp", "Timestamp"),
    ("ListStreams", "Limit", "Integer"),
    ("ListStreams", "ExclusiveStartStreamName", "String"),
    ("AddTagsToStream", "Tags", "Map"),
    ("AddTagsToStream", "Tags.a", "String"),
    ("AddTagsToStream", "StreamName", "String"),
    ("RemoveTagsFromStream", "TagKeys", "List"),
    ("RemoveTagsFromStream", "TagKeys.0", "String"),
]

SERIALIZATION_CASES = [
    pytest.param(operation, prop, value, message, id=f"{operation}-{prop}-{kind}-{json.dumps(value)}")
    for operation, prop, kind in TYPE_CHECKS
    for value, message in TYPE_CASES[kind]
]


@pytest.mark.parametrize(("operation", "prop", "value", "message"), SERIALIZATION_CASES)
def test_wrong_type_is_a_serialization_exception_with_aws_message(operation, prop, value, message):
    error = error_of("kinesis", operation, nested(prop, value))
    assert (error.code, error.message, error.status) == ("SerializationException", message, 400)


def test_serialization_exception_body_names_its_message_Message_as_kinesis_does():
    error = error_of("kinesis", "CreateStream", {"StreamName": True})
    status, headers, body = wire.encode_error("kinesis", "json", error, "req-1")
    assert status == 400
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(body) == {
        "__type": "SerializationException",
        "Message": "class java.lang.Boolean can not be converted to an String",
    }


@pytest.mark.parametrize("body", [b"", b"hello", b"true", b"null", b"[]", b"{", b'{"a": NaN}', b"\xff\xfe{}"])
def test_a_body_that_is_not_a_json_object_is_a_serialization_exception_without_message(body):
    with pytest.raises(AwsError) as caught:
        wire.decode_request("kinesis", "ListStreams", "json", body)
    assert (caught.value.code, caught.value.message) == ("SerializationException", None)
    _, _, encoded = wire.encode_error("kinesis", "json", caught.value, "r")
    assert json.loads(encoded) == {"__type": "SerializationException"}


def test_numbers_are_truncated_into_the_integer_range_as_aws_does():
    # kinesalite createStream 'long StreamName': ShardCount 100000000000 is shown as '2147483647'.
    assert wire.decode_request("kinesis", "CreateStream", "json", b'{"ShardCount": 100000000000}') == {
        "ShardCount": 2147483647
    }
    assert wire.decode_request("kinesis", "GetRecords", "json", b'{"Limit": -1e400, "ShardIterator": "x"}') == {
        "Limit": -2147483648,
        "ShardIterator": "x",
    }
    assert wire.decode_request("kinesis", "GetRecords", "json", b'{"Limit": 34.56}') == {"Limit": 34}


def test_decoded_params_are_typed_and_unknown_members_and_nulls_dropped():
    params = wire.decode_request(
        "kinesis",
        "PutRecords",
        "json",
        b'{"StreamName": "s", "Records": [{"Data": "aGk=", "PartitionKey": "p", "Bogus": 1}, null], "Whatever": {},'
        b' "StreamARN": null}',
    )
    assert params == {"StreamName": "s", "Records": [{"Data": b"hi", "PartitionKey": "p"}]}
    params = wire.decode_request("kinesis", "GetShardIterator", "json", b'{"Timestamp": 1700000000.25}')
    assert params == {"Timestamp": 1700000000.25}


def test_a_json_double_passes_for_a_boolean_an_integer_does_not():
    # kinesalite's Boolean table: "For some reason, doubles are fine".
    assert wire.decode_request("kinesis", "PutRecord", "json", b'{"DryRun": 1.0}') == {"DryRun": True}
    assert wire.decode_request("kinesis", "PutRecord", "json", b'{"DryRun": false}') == {"DryRun": False}


# --- validations ------------------------------------------------------------------------------------------------

NAME_129 = "a" * 129
NAME_257 = "a" * 257
PATTERN_NAME = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
# Today's model anchors these patterns (kinesalite recorded '0|([1-9]\d{0,38})' and '0|([1-9]\d{0,128})');
# AWS prints the model's pattern.
PATTERN_HASH_KEY = r"Member must satisfy regular expression pattern: ^(0|([1-9]\d{0,38}))$"
PATTERN_SEQUENCE = r"Member must satisfy regular expression pattern: ^(0|([1-9]\d{0,128}))$"
MIN_1 = "Member must have length greater than or equal to 1"


def v(value: str | None, path: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


NOT_NULL = "Member must not be null"

VALIDATION_CASES = [
    # createStream.js 'no StreamName': kinesalite also expects shardCount null; ShardCount is optional now
    # (on-demand streams: CreateStreamInput.ShardCount is not required).
    ("CreateStream", {}, [v(None, "streamName", NOT_NULL)]),
    (
        "CreateStream",
        {"StreamName": "", "ShardCount": 0},
        [
            v("", "streamName", PATTERN_NAME),
            v("", "streamName", MIN_1),
            v("0", "shardCount", "Member must have value greater than or equal to 1"),
        ],
    ),
    # createStream.js 'long StreamName': kinesalite also expects shardCount <= 100000; the model has no maximum.
    (
        "CreateStream",
        {"StreamName": NAME_129, "ShardCount": 100000000000},
        [v(NAME_129, "streamName", "Member must have length less than or equal to 128")],
    ),
    # putRecord.js 'no StreamName': kinesalite expects partitionKey, data, streamName; only Data is required now.
    ("PutRecord", {}, [v(None, "data", NOT_NULL)]),
    (
        "PutRecord",
        {"StreamName": "", "PartitionKey": "", "Data": "", "ExplicitHashKey": "", "SequenceNumberForOrdering": ""},
        [
            v("", "streamName", PATTERN_NAME),
            v("", "streamName", MIN_1),
            v("", "partitionKey", MIN_1),
            v("", "explicitHashKey", PATTERN_HASH_KEY),
            v("", "sequenceNumberForOrdering", PATTERN_SEQUENCE),
        ],
    ),
    # putRecords.js 'no StreamName': kinesalite also expects streamName null; it is optional now (StreamARN).
    ("PutRecords", {}, [v(None, "records", NOT_NULL)]),
    (
        "PutRecords",
        {"StreamName": "", "Records": []},
        [
            v("[]", "records", MIN_1),
            v("", "streamName", PATTERN_NAME),
            v("", "streamName", MIN_1),
        ],
    ),
    (
        "PutRecords",
        {"StreamName": "", "Records": [{"PartitionKey": "", "Data": "", "ExplicitHashKey": ""}]},
        [
            v("", "records.1.member.explicitHashKey", PATTERN_HASH_KEY),
            v("", "records.1.member.partitionKey", MIN_1),
            v("", "streamName", PATTERN_NAME),
            v("", "streamName", MIN_1),
        ],
    ),
    # getShardIterator.js 'no StreamName': kinesalite also expects streamName null; it is optional now.
    (
        "GetShardIterator",
        {},
        [v(None, "shardId", NOT_NULL), v(None, "shardIteratorType", NOT_NULL)],
    ),
    (
        "GetShardIterator",
        {"StreamName": "", "ShardIteratorType": "", "ShardId": "", "StartingSequenceNumber": ""},
        [
            v("", "streamName", PATTERN_NAME),
            v("", "streamName", MIN_1),
            v("", "shardId", PATTERN_NAME),
            v("", "shardId", MIN_1),
            v(
                "",
                "shardIteratorType",
                "Member must satisfy enum value set: "
                "[AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]",
            ),
            v("", "startingSequenceNumber", PATTERN_SEQUENCE),
        ],
    ),
    (
        "GetShardIterator",
        {"StreamName": NAME_129, "ShardId": NAME_129, "ShardIteratorType": "LATEST"},
        [
            v(NAME_129, "streamName", "Member must have length less than or equal to 128"),
            v(NAME_129, "shardId", "Member must have length less than or equal to 128"),
        ],
    ),
    ("GetRecords", {}, [v(None, "shardIterator", NOT_NULL)]),
    (
        "GetRecords",
        {"ShardIterator": "", "Limit": 0},
        [v("", "shardIterator", MIN_1), v("0", "limit", "Member must have value greater than or equal to 1")],
    ),
    (
        "GetRecords",
        {"ShardIterator": "a" * 513, "Limit": 100000},
        [
            v("a" * 513, "shardIterator", "Member must have length less than or equal to 512"),
            v("100000", "limit", "Member must have value less than or equal to 10000"),
        ],
    ),
    (
        "ListShards",
        {"StreamName": "", "NextToken": "", "MaxResults": 0, "ExclusiveStartShardId": ""},
        [
            v("", "streamName", PATTERN_NAME),
            v("", "streamName", MIN_1),
            v("", "nextToken", MIN_1),
            v("", "exclusiveStartShardId", PATTERN_NAME),
            v("", "exclusiveStartShardId", MIN_1),
            v("0", "maxResults", "Member must have value greater than or equal to 1"),
        ],
    ),
    (
        "ListShards",
        {"StreamName": NAME_129, "MaxResults": 100000, "ExclusiveStartShardId": NAME_129},
        [
            v(NAME_129, "streamName", "Member must have length less than or equal to 128"),
            v(NAME_129, "exclusiveStartShardId", "Member must have length less than or equal to 128"),
            v("100000", "maxResults", "Member must have value less than or equal to 10000"),
        ],
    ),
    (
        "ListStreams",
        {"ExclusiveStartStreamName": "", "Limit": 0},
        [
            v("0", "limit", "Member must have value greater than or equal to 1"),
            v("", "exclusiveStartStreamName", PATTERN_NAME),
            v("", "exclusiveStartStreamName", MIN_1),
        ],
    ),
    (
        "ListStreams",
        {"ExclusiveStartStreamName": NAME_129, "Limit": 1000000},
        [
            v("1000000", "limit", "Member must have value less than or equal to 10000"),
            v(NAME_129, "exclusiveStartStreamName", "Member must have length less than or equal to 128"),
        ],
    ),
    # addTagsToStream.js 'no StreamName': kinesalite also expects streamName null; it is optional now.
    ("AddTagsToStream", {}, [v(None, "tags", NOT_NULL)]),
    (
        "AddTagsToStream",
        {"StreamName": "", "Tags": {}},
        [v("", "streamName", PATTERN_NAME), v("", "streamName", MIN_1), v("{}", "tags", MIN_1)],
    ),
    (
        "AddTagsToStream",
        {"StreamName": NAME_129, "Tags": {"a;b": "b"}},
        [v(NAME_129, "streamName", "Member must have length less than or equal to 128")],
    ),
    (
        "AddTagsToStream",
        {"StreamName": "s", "Tags": {"a": "1", "b": "2", NAME_129: "3"}},
        [
            v(
                f"{{a=1, b=2, {NAME_129}=3}}",
                "tags",
                "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
                "Member must have length greater than or equal to 1]",
            )
        ],
    ),
    (
        "AddTagsToStream",
        {"StreamName": "s", "Tags": {"a": "1", "b": "2", "c": NAME_257}},
        [
            v(
                f"{{a=1, b=2, c={NAME_257}}}",
                "tags",
                "Map value must satisfy constraint: [Member must have length less than or equal to 256, "
                "Member must have length greater than or equal to 0]",
            )
        ],
    ),
    (
        "RemoveTagsFromStream",
        {"StreamName": "s", "TagKeys": ["a", NAME_129, "b"]},
        [
            v(
                f"[a, {NAME_129}, b]",
                "tagKeys",
                "Member must satisfy constraint: [Member must have length less than or equal to 128, "
                "Member must have length greater than or equal to 1]",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("operation", "data", "expected"),
    [pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(VALIDATION_CASES)],
)
def test_constraint_violations_are_listed_in_aws_words_in_model_order(operation, data, expected):
    error = error_of("kinesis", operation, data)
    assert (error.code, error.status) == ("ValidationException", 400)
    assert validation_messages(error.message) == expected


def test_valid_requests_pass():
    call("kinesis", "CreateStream", {"StreamName": "wildrydes", "ShardCount": 1})
    call("kinesis", "PutRecord", {"StreamName": "wildrydes", "Data": "aGk=", "PartitionKey": "u1"})
    call("kinesis", "GetShardIterator", {"StreamName": "w", "ShardId": "shardId-0", "ShardIteratorType": "LATEST"})
    call(
        "kinesis",
        "AddTagsToStream",
        {"StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/w", "Tags": {"a": ""}},
    )
    call("kinesis", "ListStreams", {})


def test_large_data_is_shown_as_a_heap_byte_buffer():
    # putRecord.js 'long StreamName' sent 1048577 bytes, over the 1 MiB limit of 2020; the model allows 10 MiB now,
    # so this sends one byte more than that.
    data = base64.b64encode(bytes(10 * 1024 * 1024 + 1)).decode()
    error = error_of("kinesis", "PutRecord", {"StreamName": NAME_129, "PartitionKey": NAME_257, "Data": data})
    assert validation_messages(error.message) == [
        v(NAME_129, "streamName", "Member must have length less than or equal to 128"),
        v(
            "java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]",
            "data",
            "Member must have length less than or equal to 10485760",
        ),
        v(NAME_257, "partitionKey", "Member must have length less than or equal to 256"),
    ]


def test_too_many_records_lists_ten_errors_with_the_entries_as_aws_prints_them():
    # putRecords.js 'too many records': the entries' toString, hash included, is what AWS printed.
    records = [{"PartitionKey": "", "Data": ""}] * 501
    error = error_of("kinesis", "PutRecords", {"StreamName": "", "Records": records})
    entries = ", ".join(["com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310"] * 501)
    assert validation_messages(error.message) == [
        v(f"[{entries}]", "records", "Member must have length less than or equal to 500"),
        *[v("", f"records.{i}.member.partitionKey", MIN_1) for i in range(1, 10)],
    ]
