// Issue 10, the page's part: a cap on unicorns, keys by the whole name, skewed producer clocks, every record
// accounted for. Pure model tests (no DOM); the browser tests check the same on the page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { options } from "../src/config.js";
import { Herd } from "../src/herd.js";
import { clockText, cutNameText } from "../src/vitals.js";
import * as recordModule from "../src/record.js";

// A namespace import: on code without these, each test fails on its own (not the whole file at import).
const { decodeRecord, MAX_LABEL_LENGTH, skewText, statusTimeMs } = recordModule;

const encode = (value) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

function raw(name, statusTime = "2026-01-01 00:00:00.000", extra = {}) {
  return {
    Name: name,
    StatusTime: statusTime,
    Latitude: 42.26,
    Longitude: -71.97,
    Distance: 175,
    MagicPoints: 150,
    HealthPoints: 150,
    ...extra,
  };
}

const rec = (name, statusTime, extra) => decodeRecord(encode(raw(name, statusTime, extra)));

test("the herd keeps at most maxUnicorns: a new unicorn drops the one silent the longest", () => {
  const herd = new Herd({ maxUnicorns: 3 });
  for (const [i, name] of ["A", "B", "C"].entries()) herd.ingest(rec(name), i);
  herd.ingest(rec("A"), 10); // A spoke again: B is now the one silent the longest
  const result = herd.ingest(rec("D"), 11);
  assert.deepEqual(result.evicted, ["B"]);
  assert.equal(result.isNew, true);
  assert.deepEqual([...herd.unicorns.keys()].sort(), ["A", "C", "D"]);
  assert.equal(herd.dropped, 1);
  herd.ingest(rec("E"), 12);
  assert.equal(herd.size, 3);
  assert.equal(herd.dropped, 2);
  assert.equal(herd.unicorns.has("C"), false);
});

test("the cap is 5,000 unicorns by default and `max=N` in the URL (or the config) sets it", () => {
  assert.equal(new Herd().maxUnicorns, 5000);
  assert.equal(options(new URLSearchParams(""), null).maxUnicorns, 5000);
  assert.equal(options(new URLSearchParams("max=200"), null).maxUnicorns, 200);
  assert.equal(options(new URLSearchParams(""), { maxUnicorns: 50 }).maxUnicorns, 50);
  assert.equal(options(new URLSearchParams("max=0"), null).maxUnicorns, 5000);
  assert.equal(options(new URLSearchParams("max=abc"), null).maxUnicorns, 5000);
  const herd = new Herd();
  for (let i = 0; i < 5100; i += 1) herd.ingest(rec(`Random-${i}`), i);
  assert.equal(herd.size, 5000);
  assert.equal(herd.dropped, 100);
  assert.equal(herd.unicorns.has("Random-99"), false);
  assert.equal(herd.unicorns.has("Random-100"), true);
});

test("two names sharing their first 200 characters are two unicorns; only the label is cut", () => {
  const prefix = "유니콘".repeat(70); // 210 characters
  const one = rec(`${prefix}-one`);
  const two = rec(`${prefix}-two`);
  assert.notEqual(one.key, two.key);
  assert.equal(one.name, `${prefix}-one`);
  assert.equal(one.label.length, MAX_LABEL_LENGTH + 1);
  assert.ok(one.label.endsWith("…"));
  assert.equal(one.label, two.label);
  const herd = new Herd();
  herd.ingest(one, 0);
  herd.ingest(two, 1);
  assert.equal(herd.size, 2);
  assert.equal(rec("Shadowfax").label, "Shadowfax");
});

test("very long names are two unicorns too, and the herd does not keep megabytes per unicorn", () => {
  const long = "x".repeat(600_000);
  const a = rec(`${long}a${long}`);
  const b = rec(`${long}b${long}`);
  assert.notEqual(a.key, b.key);
  assert.ok(a.key.length < 2000, `key of ${a.key.length} characters`);
  const herd = new Herd();
  herd.ingest(a, 0);
  herd.ingest(b, 1);
  assert.equal(herd.size, 2);
  assert.ok([...herd.unicorns.values()].every((u) => u.label.length <= MAX_LABEL_LENGTH + 1));
});

test("a label never ends in half a surrogate pair", () => {
  const name = `${"a".repeat(MAX_LABEL_LENGTH - 1)}🦄🦄`;
  const { label } = rec(name);
  assert.equal(label, `${"a".repeat(MAX_LABEL_LENGTH - 1)}…`);
});

