import assert from "node:assert/strict";
import { test } from "node:test";
import { ShardReader } from "../src/reader.js";
import { FakeKinesis, sleep, until } from "./fake-kinesis.js";

function reader(client, options = {}) {
  const seen = [];
  const fatal = [];
  const r = new ShardReader({
    client,
    streamName: "wildrydes",
    relistMs: 100,
    onRecords: (records, shardId) => seen.push(...records.map((x) => [shardId, new TextDecoder().decode(x.Data)])),
    onFatal: (error) => fatal.push(error),
    random: () => 0.5,
    ...options,
  });
  return { r, seen, fatal };
}

test("reads every open shard from LATEST: records put after Start, none before", async () => {
  const kinesis = new FakeKinesis();
  kinesis.addShard("s0");
  kinesis.addShard("s1");
  kinesis.put("s0", "old");
  const { r, seen } = reader(kinesis, { budgetPerShard: 50 });
  await r.start();
  kinesis.put("s0", "a");
  kinesis.put("s1", "b");
  await until(() => seen.length === 2);
  r.stop();
  assert.deepEqual(seen.sort(), [["s0", "a"], ["s1", "b"]]);
});

test("after a reshard, the parent is read to its end before the children, from their start", async () => {
  const kinesis = new FakeKinesis();
  kinesis.addShard("parent");
  const { r, seen } = reader(kinesis, { budgetPerShard: 50 });
  await r.start();
  kinesis.put("parent", "p1");
  kinesis.addShard("child-a", { parents: ["parent"] });
  kinesis.addShard("child-b", { parents: ["parent"] });
  kinesis.put("child-a", "a1");
  kinesis.put("child-b", "b1");
  kinesis.put("parent", "p2"); // still on the parent (before it closes), read before any child record
  kinesis.close("parent");
  await until(() => seen.length === 4);
  r.stop();
  assert.deepEqual(seen.slice(0, 2), [
    ["parent", "p1"],
    ["parent", "p2"],
  ]);
  assert.deepEqual(seen.slice(2).sort(), [
    ["child-a", "a1"],
    ["child-b", "b1"],
  ]);
  const childIterators = kinesis.calls.filter((c) => c.name === "GetShardIterator" && c.input.ShardId !== "parent");
  assert.ok(childIterators.every((c) => c.input.ShardIteratorType === "TRIM_HORIZON"));
});

test("at the tip, each shard keeps to the GetRecords budget (1.6 calls/s by default)", async () => {
  const kinesis = new FakeKinesis();
  kinesis.addShard("s0");
  const { r } = reader(kinesis);
  await r.start();
  await sleep(2600);
  r.stop();
  const calls = kinesis.calls.filter((c) => c.name === "GetRecords");
  // 1.6 calls/s: at most 1 + 2.6 * 1.6 = 5.16 calls in 2.6 s.
  assert.ok(calls.length >= 4 && calls.length <= 5, `${calls.length} calls`);
  for (let i = 1; i < calls.length; i += 1) assert.ok(calls[i].at - calls[i - 1].at >= 620);
});

test("while behind the tip, it polls again at once", async () => {
  const kinesis = new FakeKinesis();
  kinesis.addShard("s0");
  kinesis.batchLimit = 10;
  const { r, seen } = reader(kinesis);
  await r.start();
  for (let i = 0; i < 100; i += 1) kinesis.put("s0", `r${i}`);
  const started = performance.now();
  await until(() => seen.length === 100, 2000);
  r.stop();
  // Ten GetRecords of 10 records: at the budget alone that would take over 5 s.
  assert.ok(performance.now() - started < 1500);
});

test("when throttled, it backs off (exponentially) and then reads on", async () => {
  const kinesis = new FakeKinesis();
  kinesis.addShard("s0");
  const { r, seen } = reader(kinesis, { budgetPerShard: 20 });
  await r.start();
  kinesis.throttleNext = 3;
  kinesis.put("s0", "x");
  await until(() => seen.length === 1, 3000);
  r.stop();
  assert.equal(r.stats.throttled, 3);
  const calls = kinesis.calls.filter((c) => c.name === "GetRecords");
  const gaps = calls.slice(1, 4).map((c, i) => c.at - calls[i].at);
  assert.ok(gaps[1] > gaps[0] && gaps[2] > gaps[1], `gaps ${gaps}`);
});

test("a closed shard at Start is not read (LATEST: nothing more will come)", async () => {
  const kinesis = new FakeKinesis();
  kinesis.addShard("old", { closed: true });
  kinesis.addShard("new", { parents: ["old"] });
  const { r } = reader(kinesis, { budgetPerShard: 50 });
  await r.start();
  await sleep(100);
  r.stop();
  assert.ok(!kinesis.calls.some((c) => c.name === "GetShardIterator" && c.input.ShardId === "old"));
  const newIterator = kinesis.calls.find((c) => c.name === "GetShardIterator" && c.input.ShardId === "new");
  assert.equal(newIterator.input.ShardIteratorType, "LATEST");
});

test("a stream that is not there fails Start (the page reports it)", async () => {
  const client = {
    async send() {
      const error = new Error("Stream wildrydes under account 123456789012 not found.");
      error.name = "ResourceNotFoundException";
      throw error;
    },
  };
  const { r } = reader(client);
  await assert.rejects(r.start(), { name: "ResourceNotFoundException" });
});
