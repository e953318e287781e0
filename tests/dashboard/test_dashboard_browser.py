"""The live unicorn map in headless Chromium, against the local endpoint with IAM enforcement on, provisioned by
the real setup.yml, served by `simulate dashboard`, fed by `simulate produce` / `simulate fleet`.

Each test uses its own unicorn names, so what earlier tests left on the stream never confuses it.
"""

import json
import re
import secrets
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.dashboard.harness import start_dashboard_page

POOL_NOT_FOUND = "pool not found: run `ansible-playbook setup.yml` again"
SIGN_IN_CALLS = [
    "AWSCognitoIdentityService.GetId",
    "AWSCognitoIdentityService.GetOpenIdToken",
    "STS.AssumeRoleWithWebIdentity",
]


def marker(page, name: str):
    return page.locator(".unicorn-marker").filter(has=page.get_by_text(name, exact=True))


def row(page, name: str):
    return page.locator("#unicorn-list .unicorn-row").filter(has=page.get_by_text(name, exact=True))


def json_or_none(data: bytes):
    """The stream carries what anyone wrote (other tests write hostile records): only JSON is of interest here."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: deep nesting
        return None


def last_record(lab, name: str) -> dict:
    """What the stream holds last for `name`, read with the local admin's key (not the page's credentials)."""
    kinesis = admin_kinesis(lab)
    found = []
    for shard in kinesis.list_shards(StreamName="wildrydes")["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName="wildrydes", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            reply = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
            found += [decoded for r in reply["Records"] if isinstance(decoded := json_or_none(r["Data"]), dict)]
            if not reply["Records"] or reply.get("MillisBehindLatest", 0) == 0:
                break
            iterator = reply["NextShardIterator"]
    mine = [r for r in found if r.get("Name") == name]
    assert mine, f"no record of {name} on the stream"
    return max(mine, key=lambda r: r["StatusTime"])


def test_first_marker_within_3_s_and_the_popup_shows_the_record(page, lab):
    start_dashboard_page(page, lab.url())
    producer = lab.produce("Shadowfax-1", 2)
    first_record = lab.wait_first_record(producer)
    marker(page, "Shadowfax-1").wait_for(state="visible", timeout=10_000)
    assert time.monotonic() - first_record <= 3.0, "the first marker came more than 3 s after the first record"

    lab.stop(producer)
    record = last_record(lab, "Shadowfax-1")
    marker(page, "Shadowfax-1").locator(".unicorn-dot").click()
    popup = page.locator(".leaflet-popup .unicorn-popup")
    expect(popup.locator("[data-field=time]")).to_have_text(f"{record['StatusTime']} UTC")
    expect(popup.locator("h3")).to_have_text("Shadowfax-1")
    expect(popup.locator("[data-field=speed]")).to_have_text(f"{record['Distance'] * 2.23694:.1f} mph")
    expect(popup.locator("[data-field=health]")).to_have_text(str(record["HealthPoints"]))
    expect(popup.locator("[data-field=magic]")).to_have_text(str(record["MagicPoints"]))
    # The list row says the same.
    expect(row(page, "Shadowfax-1").locator("[data-field=health]")).to_have_text(str(record["HealthPoints"]))
    # Signed in by the basic flow only.
    assert page.aws_targets[:3] == SIGN_IN_CALLS
    assert not [t for t in page.aws_targets if t.endswith("GetCredentialsForIdentity")]
    assert "Kinesis_20131202.GetRecords" in page.aws_targets
    assert page.page_errors == []


def test_two_unicorns_a_silent_one_leaves_after_the_timeout_and_comes_back(page, lab):
    start_dashboard_page(page, lab.url(timeout=4))
    first = lab.produce("Bucephalus-2", 2)
    second = lab.produce("Rocinante-2", 2)
    for name in ("Bucephalus-2", "Rocinante-2"):
        expect(marker(page, name)).to_be_visible(timeout=15_000)
        expect(row(page, name)).to_have_count(1)
    expect(page.locator("#unicorn-list .unicorn-row")).to_have_count(2)

    lab.stop(first)
    expect(marker(page, "Bucephalus-2")).to_have_count(0, timeout=20_000)
    expect(row(page, "Bucephalus-2")).to_have_count(0)
    expect(marker(page, "Rocinante-2")).to_be_visible()
    expect(row(page, "Rocinante-2")).to_have_count(1)

    lab.produce("Bucephalus-2", 2)
    expect(marker(page, "Bucephalus-2")).to_be_visible(timeout=15_000)
    expect(row(page, "Bucephalus-2")).to_have_count(1)
    # Back with a fresh trail, not the one it left with.
    trail = page.evaluate("name => window.wildrydes.herd.unicorns.get(name).trail.length", "Bucephalus-2")
    assert trail <= 3
    assert second.poll() is None


def test_a_herd_in_trouble_stands_out_on_the_map_and_in_the_list(page, lab, tmp_path):
    herd = tmp_path / "herd.yml"
    herd.write_text(
        "stream: wildrydes\nrate: 1\nseed: 3\n"
        "unicorns:\n  - name: Fine-3\n"
        "herds:\n  - prefix: Sick\n    count: 3\n    health: 80\n"
        "consumer:\n  enabled: false\n"
    )
    start_dashboard_page(page, lab.url())
    lab.simulate("fleet", str(herd))
    sick = ["Sick-0001", "Sick-0002", "Sick-0003"]
    for name in [*sick, "Fine-3"]:
        expect(marker(page, name)).to_be_visible(timeout=15_000)
    for name in sick:
        expect(marker(page, name).locator(".unicorn")).to_have_class(re.compile(r"\blow\b"))
        expect(row(page, name)).to_have_class(re.compile(r"\blow\b"))
        expect(row(page, name).locator("[data-field=health]")).to_have_class(re.compile(r"\blow\b"))
    expect(marker(page, "Fine-3").locator(".unicorn")).not_to_have_class(re.compile(r"\blow\b"))
    expect(row(page, "Fine-3")).not_to_have_class(re.compile(r"\blow\b"))
    # Standing out means looking different, not just a class name.
    sick_colour = marker(page, "Sick-0001").locator(".unicorn-dot").evaluate("e => getComputedStyle(e).backgroundColor")
    fine_colour = marker(page, "Fine-3").locator(".unicorn-dot").evaluate("e => getComputedStyle(e).backgroundColor")
    assert sick_colour != fine_colour


def test_a_name_with_markup_is_shown_as_text_and_runs_no_script(page, lab):
    name = "<img src=x onerror=alert(1)>"
    start_dashboard_page(page, lab.url())
    lab.produce(name, 2)
    expect(marker(page, name)).to_be_visible(timeout=15_000)
    expect(marker(page, name).locator(".unicorn-name")).to_have_text(name)
    expect(row(page, name).locator(".cell-name")).to_have_text(name)
    marker(page, name).locator(".unicorn-dot").click()
    expect(page.locator(".leaflet-popup .unicorn-popup h3")).to_have_text(name)
    page.wait_for_timeout(1000)  # more records, more renders
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("document.querySelectorAll('#dashboard img, .leaflet-popup img').length") == 0
    assert page.dialogs == []
    assert page.page_errors == []


def test_a_wrong_pool_id_says_pool_not_found_and_never_asks_for_enhanced_flow_credentials(page, lab):
    page.goto(lab.url())
    page.wait_for_selector("body[data-state=ready]")
    page.fill("#identityPoolId", "us-east-1:00000000-0000-0000-0000-000000000000")
    page.click("#start")
    expect(page.locator("#start-error")).to_have_text(POOL_NOT_FOUND)
    assert "AWSCognitoIdentityService.GetId" in page.aws_targets
    assert not [t for t in page.aws_targets if t.endswith("GetCredentialsForIdentity")]
    assert page.locator("#start-screen").is_visible()


def test_access_denied_and_an_unreachable_endpoint_each_have_their_message(page, lab):
    # wait=0: a refusal is not waited out as IAM propagation (test_dashboard_propagation.py covers the waiting).
    page.goto(lab.url(advanced=1, wait=0))
    page.wait_for_selector("body[data-state=ready]")
    # A role whose trust policy does not admit guests of this pool.
    page.fill("#unauthRoleArn", lab.config["unauthRoleArn"].replace("Unauth_Role", "Auth_Role"))
    page.click("#start")
    expect(page.locator("#start-error")).to_contain_text("access denied:")
    expect(page.locator("#start-error")).to_contain_text("check the unauth role ARN")

    page.fill("#unauthRoleArn", lab.config["unauthRoleArn"])
    page.fill("#endpoint", "http://127.0.0.1:9")  # nothing listens on the discard port
    page.click("#start")
    expect(page.locator("#start-error")).to_contain_text("endpoint unreachable: cannot reach http://127.0.0.1:9")
    assert not [t for t in page.aws_targets if t.endswith("GetCredentialsForIdentity")]


def test_typed_values_are_remembered_until_a_new_setup_changes_the_config(page, lab):
    page.goto(lab.url(advanced=1))
    page.wait_for_selector("body[data-state=ready]")
    expect(page.locator("#identityPoolId")).to_have_value(lab.config["identityPoolId"])
    expect(page.locator("#endpoint")).to_have_value(lab.config["endpoint"])
    page.fill("#streamName", "no-such-stream")
    page.click("#start")
    # The guest role may read its own stream only: any other is denied (as on AWS), before "not found".
    expect(page.locator("#start-error")).to_have_text(
        "access denied: the guest role may not read stream no-such-stream; run `ansible-playbook setup.yml` again"
    )
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    expect(page.locator("#streamName")).to_have_value("no-such-stream")

    config_file = lab.build_dir / "local" / "dashboard-config.json"
    original = config_file.read_text()
    try:
        config_file.write_text(
            json.dumps({**lab.config, "identityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555"})
        )
        page.reload()
        page.wait_for_selector("body[data-state=ready]")
        expect(page.locator("#identityPoolId")).to_have_value("us-east-1:11111111-2222-3333-4444-555555555555")
        expect(page.locator("#streamName")).to_have_value(lab.config["streamName"])
    finally:
        config_file.write_text(original)


def admin_kinesis(lab):
    return lab.admin_client("kinesis")


def status_time(when: datetime) -> str:
    """StatusTime as the producer writes it: UTC, milliseconds."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def unicorn_record(name: str, when: datetime, latitude: float = 42.26, **extra) -> bytes:
    record = {
        "Name": name,
        "StatusTime": status_time(when),
        "Latitude": latitude,
        "Longitude": -71.97,
        "Distance": 175,
        "MagicPoints": 150,
        "HealthPoints": 150,
        **extra,
    }
    return json.dumps(record, ensure_ascii=False).encode()


