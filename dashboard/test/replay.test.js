import assert from "node:assert/strict";
import { test } from "node:test";
import { Herd } from "../src/herd.js";
import { setLanguage } from "../src/i18n.js";
import { checkRetention, parseFrom, parseSpeed, Replay, ReplayOptionError } from "../src/replay.js";
import { decodeRecord } from "../src/record.js";

const WALL = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A replay on a hand-driven clock; `advance(ms)` moves real time on and ticks. */
function driven({ fromMs = 120_000, speed = 10, shards = [{ id: "s0", done: false, ready: true }], ...rest } = {}) {
  let real = 0;
  const out = [];
  let wentLive = 0;
  const replay = new Replay({
    fromMs,
    speed,
    now: () => real,
    wallNow: () => WALL,
    shards: () => shards,
    onRecord: (item, at) => out.push({ item, at, real }),
    onLive: () => (wentLive += 1),
    ...rest,
  });
  const advance = (ms) => {
    real += ms;
    replay.tick();
  };
  return { replay, out, advance, shards, live: () => wentLive };
}

const item = (arrival, data = "") => ({ ApproximateArrivalTimestamp: new Date(arrival), Data: data });

test("from and speed: spans in s, m, h; speeds 1, 10, 60; anything else names the option", () => {
  setLanguage("en");
  assert.equal(parseFrom("90s"), 90_000);
  assert.equal(parseFrom("15m"), 900_000);
  assert.equal(parseFrom(" 2h "), 7_200_000);
  assert.equal(parseFrom("1.5m"), 90_000);
  assert.equal(parseFrom(""), null);
  assert.equal(parseFrom(null), null);
  for (const bad of ["15", "m", "-5m", "0m", "15 minutes", "1e3s", "Infinityh", "15m;drop", "9000h"]) {
    assert.throws(() => parseFrom(bad), (error) => error instanceof ReplayOptionError && /^from=/.test(error.message));
  }
  assert.throws(() => parseFrom("soon"), { message: "from=soon: not a replay span; write it as 90s, 15m or 2h" });
  assert.equal(parseSpeed("1"), 1);
  assert.equal(parseSpeed("×60"), 60);
  assert.equal(parseSpeed(""), 10);
  for (const bad of ["2", "0", "-10", "fast", "10.5"]) {
    assert.throws(() => parseSpeed(bad), { message: `speed=${bad}: the replay speed is 1, 10 or 60` });
  }
  assert.throws(() => checkRetention(25 * 3_600_000, "25h", 24, "wildrydes"), {
    message: "from=25h: stream wildrydes keeps records only 24 h; replay less",
  });
  checkRetention(24 * 3_600_000, "24h", 24, "wildrydes");
  setLanguage("ko");
  assert.throws(() => parseSpeed("2"), { message: "speed=2: 재생 속도는 1, 10, 60 중 하나입니다" });
  setLanguage("en");
});

test("records are handed on at their arrival pace ×10 (ApproximateArrivalTimestamp, not StatusTime)", () => {
  const { replay, out, advance } = driven({ speed: 10 });
  assert.equal(replay.startAt.getTime(), WALL - 120_000);
  const first = WALL - 100_000;
  // StatusTime runs backwards here: only the stream's arrival times count.
  replay.add(
    [0, 1, 2, 3].map((i) => item(first + i * 1000, `{"StatusTime":"${3 - i}"}`)),
    "s0",
  );
  replay.report("s0", { behind: 5000 });
  advance(0);
  // Silence before the first record is skipped: it comes at once.
  assert.deepEqual(
    out.map((o) => o.at),
    [first],
  );
  advance(99);
  assert.equal(out.length, 1, "1 s of stream time is 100 ms at ×10");
  advance(1);
  assert.equal(out.length, 2);
  advance(200);
  assert.deepEqual(
    out.map((o) => o.at),
    [first, first + 1000, first + 2000, first + 3000],
  );
  assert.deepEqual(
    out.map((o) => o.real),
    [0, 100, 300, 300],
  );
});

test("×1 and ×60: the same stream time takes ten times longer, or six times shorter", () => {
  for (const [speed, realMs] of [
    [1, 10_000],
    [60, 10_000 / 60],
  ]) {
    const { replay, out, advance } = driven({ speed });
    replay.add([item(WALL - 60_000), item(WALL - 50_000)], "s0");
    replay.report("s0", { behind: 0 });
    advance(0);
    advance(realMs - 1);
    assert.equal(out.length, 1, `×${speed}`);
    advance(1);
    assert.equal(out.length, 2, `×${speed}`);
  }
});

