import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  CATALOGUES,
  chooseLanguage,
  formatNumber,
  LANGUAGES,
  placeholders,
  setLanguage,
  t,
  tNodes,
} from "../src/i18n.js";

const KEYS = Object.keys(CATALOGUES.en);

// Latin-script words a Korean message may keep: AWS service and API names, the product's name, units and
// abbreviations Korean writes in Latin letters too. Commands in backticks, URLs and regions are taken out before.
const KOREAN_KEEPS = new Set(["AWS", "Cognito", "Kinesis", "IAM", "ARN", "ID", "UTC", "URL", "Wild", "Rydes", "setup", "localhost"]);

test("every key is in both catalogues, and nothing else", () => {
  for (const language of LANGUAGES) {
    assert.deepEqual(Object.keys(CATALOGUES[language]).sort(), [...KEYS].sort(), language);
  }
});

test("each message uses the same placeholders in every language (and in each plural form)", () => {
  for (const key of KEYS) {
    const expected = placeholders(CATALOGUES.en[key]);
    for (const language of LANGUAGES) {
      const message = CATALOGUES[language][key];
      assert.deepEqual(placeholders(message), expected, `${language} ${key}`);
      if (typeof message !== "string") {
        assert.ok(typeof message.other === "string", `${language} ${key}: a plural message needs "other"`);
        for (const form of Object.values(message)) assert.deepEqual(placeholders(form), expected, `${language} ${key}`);
      }
    }
  }
});

test("no message is empty, and no Korean message is left in English", () => {
  for (const key of KEYS) {
    for (const language of LANGUAGES) {
      const message = CATALOGUES[language][key];
      for (const form of typeof message === "string" ? [message] : Object.values(message)) {
        assert.ok(form.trim().length > 0, `${language} ${key} is empty`);
      }
    }
    const korean = CATALOGUES.ko[key];
    for (const form of typeof korean === "string" ? [korean] : Object.values(korean)) {
      const words = form
        .replace(/`[^`]*`/g, " ")
        .replace(/https?:\/\/\S*/g, " ")
        .replace(/\b[a-z]{2}(-[a-z]+)+-\d+\b/g, " ") // regions
        .replace(/\{\w+\}/g, " ")
        .replace(/\b[a-z]+=/g, " ") // a URL option's name (from=)
        .match(/[0-9A-Za-z]*[A-Za-z][0-9A-Za-z]*/g);
      // A word led by a digit is a value as typed (15m, 90s), not English.
      const left = (words || []).filter((word) => !KOREAN_KEEPS.has(word) && !/^\d/.test(word));
      assert.deepEqual(left, [], `ko ${key}: ${form}`);
    }
  }
});

test("the Korean follows the guide's terms (docs/guide.ko.md)", () => {
  const all = Object.values(CATALOGUES.ko).flatMap((m) => (typeof m === "string" ? [m] : Object.values(m)));
  const text = all.join("\n");
  for (const term of ["자격 증명 풀", "스트림", "유니콘", "인증되지 않은 역할", "리전", "엔드포인트", "게스트"]) {
    assert.ok(text.includes(term), term);
  }
  // Not the console's other spellings.
  for (const other of ["아이덴티티", "자격증명", "스트리밍 데이터"]) assert.ok(!text.includes(other), other);
});

test("t fills every placeholder it is given, whatever the values, and never throws", () => {
  const value = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }));
  fc.assert(
    fc.property(fc.constantFrom(...KEYS), fc.constantFrom(...LANGUAGES), value, (key, language, filler) => {
      setLanguage(language);
      const params = Object.fromEntries(placeholders(CATALOGUES[language][key]).map((name) => [name, filler]));
      const text = t(key, params);
      assert.equal(typeof text, "string");
      // Each placeholder's value is in the text (formatted for the locale when a number).
      const shown = typeof filler === "number" ? formatNumber(filler) : filler;
      for (const name of Object.keys(params)) {
        if (name !== "count" || typeof CATALOGUES[language][key] === "string") assert.ok(text.includes(shown), name);
      }
      if (typeof filler === "string" && !/\{\w+\}/.test(filler)) assert.doesNotMatch(text, /\{\w+\}/);
    }),
  );
  setLanguage("en");
});

test("tNodes keeps given nodes in their place whatever the word order", () => {
  const stream = { node: "stream" };
  const count = { node: "count" };
  setLanguage("en");
  assert.deepEqual(tNodes("side.subtitle", { stream, count }), ["Unicorns on ", stream, ": ", count]);
  setLanguage("ko");
  assert.deepEqual(tNodes("side.subtitle", { stream, count }), [stream, " 스트림의 유니콘: ", count]);
  setLanguage("en");
});

test("plurals and numbers follow the locale", () => {
  setLanguage("en");
  assert.equal(t("status.shards", { count: 1 }), "1 shard");
  assert.equal(t("status.shards", { count: 2 }), "2 shards");
  assert.equal(t("notice.skipped", { count: 12345 }), "skipped records: 12,345 (not unicorn status)");
  setLanguage("ko");
  assert.equal(t("status.shards", { count: 1 }), "샤드 1개");
  assert.equal(t("notice.skipped", { count: 12345 }), "건너뛴 레코드: 12,345개(유니콘 상태가 아님)");
  assert.equal(t("vital.speedValue", { speed: formatNumber(391.5, { minimumFractionDigits: 1 }) }), "시속 391.5마일");
  setLanguage("en");
});

test("the language: ?lang= first, then the browser's languages in order, then English", () => {
  assert.equal(chooseLanguage("ko", ["en-US"]), "ko");
  assert.equal(chooseLanguage("en", ["ko-KR"]), "en");
  assert.equal(chooseLanguage(null, ["ko-KR", "en-US"]), "ko");
  assert.equal(chooseLanguage(null, ["fr-FR", "ko"]), "ko");
  assert.equal(chooseLanguage("de", ["fr", "en-GB"]), "en");
  assert.equal(chooseLanguage(null, []), "en");
  assert.equal(chooseLanguage(null, undefined), "en");
  fc.assert(
    fc.property(fc.option(fc.string()), fc.array(fc.string()), (forced, browser) => {
      const chosen = chooseLanguage(forced, browser);
      assert.ok(LANGUAGES.includes(chosen));
      if (forced === "ko" || forced === "en") assert.equal(chosen, forced);
    }),
  );
});

test("a key missing from the catalogue shows as itself, not as a crash", () => {
  assert.equal(t("no.such.key"), "no.such.key");
});