def put_records(lab, records: list[tuple[str, bytes]]) -> None:
    """Write (partition key, data) pairs in order, 500 per PutRecords, as a writer the page cannot trust."""
    kinesis = admin_kinesis(lab)
    for start in range(0, len(records), 500):
        batch = [{"PartitionKey": key, "Data": data} for key, data in records[start : start + 500]]
        reply = kinesis.put_records(StreamName="wildrydes", Records=batch)
        assert reply["FailedRecordCount"] == 0, reply


def test_a_writer_with_many_random_names_cannot_grow_the_page_past_its_cap(page, lab):
    start_dashboard_page(page, lab.url(max=50))
    now = datetime.now(UTC)
    names = [f"Random-{secrets.token_hex(6)}" for _ in range(400)]
    put_records(lab, [(name, unicorn_record(name, now)) for name in names])
    notice = page.locator("#notices .notice-cap")
    expect(notice).to_have_text("showing the 50 most recent unicorns; older ones were dropped", timeout=15_000)
    page.wait_for_function("() => window.wildrydes.received >= 400", timeout=15_000)
    page.wait_for_timeout(500)  # the next frame renders what the last batch changed
    expect(page.locator(".unicorn-marker")).to_have_count(50)
    expect(page.locator("#unicorn-list .unicorn-row")).to_have_count(50)
    expect(page.locator("#count")).to_have_text("50")
    assert page.evaluate("window.wildrydes.herd.size") == 50
    # The newest stay; the notice is said once, however many were dropped.
    expect(marker(page, names[-1])).to_have_count(1)
    expect(marker(page, names[0])).to_have_count(0)
    expect(page.locator("#notices .notice-cap")).to_have_count(1)
    assert page.page_errors == []


