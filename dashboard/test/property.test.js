// Property tests (fast-check): whatever the stream carries, the record parser and the herd never throw, and
// every record is accounted for: shown as a unicorn or counted as skipped. At least 10,000 generated records
// per property per run; a failure prints the seed (FC_SEED=<seed> replays it).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Herd } from "../src/herd.js";
import { decodeRecord, MAX_LABEL_LENGTH } from "../src/record.js";
import { BLOBS, recordCase } from "./arbitraries.js";

const MIN_RECORDS = 10_000;
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const settings = (numRuns) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

// The spec of a unicorn status, written apart from the page's code: the oracle the parser is held to.
const inRange = (min, max) => (v) => typeof v === "number" && Number.isFinite(v) && v >= min && v <= max;
const SPEC = {
  Name: (v) => typeof v === "string" && v.length > 0,
  StatusTime: (v) => typeof v === "string",
  Latitude: inRange(-90, 90),
  Longitude: inRange(-180, 180),
  Distance: inRange(-Infinity, Infinity),
  MagicPoints: inRange(-Infinity, Infinity),
  HealthPoints: inRange(-Infinity, Infinity),
};

const decoder = new TextDecoder();

function oracle(data) {
  // Only a JSON object can be a status (and decoding random megabytes is slow in Node): test that first.
  const first = data.findIndex((byte) => ![0x20, 0x09, 0x0a, 0x0d].includes(byte));
  if (first < 0 || data[first] !== 0x7b) return null;
  let value;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  return Object.entries(SPEC).every(([field, ok]) => Object.hasOwn(value, field) && ok(value[field])) ? value : null;
}

function checkShown(record, expected) {
  assert.equal(record.name, expected.Name);
  assert.equal(record.latitude, expected.Latitude);
  assert.equal(record.longitude, expected.Longitude);
  assert.equal(record.distance, expected.Distance);
  assert.equal(record.magic, expected.MagicPoints);
  assert.equal(record.health, expected.HealthPoints);
  assert.ok(expected.StatusTime.startsWith(record.statusTime));
  assert.ok(record.label.length <= MAX_LABEL_LENGTH + 1);
  assert.equal(record.label === record.name, record.name.length <= MAX_LABEL_LENGTH);
  const last = record.label.charCodeAt(record.label.length - 1);
  assert.ok(!(last >= 0xd800 && last <= 0xdbff), "a label ends in half a surrogate pair");
}

test("each megabyte blob is skipped or shown, and a megabyte name is one unicorn keyed in a kilobyte", () => {
  const herd = new Herd();
  for (const { data, kind } of BLOBS) {
    const record = decodeRecord(data);
    assert.equal(record !== null, kind === "unicorn");
    if (record) {
      herd.ingest(record, 0, null);
      assert.ok(record.key.length < 2000);
    }
  }
  assert.equal(herd.size, 1);
});

test("the record parser: any bytes are a unicorn status or skipped, never an exception", (t) => {
  const counts = { records: 0, shown: 0, skipped: 0, unicornsByConstruction: 0, overHalfMiB: 0 };
  const started = performance.now();
  fc.assert(
    fc.property(recordCase, ({ data, kind }) => {
      counts.records += 1;
      if (data.length > 512 * 1024) counts.overHalfMiB += 1;
      const record = decodeRecord(data); // an exception fails the property
      const expected = oracle(data);
      if (kind === "unicorn") {
        counts.unicornsByConstruction += 1;
        assert.ok(expected, "the generator made a unicorn status the oracle refuses");
      }
      if (record === null) {
        counts.skipped += 1;
        assert.equal(expected, null, "a unicorn status was skipped");
        return;
      }
      counts.shown += 1;
      assert.ok(expected, "something that is not a unicorn status was shown");
      checkShown(record, expected);
    }),
    settings(MIN_RECORDS),
  );
  t.diagnostic(`${JSON.stringify(counts)} in ${Math.round(performance.now() - started)} ms`);
  assert.equal(counts.records, counts.shown + counts.skipped);
  assert.ok(counts.records >= MIN_RECORDS);
  assert.ok(counts.shown > 1000 && counts.skipped > 1000, JSON.stringify(counts));
});

