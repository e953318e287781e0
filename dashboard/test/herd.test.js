import assert from "node:assert/strict";
import { test } from "node:test";
import { fingerprint, initialSettings, options, withDefaults } from "../src/config.js";
import { Herd } from "../src/herd.js";
import { decodeRecord, inTrouble, speedMph } from "../src/record.js";

const record = (name, statusTime, extra = {}) => ({
  name,
  key: name,
  label: name,
  statusTime,
  latitude: 42.26,
  longitude: -71.97,
  distance: 175,
  magic: 150,
  health: 150,
  ...extra,
});

test("a record is decoded only when every field has the right type", () => {
  const good = JSON.stringify({
    Name: "Shadowfax",
    StatusTime: "2017-06-05 09:17:08.189",
    Latitude: 42.2644,
    Longitude: -71.9758,
    Distance: 175,
    MagicPoints: 110,
    HealthPoints: 150,
  });
  assert.equal(decodeRecord(new TextEncoder().encode(good)).name, "Shadowfax");
  assert.equal(decodeRecord("not json"), null);
  assert.equal(decodeRecord(JSON.stringify({ Name: "<b>", Latitude: "1" })), null);
  assert.equal(decodeRecord(good.replace("42.2644", "420")), null);
  assert.equal(speedMph(175), "391.5");
  assert.equal(inTrouble({ health: 99, magic: 150 }), true);
  assert.equal(inTrouble({ health: 100, magic: 100 }), false);
});

test("a silent unicorn leaves after the timeout, counted from its last arrival, and comes back fresh", () => {
  const herd = new Herd({ timeoutMs: 4000, trailPoints: 3 });
  for (let i = 0; i < 5; i += 1) herd.ingest(record("A", `2026-01-01 00:00:0${i}.000`), i * 1000);
  herd.ingest(record("B", "2026-01-01 00:00:00.000"), 6000);
  assert.equal(herd.unicorns.get("A").trail.length, 3);
  assert.deepEqual(herd.expire(7999), []);
  assert.deepEqual(herd.expire(8000), ["A"]);
  const back = herd.ingest(record("A", "2026-01-01 00:01:00.000"), 9000);
  assert.equal(back.isNew, true);
  assert.equal(back.unicorn.trail.length, 1);
  assert.deepEqual(herd.expire(10_000), ["B"]);
});

test("an out-of-order record moves the unicorn all the same (arrival order is the truth) and keeps it alive", () => {
  const herd = new Herd();
  herd.ingest(record("A", "2026-01-01 00:00:05.000", { latitude: 1 }), 0);
  const result = herd.ingest(record("A", "2026-01-01 00:00:04.000", { latitude: 2 }), 500);
  assert.equal(result.isNew, false);
  assert.equal(herd.unicorns.get("A").latitude, 2);
  assert.equal(herd.unicorns.get("A").statusTime, "2026-01-01 00:00:04.000");
  assert.equal(herd.unicorns.get("A").arrivedAt, 500);
});

test("the start screen: typed values win only while the config is unchanged; a new setup wins", () => {
  const config = { identityPoolId: "us-east-1:aaaa", unauthRoleArn: "arn:role", region: "us-east-1" };
  const typed = { ...config, streamName: "other" };
  const stored = { fingerprint: fingerprint(config), values: typed };
  assert.equal(initialSettings(config, stored).settings.streamName, "other");
  const newSetup = { ...config, identityPoolId: "us-east-1:bbbb" };
  const fresh = initialSettings(newSetup, stored);
  assert.equal(fresh.source, "config");
  assert.equal(fresh.settings.identityPoolId, "us-east-1:bbbb");
  assert.equal(withDefaults({ identityPoolId: "eu-west-1:1234" }).region, "eu-west-1");
  assert.equal(withDefaults({ identityPoolId: "eu-west-1:1234" }).streamName, "wildrydes");
});

test("options: timeout from the URL (seconds), then the config, else 30 s", () => {
  assert.equal(options(new URLSearchParams("timeout=4"), {}).timeoutMs, 4000);
  assert.equal(options(new URLSearchParams(""), { unicornTimeoutSeconds: 10 }).timeoutMs, 10_000);
  assert.equal(options(new URLSearchParams("timeout=-1"), null).timeoutMs, 30_000);
  assert.equal(options(new URLSearchParams("tiles=osm"), null).tileUrl, "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
  assert.equal(options(new URLSearchParams("tiles=javascript:alert(1)"), null).tileUrl, "");
});
