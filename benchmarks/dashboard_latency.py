"""The dashboard in headless Chromium: put->marker latency, and the main thread's load with 1,000 unicorns.

    .venv/bin/python benchmarks/dashboard_latency.py [--seconds 30] [--unicorns 1000] [--screenshot docs/dashboard.png]
        [--tiles local|none|osm] [--lang en|ko]

Starts the whole lab as an attendee gets it (tests/dashboard/harness.py, the browser tests' lab: a localaws endpoint
with its defaults (IAM enforcement on) through tests/conftest.py's `running_endpoint`, `ansible-playbook setup.yml`
with an inventory naming the account's generated profile, `simulate dashboard`), opens the dashboard with
`?trace=1` (the page then logs, for each marker it moves, the record's name, StatusTime and the time of the move)
and presses Start. Street tiles come from a local tile server (tests/dashboard/tileserver.py: a generated 256x256
PNG per tile, on 127.0.0.1) unless --tiles says otherwise: the page then loads tiles as it would on the network,
without the benchmark depending on it (`osm`: OpenStreetMap's own, when online; `none`: no tile layer).

1. Latency: 10 unicorns (our unicorn model), one record a second each, staggered, put one by one with
   PutRecord; each record's StatusTime is the moment just before its put. Latency = time the marker moved
   to that record - StatusTime (same machine, same clock). The page reads at the default GetRecords budget
   (1.6 calls/s per shard). Target: p50 <= 400 ms.
2. Load: `simulate fleet` with 1,000 unicorns at 1 Hz (the herd is 1,000 records a second on one shard).
   Once every unicorn is on the map, the main thread's busy share over `--seconds` is the growth of
   Chromium's TaskDuration (DevTools Performance.getMetrics: time the renderer's main thread spent running
   tasks: script, style, layout, paint) divided by the wall time. Target: <= 50%. Long tasks (> 50 ms,
   PerformanceObserver) are counted too. The renderer's CPU time over the same seconds (/proc, all its threads) is
   printed beside it: TaskDuration is wall time, which grows when other programs share the cores.

With --screenshot, the page of part 1 (ten unicorns, two in trouble, one popup open) is saved as a PNG, in the
language --lang asks for.
Exit status 0 when both targets are met, 1 otherwise.
"""

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.unicorn import Unicorn  # noqa: E402
from tests.dashboard.harness import dashboard_lab, launch_browser, start_dashboard_page  # noqa: E402
from tests.dashboard.tileserver import tile_server  # noqa: E402

TARGET_P50_MS = 400.0
TARGET_BUSY = 0.50
NAMES = [
    "Shadowfax",
    "Bucephalus",
    "Rocinante",
    "Pegasus",
    "Artax",
    "Epona",
    "Silver",
    "Binky",
    "Brego",
    "Hidalgo",
]
IN_TROUBLE = {"Rocinante": 88, "Binky": 94}  # starting health below 100


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


class Putter:
    """Ten unicorns, one record a second each, staggered over the second, put with PutRecord."""

    def __init__(self, kinesis: Any):
        self.kinesis = kinesis
        self.rng = random.Random(2017)
        self.unicorns = []
        for index, name in enumerate(NAMES):
            start = (42.2644 + self.rng.uniform(-0.25, 0.25), -71.9758 + self.rng.uniform(-0.35, 0.35))
            health = IN_TROUBLE.get(name, 150)
            self.unicorns.append(Unicorn(name, self.rng, start, health=health, heading=index * 36.0))
        self.stop = threading.Event()
        self.put = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        slot = 1.0 / len(self.unicorns)
        tick = time.monotonic()
        while not self.stop.is_set():
            for unicorn in self.unicorns:
                tick += slot
                pause = tick - time.monotonic()
                if pause > 0 and self.stop.wait(pause):
                    return
                status = unicorn.step(self.rng, datetime.now(UTC))
                self.kinesis.put_record(StreamName="wildrydes", PartitionKey=unicorn.name, Data=status.encode())
                self.put += 1


