# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""kinesis_stream's compare-then-change, call by call, against stubbed Kinesis answers.

The Stubber fails a test on any call it was not told to expect, so "no change" tests prove no write was made."""

from __future__ import annotations

import pytest
from ansible_collections.wildrydes.lab.plugins.module_utils.kinesis_stream import StreamManager, invalid_params
from ansible_collections.wildrydes.lab.tests.unit.plugins.modules.kinesis_stubs import (
    ARN,
    expect_active,
    expect_describe,
    expect_missing,
)
from ansible_collections.wildrydes.lab.tests.unit.plugins.utils import Failed, FakeModule

DEFAULTS = dict(
    name="wildrydes",
    state="present",
    stream_mode=None,
    shards=None,
    retention_period=None,
    encryption_state=None,
    encryption_type="KMS",
    key_id=None,
    enforce_consumer_deletion=False,
    wait=True,
    wait_timeout=30,
    tags=None,
    purge_tags=True,
)


def manager(stubbed, check_mode=False, **params):
    client, stubber = stubbed("kinesis")
    return StreamManager(FakeModule({**DEFAULTS, **params}, check_mode=check_mode), client), stubber


def test_creates_a_provisioned_stream_with_its_tags_and_waits_for_it(stubbed):
    streams, stub = manager(stubbed, shards=2, tags={"ManagedBy": "wildrydes-lab"})
    expect_missing(stub)
    stub.add_response(
        "create_stream",
        {},
        {
            "StreamName": "wildrydes",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "ShardCount": 2,
            "Tags": {"ManagedBy": "wildrydes-lab"},
        },
    )
    expect_active(stub)
    expect_describe(stub, tags={"ManagedBy": "wildrydes-lab"}, shards=2)
    result = streams.present()
    assert result["changed"] is True
    assert result["stream_arn"] == ARN
    assert result["stream"]["open_shard_count"] == 2
    assert result["stream"]["tags"] == {"ManagedBy": "wildrydes-lab"}
    assert result["diff"]["before"] == {}


def test_creates_on_demand_then_sets_retention_and_encryption(stubbed):
    streams, stub = manager(
        stubbed, stream_mode="ON_DEMAND", retention_period=48, encryption_state="enabled", key_id="alias/aws/kinesis"
    )
    expect_missing(stub)
    stub.add_response(
        "create_stream", {}, {"StreamName": "wildrydes", "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}
    )
    expect_active(stub)
    expect_describe(stub, mode="ON_DEMAND", shards=4)
    stub.add_response("increase_stream_retention_period", {}, {"StreamName": "wildrydes", "RetentionPeriodHours": 48})
    expect_active(stub)
    stub.add_response(
        "start_stream_encryption",
        {},
        {"StreamName": "wildrydes", "EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"},
    )
    expect_active(stub)
    expect_describe(stub, mode="ON_DEMAND", shards=4, retention=48, encryption="KMS", key_id="alias/aws/kinesis")
    result = streams.present()
    assert result["changed"] is True
    assert result["stream"]["stream_mode"] == "ON_DEMAND"
    assert result["stream"]["retention_period_hours"] == 48
    assert result["stream"]["key_id"] == "alias/aws/kinesis"


def test_creating_a_provisioned_stream_needs_shards(stubbed):
    streams, stub = manager(stubbed)
    expect_missing(stub)
    with pytest.raises(Failed, match="shards is needed"):
        streams.present()


def test_check_mode_predicts_the_new_stream_and_creates_nothing(stubbed):
    streams, stub = manager(stubbed, check_mode=True, shards=1, retention_period=72, tags={"A": "1"})
    expect_missing(stub)
    result = streams.present()
    assert result["changed"] is True
    assert result["stream_arn"] is None
    assert result["diff"]["after"]["retention_period_hours"] == 72
    assert result["diff"]["after"]["tags"] == {"A": "1"}


def test_an_unchanged_stream_is_left_alone(stubbed):
    streams, stub = manager(stubbed, stream_mode="PROVISIONED", shards=1, retention_period=24, tags={"A": "1"})
    expect_describe(stub, tags={"A": "1"})
    result = streams.present()
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_tags_left_out_leave_every_tag_alone_even_with_purge_tags(stubbed):
    streams, stub = manager(stubbed, shards=1, purge_tags=True)
    expect_describe(stub, tags={"ManagedBy": "wildrydes-lab", "CostCentre": "42"})
    result = streams.present()
    assert result["changed"] is False
    assert result["stream"]["tags"] == {"CostCentre": "42", "ManagedBy": "wildrydes-lab"}


def test_purge_tags_false_adds_without_removing(stubbed):
    streams, stub = manager(stubbed, tags={"Class": "2026-11"}, purge_tags=False)
    expect_describe(stub, tags={"ManagedBy": "wildrydes-lab"})
    stub.add_response("add_tags_to_stream", {}, {"StreamName": "wildrydes", "Tags": {"Class": "2026-11"}})
    expect_describe(stub, tags={"ManagedBy": "wildrydes-lab", "Class": "2026-11"})
    result = streams.present()
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == {"Class": "2026-11", "ManagedBy": "wildrydes-lab"}


def test_purge_tags_removes_tags_not_named_in_batches_the_model_allows(stubbed):
    extra = {f"Extra{n:02d}": "x" for n in range(60)}  # RemoveTagsFromStream takes at most 50 keys a call
    streams, stub = manager(stubbed, tags={"ManagedBy": "wildrydes-lab"})
    expect_describe(stub, tags={"ManagedBy": "wildrydes-lab", **extra})
    keys = sorted(extra)
    stub.add_response("remove_tags_from_stream", {}, {"StreamName": "wildrydes", "TagKeys": keys[:50]})
    stub.add_response("remove_tags_from_stream", {}, {"StreamName": "wildrydes", "TagKeys": keys[50:]})
    expect_describe(stub, tags={"ManagedBy": "wildrydes-lab"})
    assert streams.present()["changed"] is True


def test_switches_provisioned_to_on_demand(stubbed):
    streams, stub = manager(stubbed, stream_mode="ON_DEMAND")
    expect_describe(stub)
    stub.add_response("update_stream_mode", {}, {"StreamARN": ARN, "StreamModeDetails": {"StreamMode": "ON_DEMAND"}})
    expect_active(stub)
    expect_describe(stub, mode="ON_DEMAND", shards=4)
    expect_describe(stub, mode="ON_DEMAND", shards=4)
    result = streams.present()
    assert result["changed"] is True
    assert result["diff"]["before"]["stream_mode"] == "PROVISIONED"
    assert result["diff"]["after"]["stream_mode"] == "ON_DEMAND"


def test_switches_on_demand_to_provisioned_and_reshards(stubbed):
    streams, stub = manager(stubbed, stream_mode="PROVISIONED", shards=2)
    expect_describe(stub, mode="ON_DEMAND", shards=4)
    stub.add_response("update_stream_mode", {}, {"StreamARN": ARN, "StreamModeDetails": {"StreamMode": "PROVISIONED"}})
    expect_active(stub)
    expect_describe(stub, shards=4)
    stub.add_response(
        "update_shard_count",
        {"StreamName": "wildrydes", "CurrentShardCount": 4, "TargetShardCount": 2},
        {"StreamName": "wildrydes", "TargetShardCount": 2, "ScalingType": "UNIFORM_SCALING"},
    )
    expect_active(stub)
    expect_describe(stub, shards=2, closed=4)
    expect_describe(stub, shards=2, closed=4)
    result = streams.present()
    assert result["stream"]["open_shard_count"] == 2  # closed parent shards are not counted


def test_decreases_retention(stubbed):
    streams, stub = manager(stubbed, retention_period=24)
    expect_describe(stub, retention=168)
    stub.add_response("decrease_stream_retention_period", {}, {"StreamName": "wildrydes", "RetentionPeriodHours": 24})
    expect_active(stub)
    expect_describe(stub, retention=24)
    assert streams.present()["changed"] is True


def test_disables_encryption_with_the_stream_key(stubbed):
    streams, stub = manager(stubbed, encryption_state="disabled")
    expect_describe(stub, encryption="KMS", key_id="alias/aws/kinesis")
    stub.add_response(
        "stop_stream_encryption", {}, {"StreamName": "wildrydes", "EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
    )
    expect_active(stub)
    expect_describe(stub)
    result = streams.present()
    assert result["diff"]["after"]["encryption_type"] == "NONE"


def test_waits_for_a_stream_still_updating_before_changing_it(stubbed):
    streams, stub = manager(stubbed, retention_period=48)
    expect_describe(stub, status="UPDATING")
    expect_active(stub)
    expect_describe(stub)
    stub.add_response("increase_stream_retention_period", {}, {"StreamName": "wildrydes", "RetentionPeriodHours": 48})
    expect_active(stub)
    expect_describe(stub, retention=48)
    assert streams.present()["changed"] is True


def test_check_mode_on_an_existing_stream_changes_nothing_and_shows_the_diff(stubbed):
    streams, stub = manager(
        stubbed, check_mode=True, stream_mode="ON_DEMAND", retention_period=48, tags={"B": "2"}, purge_tags=True
    )
    expect_describe(stub, tags={"A": "1"})
    result = streams.present()
    assert result["changed"] is True
    after = result["diff"]["after"]
    assert (after["stream_mode"], after["retention_period_hours"], after["tags"]) == ("ON_DEMAND", 48, {"B": "2"})


def test_deletes_and_waits_until_gone(stubbed):
    streams, stub = manager(stubbed, state="absent", enforce_consumer_deletion=True)
    stub.add_response("describe_stream_summary", _summary(), {"StreamName": "wildrydes"})
    expect_describe(stub)
    stub.add_response("delete_stream", {}, {"StreamName": "wildrydes", "EnforceConsumerDeletion": True})
    stub.add_client_error("describe_stream", "ResourceNotFoundException", http_status_code=400)
    result = streams.absent()
    assert result["changed"] is True
    assert result["stream"] == {}
    assert result["diff"]["before"]["stream_arn"] == ARN


def test_absent_stream_is_no_change(stubbed):
    streams, stub = manager(stubbed, state="absent")
    expect_missing(stub)
    assert streams.absent() == {"changed": False, "stream_arn": None, "stream": {}, "diff": {"before": {}, "after": {}}}


def test_check_mode_delete_deletes_nothing(stubbed):
    streams, stub = manager(stubbed, check_mode=True, state="absent")
    stub.add_response("describe_stream_summary", _summary(), {"StreamName": "wildrydes"})
    expect_describe(stub)
    assert streams.absent()["changed"] is True


def _summary():
    from ansible_collections.wildrydes.lab.tests.unit.plugins.modules.kinesis_stubs import summary

    return summary()


def test_create_without_wait_returns_the_creating_stream(stubbed):
    streams, stub = manager(stubbed, shards=1, wait=False)
    expect_missing(stub)
    stub.add_response(
        "create_stream",
        {},
        {"StreamName": "wildrydes", "StreamModeDetails": {"StreamMode": "PROVISIONED"}, "ShardCount": 1},
    )
    expect_describe(stub, status="CREATING", shards=0)  # no waiter call before it
    assert streams.present()["stream"]["stream_status"] == "CREATING"


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"stream_mode": "ON_DEMAND", "shards": 2}, "shards is for PROVISIONED streams"),
        ({"shards": 0}, "shards must be at least 1"),
        ({"retention_period": 23}, "from 24 to 8760 hours"),
        ({"retention_period": 8761}, "from 24 to 8760 hours"),
    ],
)
def test_options_kinesis_would_refuse_are_refused_first(params, problem):
    assert problem in invalid_params({**DEFAULTS, **params})


def test_valid_options_pass():
    assert invalid_params({**DEFAULTS, "stream_mode": "PROVISIONED", "shards": 1, "retention_period": 8760}) is None
