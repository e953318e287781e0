import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { options } from "../src/config.js";
import { OSM_TILES, tileChoice } from "../src/tiles.js";

test("OpenStreetMap's tiles by default, with their attribution; none for none", () => {
  for (const raw of [undefined, null, "", "osm", "  osm "]) {
    const choice = tileChoice(raw);
    assert.equal(choice.url, OSM_TILES);
    assert.equal(choice.cspSource, "https://tile.openstreetmap.org");
    assert.match(choice.attribution, /openstreetmap\.org\/copyright/);
  }
  assert.deepEqual(tileChoice("none"), { url: "", attribution: "", cspSource: "", refused: "" });
  assert.equal(options(new URLSearchParams(""), null).tiles.url, OSM_TILES);
  assert.equal(options(new URLSearchParams("tiles=none"), null).tiles.url, "");
});

test("a template from https anywhere, or http on this machine; anything else refused", () => {
  const allowed = {
    "https://tiles.example.org/{z}/{x}/{y}.png": "https://tiles.example.org",
    "https://{s}.tile.example.org/{z}/{x}/{y}.png": "https://*.tile.example.org",
    "http://127.0.0.1:8081/{z}/{x}/{y}.png": "http://127.0.0.1:8081",
    "http://localhost:9000/t/{z}/{x}/{y}.png?key=1": "http://localhost:9000",
  };
  for (const [template, source] of Object.entries(allowed)) {
    assert.deepEqual(tileChoice(template), { url: template, attribution: "", cspSource: source, refused: "" });
  }
  for (const template of [
    "http://tiles.example.org/{z}/{x}/{y}.png",
    "http://[::1]:8000/{z}/{x}/{y}.png",
    "http://127.0.0.1.example.org/{z}/{x}/{y}.png",
    "javascript:alert(1)//{z}/{x}/{y}",
    "data:image/png;base64,{z}{x}{y}",
    "https://tiles.example.org/no-placeholders.png",
    "https://user:pw@tiles.example.org/{z}/{x}/{y}.png",
    "https://a.{s}.example.org/{z}/{x}/{y}.png",
    "file:///etc/{z}/{x}/{y}",
  ]) {
    const choice = tileChoice(template);
    assert.equal(choice.url, "", template);
    assert.equal(choice.refused, template);
    assert.equal(choice.cspSource, "");
  }
});

test("whatever the template, a tile URL is https or loopback http, and its origin is the policy's source", () => {
  const template = fc.oneof(
    fc.string(),
    fc
      .tuple(
        fc.constantFrom("http://", "https://", "ftp://", "javascript:", ""),
        fc.constantFrom("127.0.0.1", "localhost", "example.org", "{s}.example.org", "[::1]", "a@b"),
        fc.constantFrom("", ":8080", ":0"),
        fc.constantFrom("/{z}/{x}/{y}.png", "/{z}/{y}", "/x"),
      )
      .map((parts) => parts.join("")),
  );
  fc.assert(
    fc.property(template, (raw) => {
      const choice = tileChoice(raw);
      if (!choice.url) return;
      const url = new URL(choice.url.replace("{s}", "a").replace(/\{[a-z]+\}/g, "0"));
      assert.ok(url.protocol === "https:" || ["127.0.0.1", "localhost"].includes(url.hostname), raw);
      const source = choice.cspSource.replace("*.", "a.");
      assert.equal(url.origin, new URL(source).origin, raw);
    }),
  );
});