def test_two_long_names_sharing_their_first_200_characters_are_two_markers(page, lab):
    start_dashboard_page(page, lab.url())
    prefix = "Twin-" + "n" * 250
    names = [f"{prefix}-one", f"{prefix}-two"]
    label = prefix[:200] + "…"
    now = datetime.now(UTC)
    put_records(lab, [(name[:256], unicorn_record(name, now, latitude=42.2 + i)) for i, name in enumerate(names)])
    markers = page.locator(".unicorn-marker").filter(has=page.get_by_text(label, exact=True))
    expect(markers).to_have_count(2, timeout=15_000)
    expect(page.locator("#unicorn-list .unicorn-row").filter(has=page.get_by_text(label, exact=True))).to_have_count(2)
    assert page.page_errors == []


def test_a_status_time_3_h_ahead_still_moves_the_marker_and_the_popup_flags_the_skew(page, lab):
    name = "Skewed-9"
    start_dashboard_page(page, lab.url(timeout=4))
    position = "name => { const u = window.wildrydes.herd.unicorns.get(name); return u && u.latitude; }"
    ahead = datetime.now(UTC) + timedelta(hours=3)
    put_records(lab, [(name, unicorn_record(name, ahead, latitude=42.0))])
    expect(marker(page, name)).to_be_visible(timeout=15_000)
    # The producer's clock is put right: its times step back three hours; the unicorn rides on regardless.
    put_records(lab, [(name, unicorn_record(name, datetime.now(UTC), latitude=42.1))])
    page.wait_for_function(f"name => ({position})(name) === 42.1", arg=name, timeout=10_000)
    # ... and wrong again: three hours ahead.
    ahead = datetime.now(UTC) + timedelta(hours=3)
    put_records(lab, [(name, unicorn_record(name, ahead, latitude=42.2))])
    page.wait_for_function(f"name => ({position})(name) === 42.2", arg=name, timeout=10_000)
    moved_to = page.evaluate(
        "name => { const p = window.wildrydes.mapView.items.get(name).marker.getLatLng(); return p.lat; }", name
    )
    assert moved_to == 42.2
    marker(page, name).locator(".unicorn-dot").click()
    popup = page.locator(".leaflet-popup .unicorn-popup")
    expect(popup.locator("[data-field=time]")).to_have_text(f"{status_time(ahead)} UTC")
    expect(popup.locator("[data-field=skew]")).to_have_text("clock skew +3 h")
    # The timeout counts from the record's arrival, not from its StatusTime three hours ahead.
    expect(marker(page, name)).to_have_count(0, timeout=15_000)
    assert page.page_errors == []