test("a StatusTime in the future: the marker moves with every record, in arrival order", () => {
  const herd = new Herd();
  herd.ingest(rec("A", "2026-01-01 03:00:00.000", { Latitude: 1 }), 0, Date.UTC(2026, 0, 1));
  // The producer's clock is put right: its times step back three hours, the unicorn rides on.
  const moved = herd.ingest(rec("A", "2026-01-01 00:00:01.000", { Latitude: 2 }), 1000, Date.UTC(2026, 0, 1, 0, 0, 1));
  assert.ok(moved, "the record was not applied");
  const unicorn = herd.unicorns.get("A");
  assert.equal(unicorn.latitude, 2);
  assert.equal(unicorn.statusTime, "2026-01-01 00:00:01.000");
  assert.deepEqual(unicorn.trail, [
    [1, -71.97],
    [2, -71.97],
  ]);
  assert.equal(unicorn.steppedBack, true);
  herd.ingest(rec("A", "2026-01-01 00:00:02.000", { Latitude: 3 }), 2000, Date.UTC(2026, 0, 1, 0, 0, 2));
  assert.equal(herd.unicorns.get("A").latitude, 3);
  assert.equal(herd.unicorns.get("A").steppedBack, false);
});

test("skew is the producer's time against the stream's arrival time; the 30 s expiry counts from arrival", () => {
  const herd = new Herd({ timeoutMs: 30_000 });
  const sent = Date.UTC(2026, 0, 1, 12, 0, 0);
  herd.ingest(rec("Future", "2026-01-01 15:00:00.250"), 0, sent);
  assert.equal(herd.unicorns.get("Future").skewMs, 3 * 3600_000 + 250);
  assert.equal(skewText(herd.unicorns.get("Future").skewMs), "clock skew +3 h");
  herd.ingest(rec("Behind", "2026-01-01 11:58:00.000"), 0, sent);
  assert.equal(skewText(herd.unicorns.get("Behind").skewMs), "clock skew -2 min");
  herd.ingest(rec("OnTime", "2026-01-01 12:00:00.400"), 0, sent);
  assert.equal(skewText(herd.unicorns.get("OnTime").skewMs), "");
  herd.ingest(rec("NoTime", "whenever"), 0, sent);
  assert.equal(herd.unicorns.get("NoTime").skewMs, null);
  assert.equal(skewText(null), "");
  assert.deepEqual(herd.expire(29_999), []);
  assert.deepEqual(herd.expire(30_000).sort(), ["Behind", "Future", "NoTime", "OnTime"]);
});

test("skew text: seconds, minutes, hours and days, signed", () => {
  assert.equal(skewText(59_000), "");
  assert.equal(skewText(75_000), "clock skew +75 s");
  assert.equal(skewText(-600_000), "clock skew -10 min");
  assert.equal(skewText(10 * 3600_000), "clock skew +10 h");
  assert.equal(skewText(-400 * 86400_000), "clock skew -400 d");
});

test("StatusTime parses as UTC; anything else has no time", () => {
  assert.equal(statusTimeMs("2017-06-05 09:17:08.189"), Date.UTC(2017, 5, 5, 9, 17, 8, 189));
  assert.equal(statusTimeMs("2017-06-05T09:17:08Z"), Date.UTC(2017, 5, 5, 9, 17, 8));
  assert.equal(statusTimeMs("2017-06-05 09:17:08.1"), Date.UTC(2017, 5, 5, 9, 17, 8, 100));
  assert.equal(statusTimeMs("2017-13-05 09:17:08"), null);
  assert.equal(statusTimeMs("NaN"), null);
  assert.equal(statusTimeMs(""), null);
});

test("hostile bytes are skipped, never thrown: every record is a unicorn status or counted as skipped", () => {
  const blob = new Uint8Array(1024 * 1024).fill(0x7b);
  const hostile = [
    encode("plain [/x] text"),
    new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
    encode({ ...raw("A"), Latitude: "NaN" }),
    encode({ ...raw("A"), Longitude: "Infinity" }),
    encode(JSON.stringify(raw("A")).replace('"Latitude":42.26', '"Latitude":1e999')),
    encode(`${"[".repeat(200_000)}${"]".repeat(200_000)}`),
    encode(`${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`),
    encode({ ...raw("A"), Name: ["A"] }),
    encode({ ...raw("A"), Name: "" }),
    encode({ Name: "A" }),
    encode("NaN"),
    encode("null"),
    encode("[]"),
    encode('"string"'),
    blob,
    new Uint8Array(0),
    undefined,
    null,
    42,
  ];
  for (const data of hostile) assert.equal(decodeRecord(data), null, String(data).slice(0, 40));
  // Invalid UTF-8 inside an otherwise good record: shown, with the replacement character.
  const bytes = encode(raw("Uni#corn"));
  bytes[bytes.indexOf(0x23)] = 0xff;
  assert.equal(decodeRecord(bytes).name, "Uni\ufffdcorn");
});

test("the popup's clock line: skew, a clock that went back, both, or nothing; a cut name says how long it is", () => {
  assert.equal(clockText({ skewMs: 3 * 3600_000, steppedBack: false }), "clock skew +3 h");
  assert.equal(clockText({ skewMs: 0, steppedBack: true }), "clock went back");
  assert.equal(clockText({ skewMs: -7200_000, steppedBack: true }), "clock skew -2 h · clock went back");
  assert.equal(clockText({ skewMs: null, steppedBack: false }), "");
  const long = rec("L".repeat(1234));
  assert.equal(cutNameText(long), "name cut for display: 1,234 characters");
  assert.equal(cutNameText(rec("Shadowfax")), "");
});