test("the clock never passes what a shard behind has been read up to: records come in arrival order", () => {
  const shards = [
    { id: "a", done: false, ready: true },
    { id: "b", done: false, ready: true },
  ];
  const { replay, out, advance } = driven({ shards, speed: 60 });
  replay.add([item(WALL - 60_000, "a1"), item(WALL - 30_000, "a2"), item(WALL - 10_000, "a3")], "a");
  replay.report("a", { behind: 0 });
  // b has not answered yet: nothing is known to be first.
  advance(1000);
  assert.equal(out.length, 0);
  replay.add([item(WALL - 40_000, "b1")], "b");
  replay.report("b", { behind: 9000 }); // more of b to come, after WALL - 40 s
  advance(10_000);
  assert.deepEqual(
    out.map((o) => o.item.Data),
    ["a1", "b1"],
  );
  replay.add([item(WALL - 20_000, "b2")], "b");
  replay.report("b", { behind: 0 });
  advance(10_000);
  assert.deepEqual(
    out.map((o) => o.item.Data),
    ["a1", "b1", "a2", "b2", "a3"],
  );
});

test("caught up (every shard at its tip, nothing waiting): live, and the clock goes on at ×1", () => {
  const { replay, out, advance, live } = driven({ speed: 10 });
  replay.add([item(WALL - 20_000), item(WALL - 10_000)], "s0");
  replay.report("s0", { behind: 1000 });
  advance(0);
  advance(1000); // stream time WALL - 10 s: both are out, but the shard was behind
  assert.equal(out.length, 2);
  assert.equal(live(), 0);
  replay.report("s0", { behind: 0 });
  advance(100);
  assert.equal(live(), 1);
  assert.equal(replay.live, true);
  const at = replay.time();
  advance(500);
  assert.equal(replay.time(), at + 500, "×1 once live");
  replay.add([item(WALL + 5_000, "now")], "s0");
  assert.equal(out.at(-1).item.Data, "now");
  assert.equal(out.at(-1).at, at + 500, "a live record arrives on the page's clock");
  assert.equal(replay.mayRead("s0"), true);
});

test("a ×1 replay never joins live while records keep coming: it stays `from` behind", () => {
  const { replay, out, advance, live } = driven({ speed: 1, fromMs: 60_000 });
  // The last minute is on the stream already; one more record arrives every second of real time.
  replay.add(
    Array.from({ length: 60 }, (_, second) => item(WALL - 60_000 + second * 1000)),
    "s0",
  );
  for (let second = 0; second < 120; second += 1) {
    replay.add([item(WALL + second * 1000)], "s0");
    replay.report("s0", { behind: 0 });
    advance(1000);
  }
  assert.equal(live(), 0);
  assert.equal(out.length, 121);
  assert.equal(replay.time(), WALL + 60_000);
});

test("silence expiry follows the replayed clock: a unicorn silent 30 s of stream time leaves after 3 s at ×10", () => {
  const herd = new Herd({ timeoutMs: 30_000 });
  const { replay, advance } = driven({
    speed: 10,
    onRecord: (it, at) => herd.ingest(decodeRecord(it.Data), at, at),
  });
  herd.clock = () => replay.time();
  const start = WALL - 100_000;
  const records = [];
  for (let second = 0; second <= 60; second += 1) {
    if (second <= 10) records.push(item(start + second * 1000, `{"Name":"Quiet","StatusTime":"","Latitude":1,"Longitude":${second},"Distance":1,"MagicPoints":150,"HealthPoints":150}`));
    records.push(item(start + second * 1000 + 1, `{"Name":"Busy","StatusTime":"","Latitude":2,"Longitude":2,"Distance":1,"MagicPoints":150,"HealthPoints":150}`));
  }
  replay.add(records, "s0");
  replay.report("s0", { behind: 0 });
  advance(0);
  advance(1000); // 10 s replayed: Quiet's last record
  assert.equal(herd.unicorns.get("Quiet").trail.length, 11, "its whole path, point by point");
  advance(2900); // 39 s: 29 s of silence
  assert.deepEqual(herd.expire(), []);
  advance(100); // 40 s: 30 s of silence
  assert.deepEqual(herd.expire(), ["Quiet"]);
  assert.ok(herd.unicorns.has("Busy"));
});

test("a shard with two full reads waiting is held back until the replay hands them on", () => {
  const { replay, advance } = driven({ maxWaitingPerShard: 3, speed: 60 });
  replay.add([item(WALL - 60_000), item(WALL - 59_000)], "s0");
  assert.equal(replay.mayRead("s0"), true);
  replay.add([item(WALL - 30_000)], "s0");
  assert.equal(replay.mayRead("s0"), false);
  assert.equal(replay.mayRead("other"), true);
  replay.report("s0", { behind: 1000 });
  advance(0);
  assert.equal(replay.mayRead("s0"), true);
  assert.equal(replay.waiting, 2);
});

test("a shard not yet read (its parents are) does not hold the clock, but is not caught up either", () => {
  const shards = [
    { id: "parent", done: false, ready: true },
    { id: "child", done: false, ready: false },
  ];
  const { replay, out, advance, live } = driven({ shards, speed: 60 });
  replay.add([item(WALL - 30_000)], "parent");
  replay.report("parent", { behind: 0 });
  advance(1000);
  assert.equal(out.length, 1);
  assert.equal(live(), 0);
  shards[0].done = true;
  shards[1].ready = true;
  advance(100);
  assert.equal(live(), 0, "the child has not answered yet");
  replay.report("child", { behind: 0 });
  advance(100);
  assert.equal(live(), 1);
});
