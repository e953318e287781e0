"""Whatever a caller sends that passes the model's checks (the front door's `wire.validate`), Kinesis answers with
an AwsError or a result, never another exception (which the front door would turn into a 500)."""

from typing import Any

import botocore.model
import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localaws import wire
from localaws.errors import AwsError
from localaws.kinesis.service import OPERATIONS
from tests.localaws.test_kinesis_support import ACCOUNT, Kinesis, make_kinesis

MODEL = botocore.session.get_session().get_service_model("kinesis")
STREAM_ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"
STRINGS = st.one_of(
    st.sampled_from(
        [
            "s",
            "other",
            "shardId-000000000000",
            "shardId-1",
            "0",
            "1",
            "2147483648",
            "340282366920938463463374607431768211455",
            "340282366920938463463374607431768211456",
            STREAM_ARN,
            STREAM_ARN + "/consumer/c:1",
            f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/s",
            "arn:aws:kinesis:us-east-1:210987654321:stream/s",
            "alias/key",
            "KMS",
            "NONE",
            "LATEST",
            "TRIM_HORIZON",
            "AT_SEQUENCE_NUMBER",
            "AFTER_SEQUENCE_NUMBER",
            "AT_TIMESTAMP",
            "ON_DEMAND",
            "PROVISIONED",
            "ALL",
            "UNIFORM_SCALING",
            "AT_LATEST",
            "AFTER_SHARD_ID",
            "49680715659703210420432273697089604137684454454895575042",
            "AAAAAAAAAAE=",
        ]
    ),
    st.text(max_size=20),
    st.from_regex(r"[1-9][0-9]{0,60}", fullmatch=True),
)


def strategy(shape: botocore.model.Shape, depth: int = 0) -> st.SearchStrategy:
    kind = shape.type_name
    if kind == "string":
        return st.sampled_from(shape.enum) | STRINGS if shape.enum else STRINGS
    if kind in ("integer", "long"):
        return st.one_of(st.integers(-3, 12), st.integers(-(2**40), 2**40), st.just(100_000_000_000))
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=40)
    if kind == "timestamp":
        return st.floats(0, 4e9, allow_nan=False)
    if kind == "list":
        return st.lists(strategy(shape.member, depth + 1), max_size=4)
    if kind == "map":
        return st.dictionaries(strategy(shape.key, depth + 1), strategy(shape.value, depth + 1), max_size=4)
    if kind == "structure":
        members = {name: strategy(member, depth + 1) for name, member in shape.members.items()}
        required = set(shape.required_members)
        return st.fixed_dictionaries(
            {name: value for name, value in members.items() if name in required},
            optional={name: value for name, value in members.items() if name not in required},
        )
    return st.none()


@pytest.fixture(scope="module")
def kinesis(tmp_path_factory) -> Kinesis:
    k = make_kinesis(tmp_path_factory.mktemp("robust"), state_transition_seconds=0)
    k.create("s", 3)
    k.put("s", 5)
    k.call("RegisterStreamConsumer", StreamARN=STREAM_ARN, ConsumerName="c")
    return k


@pytest.mark.slow
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_model_valid_requests_only_ever_raise_aws_errors(kinesis, operation):
    shape = MODEL.operation_model(operation).input_shape

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy(shape) if shape is not None else st.just({}))
    def check(params: dict[str, Any]) -> None:
        try:
            wire.validate("kinesis", operation, params)
        except AwsError:
            return  # the front door would answer this one
        try:
            kinesis.call(operation, **params)
        except AwsError as error:
            assert 400 <= error.status < 500, (operation, params, error)
        kinesis.advance(0.01)

    check()


@pytest.mark.parametrize("text", ["²", "١٢٣", "abc", "-1", "1" * 200])
def test_numbers_in_strings_that_are_not_ascii_digits_are_refused_as_arguments(kinesis, text):
    calls = [
        ("PutRecord", {"StreamName": "s", "PartitionKey": "k", "Data": b"", "ExplicitHashKey": text}),
        ("PutRecord", {"StreamName": "s", "PartitionKey": "k", "Data": b"", "SequenceNumberForOrdering": text}),
        ("SplitShard", {"StreamName": "s", "ShardToSplit": "0", "NewStartingHashKey": text}),
        (
            "GetShardIterator",
            {
                "StreamName": "s",
                "ShardId": "0",
                "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                "StartingSequenceNumber": text,
            },
        ),
    ]
    for operation, params in calls:
        with pytest.raises(AwsError) as raised:
            kinesis.call(operation, **params)
        assert raised.value.status == 400
