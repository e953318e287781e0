// The reader in a replay, against the fake Kinesis with arrival times: AT_TIMESTAMP on every shard, the budget
// per shard kept while behind, the reader held back while the replay has enough waiting; and the whole chain
// (reader -> replay -> herd) replaying a herd's last minute in order, then joining live.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Herd } from "../src/herd.js";
import { ShardReader } from "../src/reader.js";
import { decodeRecord } from "../src/record.js";
import { Replay } from "../src/replay.js";
import { sleep, until } from "./fake-kinesis.js";
import { status, TimedKinesis } from "./replay-kinesis.js";

const text = (record) => new TextDecoder().decode(record.Data);

function reader(kinesis, options) {
  const seen = [];
  const r = new ShardReader({
    client: kinesis,
    streamName: "wildrydes",
    relistMs: 100,
    random: () => 0.5,
    onRecords: (records, shardId) => seen.push(...records.map((x) => [shardId, text(x)])),
    ...options,
  });
  return { r, seen };
}

test("a replay reads every shard from AT_TIMESTAMP, the closed ones too: nothing older, all that is newer", async () => {
  const now = Date.now();
  const kinesis = new TimedKinesis();
  kinesis.addShard("old", { closed: true });
  kinesis.addShard("s0", { parents: ["old"] });
  kinesis.addShard("s1");
  kinesis.put("old", "too old", now - 300_000);
  kinesis.put("old", "o1", now - 100_000);
  kinesis.put("s0", "a1", now - 50_000);
  kinesis.put("s1", "too old", now - 130_000);
  kinesis.put("s1", "b1", now - 60_000);
  const { r, seen } = reader(kinesis, { budgetPerShard: 50, startAt: new Date(now - 120_000) });
  await r.start();
  kinesis.put("s0", "a2");
  await until(() => seen.length === 4);
  r.stop();
  assert.deepEqual(seen.slice(0, 1), [["old", "o1"]], "the parent first");
  assert.deepEqual(seen.slice(1).sort(), [
    ["s0", "a1"],
    ["s0", "a2"],
    ["s1", "b1"],
  ]);
  const iterators = kinesis.calls.filter((c) => c.name === "GetShardIterator");
  assert.ok(iterators.every((c) => c.input.ShardIteratorType === "AT_TIMESTAMP"));
});

test("a start time past the stream's clock (this browser's clock ahead): LATEST, nothing replayed", async () => {
  const kinesis = new TimedKinesis();
  kinesis.addShard("s0");
  kinesis.put("s0", "before");
  const { r, seen } = reader(kinesis, { budgetPerShard: 50, startAt: new Date(Date.now() + 60_000) });
  await r.start();
  kinesis.put("s0", "after");
  await until(() => seen.length === 1);
  r.stop();
  assert.deepEqual(seen, [["s0", "after"]]);
});

test("replaying, a shard far behind keeps to the budget: 10,000 records per call, not more calls", async () => {
  const now = Date.now();
  const kinesis = new TimedKinesis();
  kinesis.addShard("s0");
  for (let i = 0; i < 45_000; i += 1) kinesis.put("s0", `r${i}`, now - 100_000 + i);
  const { r, seen } = reader(kinesis, { budgetPerShard: 10, startAt: new Date(now - 120_000) });
  await r.start();
  await until(() => seen.length === 45_000, 3000);
  r.stop();
  const calls = kinesis.calls.filter((c) => c.name === "GetRecords");
  assert.equal(calls[0].input.Limit, 10_000);
  // 5 reads of 10,000 records (the last one short), each at least 100 ms after the one before (10 calls/s).
  assert.ok(calls.length >= 5);
  for (let i = 1; i < 5; i += 1) assert.ok(calls[i].at - calls[i - 1].at >= 95, `gap ${calls[i].at - calls[i - 1].at}`);
});

test("the replay holds the reader back: no GetRecords while a shard's two full reads wait to be handed on", async () => {
  const now = Date.now();
  const kinesis = new TimedKinesis();
  kinesis.addShard("s0");
  for (let i = 0; i < 30; i += 1) kinesis.put("s0", `r${i}`, now - 100_000 + i * 1000);
  kinesis.batchLimit = 5;
  let real = 0;
  const replay = new Replay({
    fromMs: 120_000,
    speed: 10,
    now: () => real,
    onRecord: () => {},
    maxWaitingPerShard: 10,
  });
  const { r } = reader(kinesis, {
    budgetPerShard: 50,
    startAt: replay.startAt,
    onRecords: (records, shardId) => replay.add(records, shardId),
    onProgress: (shardId, progress) => replay.report(shardId, progress),
    mayRead: (shardId) => replay.mayRead(shardId),
  });
  replay.shards = () => r.shardStates();
  await r.start();
  await until(() => replay.waiting === 10);
  await sleep(200); // ten budget intervals: still no more calls
  assert.equal(kinesis.calls.filter((c) => c.name === "GetRecords").length, 2);
  real += 500; // 5 s of stream time: the first five are handed on (the skip brings the first at once)
  replay.tick();
  await until(() => kinesis.calls.filter((c) => c.name === "GetRecords").length === 3);
  r.stop();
});

test("reader -> replay -> herd: a minute of a herd replayed ×60, every path whole and in order, then live", async () => {
  const now = Date.now();
  const kinesis = new TimedKinesis();
  kinesis.addShard("s0");
  kinesis.addShard("s1");
  const names = ["Shadowfax", "Rocinante", "Bucephalus", "Marengo"];
  for (let second = 0; second < 60; second += 1) {
    names.forEach((name, i) => kinesis.put(`s${i % 2}`, status(name, second), now - 70_000 + second * 1000 + i));
  }
  const herd = new Herd({ trailPoints: 100 });
  const order = [];
  let wentLive = 0;
  let real = 0;
  const replay = new Replay({
    fromMs: 120_000,
    speed: 60,
    now: () => real,
    onRecord: (item, at) => {
      const record = decodeRecord(item.Data);
      order.push([record.name, record.statusTime, real]);
      herd.ingest(record, at, at);
    },
    onLive: () => (wentLive += 1),
  });
  herd.clock = () => replay.time();
  const { r } = reader(kinesis, {
    budgetPerShard: 20,
    startAt: replay.startAt,
    onRecords: (records, shardId) => replay.add(records, shardId),
    onProgress: (shardId, progress) => replay.report(shardId, progress),
    mayRead: (shardId) => replay.mayRead(shardId),
  });
  replay.shards = () => r.shardStates();
  await r.start();
  // Real time on the replay's own clock, 50 ms a tick: 60 s of stream at ×60 is 1 s, 20 ticks.
  let ticks = 0;
  while (!wentLive && ticks < 200) {
    await sleep(10);
    real += 50;
    ticks += 1;
    replay.tick();
  }
  assert.equal(wentLive, 1);
  assert.ok(ticks >= 20, `the minute took ${ticks} ticks of 50 ms`);
  for (const name of names) {
    const times = order.filter((o) => o[0] === name).map((o) => o[1]);
    assert.equal(times.length, 60, name);
    assert.deepEqual(times, [...times].sort(), `${name} in order`);
    assert.equal(herd.unicorns.get(name).trail.length, 60, `${name}'s whole path`);
  }
  // The first and the last of the minute are a second of replay apart, not handed on all at once.
  assert.ok(order.at(-1)[2] - order[0][2] >= 950);
  kinesis.put("s1", status("Live", 0));
  await until(() => herd.unicorns.has("Live"));
  r.stop();
  assert.equal(herd.unicorns.get("Live").arrivedAt, replay.liveAt, "live records arrive on the page clock");
});
