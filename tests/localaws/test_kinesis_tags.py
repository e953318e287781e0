"""Kinesis tags in-process: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream and the ARN-based TagResource,
UntagResource and ListTagsForResource (kinesalite's tag tests, with today's 50-tag limit)."""

import pytest

from tests.localaws.test_kinesis_support import ACCOUNT, Kinesis, make_kinesis

ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"
BAD = "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."


@pytest.fixture
def kinesis(tmp_path) -> Kinesis:
    k = make_kinesis(tmp_path)
    k.create("s")
    return k


def listed(kinesis: Kinesis, **params) -> dict:
    return kinesis.call("ListTagsForStream", StreamName="s", **params)


def test_tags_list_in_code_point_order_and_page(kinesis):
    assert listed(kinesis) == {"Tags": [], "HasMoreTags": False}
    tags = {"a": "b", " ": "a", "ÿ": "a", "_": "a", "/": "a", "=": "a", "+": "a", "Zb": "z", "0": "a", "@": "a"}
    kinesis.call("AddTagsToStream", StreamName="s", Tags=tags)
    assert [tag["Key"] for tag in listed(kinesis)["Tags"]] == [" ", "+", "/", "0", "=", "@", "Zb", "_", "a", "ÿ"]
    assert listed(kinesis, ExclusiveStartTagKey="@", Limit=2) == {
        "Tags": [{"Key": "Zb", "Value": "z"}, {"Key": "_", "Value": "a"}],
        "HasMoreTags": True,
    }
    assert len(listed(kinesis, ExclusiveStartTagKey="$Z%*(*&@,,.,,ZAC")["Tags"]) == 9
    assert [tag["Key"] for tag in listed(kinesis, ExclusiveStartTagKey="Za$Z%*(*&@,,.,,")["Tags"]] == [
        "Zb",
        "_",
        "a",
        "ÿ",
    ]


def test_adding_overwrites_and_removing_ignores_missing_keys(kinesis):
    kinesis.call(
        "AddTagsToStream", StreamName="s", Tags={"a": "a", "ü0 _.": "a", "/=+-@": "a", "b": "ü0 _./=+-@", "c": ""}
    )
    kinesis.call("AddTagsToStream", StreamName="s", Tags={"a": "b"})
    tags = {tag["Key"]: tag["Value"] for tag in listed(kinesis)["Tags"]}
    assert tags == {"a": "b", "ü0 _.": "a", "/=+-@": "a", "b": "ü0 _./=+-@", "c": ""}
    kinesis.call("RemoveTagsFromStream", StreamName="s", TagKeys=["ü0 _.", "/=+-@", "nope"])
    assert [tag["Key"] for tag in listed(kinesis)["Tags"]] == ["a", "b", "c"]


@pytest.mark.parametrize("text", ["abc;def", "abc\tdef", "abc\ndef", "abc,def"])
def test_invalid_characters_are_refused(kinesis, text):
    for params in ({"Tags": {text: "1"}}, {"Tags": {"a": text}}):
        error = kinesis.error("AddTagsToStream", StreamName="s", **params)
        assert (error.code, error.message) == ("InvalidArgumentException", BAD)
    assert kinesis.error("RemoveTagsFromStream", StreamName="s", TagKeys=[text]).message == BAD


def test_a_percent_sign_has_its_own_message(kinesis):
    assert kinesis.error("AddTagsToStream", StreamName="s", Tags={"abc%def": "1"}).message == (
        f"Failed to add tags to stream s under account {ACCOUNT} because some tags contained illegal characters. "
        "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."
    )
    assert kinesis.error("RemoveTagsFromStream", StreamName="s", TagKeys=["abc%def"]).message.startswith(
        f"Failed to remove tags from stream s under account {ACCOUNT} because"
    )


def test_at_most_50_tags_per_stream(kinesis):
    kinesis.call("AddTagsToStream", StreamName="s", Tags={str(n): "v" for n in range(45)})
    error = kinesis.error("AddTagsToStream", StreamName="s", Tags={f"x{n}": "v" for n in range(6)})
    assert (error.code, error.message) == (
        "InvalidArgumentException",
        f"Failed to add tags to stream s under account {ACCOUNT} because a given stream cannot have more than 50 tags "
        "associated with it.",
    )
    kinesis.call("AddTagsToStream", StreamName="s", Tags={f"x{n}": "v" for n in range(5)})
    kinesis.call("AddTagsToStream", StreamName="s", Tags={"0": "overwritten"})  # overwriting adds none
    assert len(listed(kinesis, Limit=50)["Tags"]) == 50
    assert kinesis.error("CreateStream", StreamName="t", ShardCount=1, Tags={str(n): "v" for n in range(51)}).code == (
        "InvalidArgumentException"
    )


def test_tags_given_at_creation(kinesis):
    kinesis.call("CreateStream", StreamName="t", ShardCount=1, Tags={"team": "unicorns"})
    assert kinesis.call("ListTagsForStream", StreamName="t")["Tags"] == [{"Key": "team", "Value": "unicorns"}]


def test_arn_based_tagging_of_streams_and_consumers(kinesis):
    kinesis.call("TagResource", ResourceARN=ARN, Tags={"k": "v"})
    assert kinesis.call("ListTagsForResource", ResourceARN=ARN) == {"Tags": [{"Key": "k", "Value": "v"}]}
    assert listed(kinesis)["Tags"] == [{"Key": "k", "Value": "v"}]
    kinesis.call("UntagResource", ResourceARN=ARN, TagKeys=["k"])
    assert kinesis.call("ListTagsForResource", ResourceARN=ARN) == {"Tags": []}
    consumer = kinesis.call("RegisterStreamConsumer", StreamARN=ARN, ConsumerName="c", Tags={"x": "1"})["Consumer"]
    consumer_arn = consumer["ConsumerARN"]
    assert kinesis.call("ListTagsForResource", ResourceARN=consumer_arn) == {"Tags": [{"Key": "x", "Value": "1"}]}
    kinesis.call("TagResource", ResourceARN=consumer_arn, Tags={"y": "2"})
    kinesis.call("UntagResource", ResourceARN=consumer_arn, TagKeys=["x"])
    assert kinesis.call("ListTagsForResource", ResourceARN=consumer_arn) == {"Tags": [{"Key": "y", "Value": "2"}]}
    missing = kinesis.error("ListTagsForResource", ResourceARN=consumer_arn.replace("/c:", "/d:"))
    assert missing.code == "ResourceNotFoundException"
    gone = kinesis.error("ListTagsForResource", ResourceARN=ARN + "-gone")
    assert gone.code == "ResourceNotFoundException"
