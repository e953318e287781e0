// Property (fast-check): whatever the shards hold and however the reads and the real time interleave, a replay
// hands every record on exactly once, in arrival order across shards (each shard's order kept), never before the
// replay clock reaches it, with a clock that never runs faster than `speed` × real time (but for the skip to the
// first record), and it joins live once everything is read and handed on. FC_SEED=<seed> replays a failure.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Replay } from "../src/replay.js";

const WALL = Date.UTC(2026, 0, 1, 12, 0, 0);
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

// A shard: gaps between arrivals (ms, ties included), read in chunks of 1-5 records.
const shardArb = fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 0, maxLength: 30 });
const stepArb = fc.oneof(
  fc.record({ read: fc.nat({ max: 3 }), count: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ wait: fc.integer({ min: 0, max: 3000 }) }),
);

test("replay: each record once, in arrival order, never early, clock at most ×speed, then live", () => {
  fc.assert(
    fc.property(
      fc.array(shardArb, { minLength: 1, maxLength: 4 }),
      fc.constantFrom(1, 10, 60),
      fc.array(stepArb, { maxLength: 80 }),
      fc.integer({ min: 1000, max: 600_000 }),
      (gapsPerShard, speed, steps, fromMs) => {
        const start = WALL - fromMs;
        const shards = gapsPerShard.map((gaps, s) => {
          let at = start + s * 137;
          const records = gaps.map((gap, i) => ({ id: `${s}/${i}`, arrival: (at += gap) }));
          return { id: `shard-${s}`, records, read: 0, done: false, ready: true };
        });
        let real = 0;
        const released = [];
        const ticks = [];
        const replay = new Replay({
          fromMs,
          speed,
          now: () => real,
          wallNow: () => WALL,
          shards: () => shards,
          onRecord: (item, at) => released.push({ id: item.id, arrival: item.arrival, at, clock: replay.at }),
        });
        const read = (shard, count) => {
          const chunk = shard.records.slice(shard.read, shard.read + count);
          shard.read += chunk.length;
          replay.add(
            chunk.map((r) => ({ id: r.id, arrival: r.arrival, ApproximateArrivalTimestamp: new Date(r.arrival) })),
            shard.id,
          );
          replay.report(shard.id, { behind: shard.read < shard.records.length ? 1000 : 0 });
        };
        const tick = (ms) => {
          real += ms;
          replay.tick();
          ticks.push({ real, clock: replay.at, released: released.length });
        };
        for (const step of steps) {
          if (step.read !== undefined) read(shards[step.read % shards.length], step.count);
          else tick(step.wait);
        }
        for (const shard of shards) read(shard, shard.records.length);
        const total = shards.reduce((n, s) => n + s.records.length, 0);
        for (let i = 0; i < 10_000 && !replay.live; i += 1) tick(1000);
        assert.equal(replay.live, true);
        assert.equal(released.length, total);
        assert.equal(new Set(released.map((r) => r.id)).size, total);
        for (let i = 1; i < released.length; i += 1) {
          assert.ok(released[i].arrival >= released[i - 1].arrival, "arrival order");
        }
        for (const r of released) assert.ok(r.arrival <= r.clock && r.at === r.arrival, "never early");
        const firstTick = ticks.findIndex((t) => t.released > 0);
        for (let i = Math.max(1, firstTick + 1); i < ticks.length; i += 1) {
          const ran = ticks[i].clock - ticks[i - 1].clock;
          assert.ok(ran <= speed * (ticks[i].real - ticks[i - 1].real) + 1e-6, "at most ×speed");
        }
      },
    ),
    { numRuns: 300, ...(seed === undefined ? {} : { seed }) },
  );
});
