"""kinesalite's Kinesis suite against a fresh endpoint: every strict failure is one docs/local-endpoint.md explains
(today's AWS differing from the 2020 suite, with its source), at most 15 have another cause, and the counts hold."""

import pytest
from botocore.exceptions import ClientError

from tests.conftest import running_endpoint
from tests.localaws import conformance


@pytest.fixture(scope="module")
def kit():
    found = conformance.find_kit()
    if found is None:
        pytest.skip("kinesalite's conformance kit is not on this machine (../shared/conformance or CONFORMANCE_KIT)")
    return found


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """An endpoint of its own: the suite lists streams and expects only its own."""
    with running_endpoint(tmp_path_factory.mktemp("conformance")) as endpoint:
        yield endpoint


@pytest.mark.slow
def test_kinesalite_suite_fails_only_where_documented(kit, fresh, tmp_path):
    strict = conformance.run_kit(kit, fresh.port, fresh.admin_key(), tmp_path / "strict.json")
    listed = conformance.documented_failures()
    unexplained = sorted(set(strict.failures) - set(listed))
    assert not unexplained, f"strict failures docs/local-endpoint.md does not explain: {unexplained}\n{strict.output}"
    now_passing = sorted(title for title in listed if title in strict.passes)
    assert not now_passing, f"listed as failing in docs/local-endpoint.md but passing now: {now_passing}"
    budget = [title for title in strict.failures if listed[title]]
    assert len(budget) <= conformance.MAX_BUDGET_FAILURES, budget
    assert len(strict.passes) >= conformance.MIN_STRICT_PASSES, strict.counts


@pytest.mark.slow
def test_kinesalite_suite_relaxed_fails_only_where_todays_aws_differs(kit, fresh, tmp_path):
    relaxed = conformance.run_kit(kit, fresh.port, fresh.admin_key(), tmp_path / "relaxed.json", RELAXED="1")
    listed = conformance.documented_failures()
    not_aws = sorted(title for title in relaxed.failures if listed.get(title, True))
    assert not not_aws, f"relaxed failures other than today's AWS differing from the suite: {not_aws}"
    assert relaxed.passes, relaxed.output


def test_a_hundred_billion_shards_is_refused_at_once_and_the_endpoint_stays_small(fresh):
    """kinesalite's UNSAFE request: CreateStream with ShardCount 1e11 used to grow the endpoint until the kernel
    killed it. Now the account's shard quota refuses it before anything is made."""
    kinesis = fresh.client("kinesis", retries={"max_attempts": 1})
    with pytest.raises(ClientError) as refused:
        kinesis.create_stream(StreamName="huge", ShardCount=100_000_000_000)
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "LimitExceededException"
    assert "shard limit for the account" in error["Error"]["Message"]
    pid = fresh.control("status")["pid"]
    assert conformance.rss_mib(pid) < 300
    assert kinesis.list_streams()["StreamNames"] == []