def status_epoch_ms(status_time: str) -> float:
    moment = datetime.strptime(status_time, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
    return moment.timestamp() * 1000


def measure_latency(page, lab, seconds: float, screenshot: Path | None, options: dict[str, str]) -> dict:
    start_dashboard_page(page, lab.url(trace=1, **options))
    # The lab attendee's account as its admin, signed with the key the endpoint generated for it.
    putter = Putter(lab.admin_client("kinesis"))
    putter.thread.start()
    try:
        page.wait_for_timeout(3000)  # warm-up: every unicorn on the map, the view fitted
        page.evaluate("window.wildrydes.trace.length = 0")
        page.wait_for_timeout(seconds * 1000)
        trace = page.evaluate("window.wildrydes.trace")
        if screenshot is not None:
            page.locator(".unicorn-marker").filter(has=page.get_by_text("Shadowfax", exact=True)).locator(
                ".unicorn-dot"
            ).click()
            page.wait_for_timeout(1500)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
    finally:
        putter.stop.set()
        putter.thread.join(timeout=10)
    latencies = [applied - status_epoch_ms(status) for _, status, applied in trace]
    return {
        "records": len(latencies),
        "put": putter.put,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "mean": statistics.fmean(latencies),
    }


def renderer_cpu_seconds() -> float:
    """CPU time (user + system, all threads) of the Chromium renderers this process started, from /proc: unlike
    TaskDuration (wall time of the main thread's tasks), it does not grow when other programs take the cores."""
    parents: dict[int, int] = {}
    renderers: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
            if b"--type=renderer" in (entry / "cmdline").read_bytes():
                renderers[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError):
            continue
    mine = os.getpid()

    def descends(pid: int) -> bool:
        for _ in range(16):
            pid = parents.get(pid, 0)
            if pid == mine:
                return True
            if pid <= 1:
                return False
        return False

    return sum(cpu for pid, cpu in renderers.items() if descends(pid))


LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: false });
"""


def measure_load(browser, lab, unicorns: int, seconds: float, folder: Path, options: dict[str, str]) -> dict:
    herd = folder / "herd-load.yml"
    herd.write_text(
        f"stream: wildrydes\nrate: 1\nseed: 1\nherds:\n  - prefix: Load\n    count: {unicorns}\n"
        "    spread_m: 20000\nconsumer:\n  enabled: false\n"
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        start_dashboard_page(page, lab.url(**options))
        fleet = lab.simulate("fleet", str(herd))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and page.evaluate("window.wildrydes.herd.size") < unicorns:
            time.sleep(0.5)
        on_map = page.evaluate("window.wildrydes.herd.size")
        if on_map < unicorns:
            raise SystemExit(f"only {on_map} of {unicorns} unicorns reached the map in 120 s")
        page.wait_for_timeout(3000)  # settle: the view fitted, the list filled
        page.evaluate(LONG_TASKS)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "timeTicks"})

        def metrics() -> dict[str, float]:
            return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

        before = metrics()
        cpu_before = renderer_cpu_seconds()
        received_before = page.evaluate("window.wildrydes.received")
        page.wait_for_timeout(seconds * 1000)
        after = metrics()
        cpu = renderer_cpu_seconds() - cpu_before
        received = page.evaluate("window.wildrydes.received") - received_before
        long_tasks = page.evaluate("window.__longTasks")
        behind = page.evaluate("Math.max(0, ...Object.values(window.wildrydes.reader.stats.millisBehind))")
        wall = after["Timestamp"] - before["Timestamp"]
        lab.stop(fleet)
        return {
            "unicorns": on_map,
            "seconds": wall,
            "records_per_s": received / wall,
            "busy": (after["TaskDuration"] - before["TaskDuration"]) / wall,
            "renderer_cpu": cpu / wall,
            "script": (after["ScriptDuration"] - before["ScriptDuration"]) / wall,
            "layout": (
                after["LayoutDuration"]
                + after["RecalcStyleDuration"]
                - before["LayoutDuration"]
                - before["RecalcStyleDuration"]
            )
            / wall,
            "long_tasks": len(long_tasks),
            "long_task_ms": sum(long_tasks),
            "behind_ms": behind,
        }
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each measurement")
    parser.add_argument("--unicorns", type=int, default=1000, help="herd size of the load measurement")
    parser.add_argument("--screenshot", type=Path, help="save the page of the latency run here (PNG)")
    parser.add_argument("--skip-load", action="store_true", help="only the latency (and the screenshot)")
    parser.add_argument(
        "--tiles", choices=["local", "none", "osm"], default="local", help="street tiles: a local tile server (default)"
    )
    parser.add_argument("--lang", choices=["en", "ko"], default="en", help="the page's language")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmp,
        dashboard_lab(Path(tmp)) as lab,
        tile_server("ok") if args.tiles == "local" else contextlib.nullcontext() as tiles,
        sync_playwright() as playwright,
    ):
        options = {"lang": args.lang, "tiles": tiles.template if tiles else args.tiles}
        browser = launch_browser(playwright)
        version = browser.version
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            latency = measure_latency(context.new_page(), lab, args.seconds, args.screenshot, options)
            context.close()
            tiles_in_latency = len(tiles.requests) if tiles else 0
            load = (
                None if args.skip_load else measure_load(browser, lab, args.unicorns, args.seconds, Path(tmp), options)
            )
            tiles_served = len(tiles.requests) if tiles else 0
        finally:
            browser.close()

    ok = latency["p50"] <= TARGET_P50_MS
    print(f"Chromium {version}, dashboard {lab.dashboard_url}, lang={args.lang}")
    if args.tiles == "local":
        print(
            f"street tiles from a local tile server: {tiles_in_latency} tiles in the latency run, "
            f"{tiles_served - tiles_in_latency} in the load run"
        )
    else:
        print(f"tiles={args.tiles}")
    print(
        f"put->marker latency, 10 unicorns at 1 Hz, default budget (1.6 GetRecords/s per shard): "
        f"{latency['records']} records: p50 {latency['p50']:.0f} ms, p99 {latency['p99']:.0f} ms, "
        f"mean {latency['mean']:.0f} ms, max {latency['max']:.0f} ms "
        f"-> {'PASS' if ok else 'FAIL'} (target p50 <= {TARGET_P50_MS:.0f} ms)"
    )
    if load is not None:
        load_ok = load["busy"] <= TARGET_BUSY
        ok = ok and load_ok
        print(
            f"main thread with {load['unicorns']} unicorns at 1 Hz ({load['records_per_s']:.0f} records/s read) "
            f"over {load['seconds']:.0f} s: busy {load['busy']:.0%} (script {load['script']:.0%}, "
            f"style+layout {load['layout']:.0%}); {load['long_tasks']} long tasks, {load['long_task_ms']:.0f} ms; "
            f"reader {load['behind_ms']} ms behind at the end; renderer CPU {load['renderer_cpu']:.0%} of one core "
            f"-> {'PASS' if load_ok else 'FAIL'} (target busy <= {TARGET_BUSY:.0%})"
        )
    if args.screenshot:
        print(f"screenshot saved to {args.screenshot}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
