import assert from "node:assert/strict";
import { test } from "node:test";
import { options } from "../src/config.js";

test("wait: how long a sign-in waits out IAM propagation (default 60 s; 0 fails at once; nonsense ignored)", () => {
  assert.equal(options(new URLSearchParams(""), null).signInWaitMs, 60_000);
  assert.equal(options(new URLSearchParams("wait=0"), null).signInWaitMs, 0);
  assert.equal(options(new URLSearchParams("wait=5"), null).signInWaitMs, 5_000);
  for (const bad of ["-1", "x", "Infinity", "NaN", ""]) {
    assert.equal(options(new URLSearchParams(`wait=${bad}`), null).signInWaitMs, 60_000, bad);
  }
  assert.equal(options(new URLSearchParams(""), { signInWaitSeconds: 10 }).signInWaitMs, 10_000);
});