def test_a_korean_unicorn_name_is_shown(page, lab):
    name = "유니콘"
    start_dashboard_page(page, lab.url())
    put_records(lab, [(name, unicorn_record(name, datetime.now(UTC)))])
    expect(marker(page, name).locator(".unicorn-name")).to_have_text(name, timeout=15_000)
    expect(row(page, name).locator(".cell-name")).to_have_text(name)
    marker(page, name).locator(".unicorn-dot").click()
    expect(page.locator(".leaflet-popup .unicorn-popup h3")).to_have_text(name)


def test_hostile_records_are_skipped_counted_and_run_nothing(page, lab):
    start_dashboard_page(page, lab.url())
    now = datetime.now(UTC)
    good = unicorn_record("Sound-10", now)
    invalid_utf8 = good.replace(b"Sound", b"So\xffnd")
    hostile = [
        b"plain [/x] text",
        b"\x1b[2J\x1b]52;c;aGVsbG8=\x07",
        b"\xff\xfe\xc3\x28",
        b"NaN",
        json.dumps({"Name": "Wrong-10", "Latitude": "NaN", "Longitude": "Infinity"}).encode(),
        good.replace(b'"Latitude": 42.26', b'"Latitude": 1e999'),
        good.replace(b'"Distance": 175', b'"Distance": "175"'),
        b"[" * 100_000 + b"]" * 100_000,
        b"{" + b"x" * (1024 * 1024 - 100),
        b"",
    ]
    markup = unicorn_record('<img src=x onerror="alert(1)">', now)
    put_records(lab, [("hostile", data) for data in hostile] + [("good", good), ("good", invalid_utf8), ("m", markup)])
    expect(page.locator("#notices .notice-skipped")).to_have_text(
        f"skipped records: {len(hostile)} (not unicorn status)", timeout=15_000
    )
    expect(marker(page, "Sound-10")).to_be_visible()
    expect(marker(page, "So\ufffdnd-10")).to_be_visible()
    expect(marker(page, '<img src=x onerror="alert(1)">')).to_be_visible()
    # Every record read is accounted for: shown or counted as skipped.
    read, shown, skipped = page.evaluate("[wildrydes.reader.stats.records, wildrydes.received, wildrydes.skipped]")
    assert read == shown + skipped, (read, shown, skipped)
    assert page.locator("img[src=x]").count() == 0
    assert page.dialogs == []
    assert page.page_errors == []