// The herd against a model written the plainest way: a Map by the whole name, in order of last arrival.
class ModelHerd {
  constructor(max, timeoutMs) {
    this.max = max;
    this.timeoutMs = timeoutMs;
    this.byName = new Map(); // name -> arrivedAt
  }

  ingest(name, at) {
    const isNew = !this.byName.has(name);
    const evicted = [];
    if (isNew) {
      while (this.byName.size >= this.max) {
        const oldest = this.byName.keys().next().value;
        this.byName.delete(oldest);
        evicted.push(oldest);
      }
    }
    this.byName.delete(name);
    this.byName.set(name, at);
    return { isNew, evicted };
  }

  expire(now) {
    const gone = [...this.byName].filter(([, at]) => now - at >= this.timeoutMs).map(([name]) => name);
    for (const name of gone) this.byName.delete(name);
    return gone;
  }
}

const herdRun = fc.record({
  max: fc.integer({ min: 1, max: 40 }),
  timeoutMs: fc.integer({ min: 1, max: 5000 }),
  events: fc.array(
    fc.record({
      item: recordCase,
      gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
      sweep: fc.boolean(),
      sentAt: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 4e12 })),
    }),
    { minLength: 50, maxLength: 100 },
  ),
});

test("the herd: every record moves its unicorn or is skipped; at most max unicorns; drops the silent first", (t) => {
  const counts = { records: 0, shown: 0, skipped: 0, runs: 0, dropped: 0, expired: 0, peak: 0 };
  const started = performance.now();
  fc.assert(
    fc.property(herdRun, ({ max, timeoutMs, events }) => {
      counts.runs += 1;
      const herd = new Herd({ maxUnicorns: max, timeoutMs, trailPoints: 5 });
      const model = new ModelHerd(max, timeoutMs);
      const keyOf = new Map(); // name -> the herd's key, to compare in the model's terms
      const nameOf = (key) => {
        const u = herd.unicorns.get(key);
        return u ? u.name : [...keyOf].find(([, k]) => k === key)?.[0];
      };
      let now = 0;
      let shown = 0;
      let skipped = 0;
      for (const { item, gapMs, sweep, sentAt } of events) {
        now += gapMs;
        if (sweep) {
          const gone = herd.expire(now).map(nameOf);
          assert.deepEqual(gone.sort(), model.expire(now).sort());
          counts.expired += gone.length;
        }
        counts.records += 1;
        const record = decodeRecord(item.data);
        if (record === null) {
          skipped += 1;
          continue;
        }
        shown += 1;
        keyOf.set(record.name, record.key);
        const evictedNames = (keys) => keys.map(nameOf);
        const result = herd.ingest(record, now, sentAt);
        const expected = model.ingest(record.name, now);
        assert.equal(result.isNew, expected.isNew);
        assert.deepEqual(evictedNames(result.evicted), expected.evicted);
        counts.dropped += result.evicted.length;
        // Moved on arrival, whatever its StatusTime says.
        const unicorn = herd.unicorns.get(record.key);
        assert.equal(unicorn, result.unicorn);
        assert.equal(unicorn.name, record.name);
        assert.equal(unicorn.latitude, record.latitude);
        assert.equal(unicorn.statusTime, record.statusTime);
        assert.deepEqual(unicorn.trail.at(-1), [record.latitude, record.longitude]);
        assert.ok(unicorn.trail.length <= 5);
        assert.ok(herd.size <= max);
        counts.peak = Math.max(counts.peak, herd.size);
      }
      assert.equal(shown + skipped, events.length);
      assert.deepEqual([...herd.unicorns.values()].map((u) => u.name), [...model.byName.keys()]);
      counts.shown += shown;
      counts.skipped += skipped;
    }),
    settings(200),
  );
  t.diagnostic(`${JSON.stringify(counts)} in ${Math.round(performance.now() - started)} ms`);
  assert.equal(counts.records, counts.shown + counts.skipped);
  assert.ok(counts.records >= MIN_RECORDS, `${counts.records} records`);
  assert.ok(counts.dropped > 0 && counts.expired > 0, JSON.stringify(counts));
});
