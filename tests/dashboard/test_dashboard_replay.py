"""Replay of the last minutes in headless Chromium (?from=2m&speed=10), against the lab's local endpoint.

A two-minute herd is not run for two minutes: its records are put one second of the endpoint's clock apart, the
clock moved on a second between puts through the endpoint's control API (ApproximateArrivalTimestamp is the
endpoint's clock, so the stream holds a herd that rode for two minutes). The endpoint's clock then runs two minutes
ahead of the browser's, which the page must live with (it asks AT_TIMESTAMP of this browser's now - 2 minutes).

Set REPLAY_SCREENSHOT=docs/dashboard-replay.png to save the page mid-replay.
"""

import json
import math
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect

from tests.dashboard.harness import start_dashboard_page
from tests.dashboard.test_dashboard_browser import marker

SECONDS = 120
CENTRE = (42.2644, -71.9758)


def status(name: str, at: float, latitude: float, longitude: float) -> bytes:
    stamp = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return json.dumps(
        {
            "Name": name,
            "StatusTime": stamp,
            "Latitude": latitude,
            "Longitude": longitude,
            "Distance": 160,
            "MagicPoints": 150,
            "HealthPoints": 80 if name == "Bucephalus" else 150,
        }
    ).encode()


def path_of(index: int, second: int, count: int) -> tuple[float, float]:
    """Each unicorn rides out from the centre on its own heading, curving a little: about 160 m a second."""
    heading = 2 * math.pi * index / count + second / 90
    radius = 0.0015 * second
    return (round(CENTRE[0] + radius * math.sin(heading), 6), round(CENTRE[1] + radius * 1.35 * math.cos(heading), 6))


def put_backdated_herd(lab, names: list[str]) -> dict[str, list[list[float]]]:
    """`SECONDS` seconds of the herd on the stream, one record per unicorn per second of the endpoint's clock."""
    kinesis = lab.admin_client("kinesis")
    paths: dict[str, list[list[float]]] = {name: [] for name in names}
    for second in range(SECONDS):
        now = lab.endpoint.control("clock")["now"]
        entries = []
        for index, name in enumerate(names):
            latitude, longitude = path_of(index, second, len(names))
            paths[name].append([latitude, longitude])
            entries.append({"Data": status(name, now, latitude, longitude), "PartitionKey": name})
        reply = kinesis.put_records(StreamName="wildrydes", Records=entries)
        assert reply["FailedRecordCount"] == 0, reply
        lab.endpoint.control("clock", {"advance_seconds": 1})
    return paths


def trails(page, names: list[str]) -> dict:
    return page.evaluate(
        "names => Object.fromEntries(names.map(n => [n, window.wildrydes.herd.unicorns.get(n)?.trail ?? []]))", names
    )


def test_two_minutes_replayed_at_x10_in_order_within_15_s_then_live(page, lab):
    # This module's lab is its own: the stream holds only what its tests put.
    names = ["Shadowfax", "Rocinante", "Bucephalus", "Marengo", "Pegasus", "Sleipnir"]
    paths = put_backdated_herd(lab, names)

    options = {"from": "2m", "speed": 10, "trail": SECONDS + 10, "trace": 1, "tiles": "none"}
    start_dashboard_page(page, lab.url(**options))
    started = time.monotonic()
    expect(page.locator(".notice-replay")).to_contain_text("replaying")
    expect(page.locator(".notice-replay")).to_contain_text("×10")
    screenshot = os.environ.get("REPLAY_SCREENSHOT")
    if screenshot:
        halfway = "name => (window.wildrydes.herd.unicorns.get(name)?.trail.length ?? 0) > 70"
        page.wait_for_function(halfway, arg=names[0])
        Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=screenshot)

    # Every unicorn's whole path, point by point in the order ridden, within about 15 s of Start (12 s of replay).
    page.wait_for_function(
        "([names, n]) => names.every(name => (window.wildrydes.herd.unicorns.get(name)?.trail.length ?? 0) >= n)",
        arg=[names, SECONDS],
        timeout=18_000,
    )
    replayed_in = time.monotonic() - started
    print(f"two minutes replayed at ×10 in {replayed_in:.1f} s")
    assert trails(page, names) == paths
    for name in names:
        expect(marker(page, name)).to_be_visible()

    # At the replay's pace, not all at once: each unicorn's first and last moves about 11.9 s apart (119 s / 10).
    trace = page.evaluate("window.wildrydes.trace")
    for name in names:
        moves = [(status_time, applied) for label, status_time, applied in trace if label == name]
        assert [s for s, _ in moves] == sorted(s for s, _ in moves), f"{name} moved out of order"
        assert moves[-1][1] - moves[0][1] >= 9_000, f"{name} replayed in {moves[-1][1] - moves[0][1]:.0f} ms"

    # Caught up: live, and a record put now appears as live records do.
    expect(page.locator(".notice-replay")).to_have_text("live (the replay caught up)", timeout=10_000)
    assert page.evaluate("document.body.dataset.replay") == "live"
    kinesis = lab.admin_client("kinesis")
    now = lab.endpoint.control("clock")["now"]
    newcomer = "Artax"
    kinesis.put_record(StreamName="wildrydes", Data=status(newcomer, now, *CENTRE), PartitionKey=newcomer)
    expect(marker(page, newcomer)).to_be_visible(timeout=5_000)
    assert not page.page_errors


def test_a_bad_from_or_speed_is_refused_naming_the_option(page, lab):
    page.goto(lab.url(**{"from": "soon"}))
    page.wait_for_selector("body[data-state=ready]")
    page.click("#start")
    expect(page.locator("#start-error")).to_have_text("from=soon: not a replay span; write it as 90s, 15m or 2h")
    page.goto(lab.url(**{"from": "30h"}))  # the lab's stream keeps 24 hours
    page.wait_for_selector("body[data-state=ready]")
    page.click("#start")
    expect(page.locator("#start-error")).to_have_text(
        "from=30h: stream wildrydes keeps records only 24 h; replay less", timeout=15_000
    )
    page.goto(lab.url(**{"from": "1m", "speed": "2"}))
    page.wait_for_selector("body[data-state=ready]")
    expect(page.locator("#start-error")).to_have_text("speed=2: the replay speed is 1, 10 or 60")
    assert page.locator("#advanced").get_attribute("open") is not None