def test_after_a_reshard_the_map_reads_the_child_shards_and_the_unicorn_rides_on_in_order(page, lab):
    """Last in this module: it leaves the stream resharded (back to one open shard)."""
    start_dashboard_page(page, lab.url(trace=1))
    producer = lab.produce("Pegasus-8", 2)
    expect(marker(page, "Pegasus-8")).to_be_visible(timeout=15_000)
    kinesis = admin_kinesis(lab)
    kinesis.update_shard_count(StreamName="wildrydes", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    kinesis.get_waiter("stream_exists").wait(StreamName="wildrydes")
    resharded = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    # Records put after the reshard land on a child shard: the page finds it and reads on.
    page.wait_for_function(
        "([name, after]) => (window.wildrydes.herd.unicorns.get(name)?.statusTime ?? '') > after",
        arg=["Pegasus-8", resharded],
        timeout=20_000,
    )
    page.wait_for_timeout(2000)
    lab.stop(producer)
    shards = page.evaluate("[...window.wildrydes.reader.shards.values()].map(s => [s.id, s.done])")
    assert len(shards) == 3 and sorted(done for _, done in shards) == [False, False, True]
    # The map shows the last record; the marker never moved back (the page logs each move with ?trace=1).
    last = last_record(lab, "Pegasus-8")
    page.wait_for_function(
        "([name, time]) => window.wildrydes.herd.unicorns.get(name)?.statusTime === time",
        arg=["Pegasus-8", last["StatusTime"]],
        timeout=10_000,
    )
    shown = [status for name, status, _ in page.evaluate("window.wildrydes.trace") if name == "Pegasus-8"]
    assert shown == sorted(shown)
    kinesis.update_shard_count(StreamName="wildrydes", TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    kinesis.get_waiter("stream_exists").wait(StreamName="wildrydes")
