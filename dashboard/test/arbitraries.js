// fast-check generators of what a stream may carry: unicorn statuses, near misses, and hostile bytes.
// Each case is {data, kind}: kind "unicorn" when the bytes are a well-formed unicorn status by construction;
// otherwise "other" (the page must decide for itself, and never throw).

import fc from "fast-check";

const encoder = new TextEncoder();
const utf8 = (text) => encoder.encode(text);

// Names that collide on purpose: twins sharing 200 (and 1,000) characters, markup, escapes, Korean.
const twin200 = "T".repeat(200);
const twin1000 = "유".repeat(1000);
export const NAMES = [
  "Shadowfax",
  "shadowfax",
  "유니콘",
  "🦄",
  "<img src=x onerror=alert(1)>",
  "\u001b[2J\u001b]52;c;aGVsbG8=\u0007",
  "[/x] plain [bold]",
  "\u202eevil",
  "__proto__",
  "constructor",
  `${twin200}-one`,
  `${twin200}-two`,
  `${twin1000}-one`,
  `${twin1000}-two`,
  `${"🦄".repeat(100)}x`,
  `${"a".repeat(199)}🦄b`,
];

// Any code point but half a surrogate pair, printable ASCII more often. (fast-check's own "binary" unit builds a
// table of every code point on first use: seconds at start-up.)
const codePoint = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0x10ffff }))
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));
const anyText = (constraints) => fc.string({ unit: codePoint, ...constraints });

const nameArb = fc.oneof(
  { arbitrary: fc.constantFrom(...NAMES), weight: 4 },
  { arbitrary: anyText({ minLength: 1, maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }), weight: 1 },
  { arbitrary: fc.string({ unit: "binary-ascii", minLength: 190, maxLength: 1100 }), weight: 1 },
);

const pad = (n, width = 2) => String(n).padStart(width, "0");
const statusTimeArb = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(([y, mo, d, h, mi, s, ms]) => {
      return `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}`;
    }),
  anyText({ maxLength: 60 }),
  fc.constantFrom("", "NaN", "2017-13-45 25:61:61", "9999-12-31 23:59:59.999"),
);

const finiteArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 99, 100),
);

const unicornObject = fc.record({
  Name: nameArb,
  StatusTime: statusTimeArb,
  Latitude: fc.double({ min: -90, max: 90, noNaN: true }),
  Longitude: fc.double({ min: -180, max: 180, noNaN: true }),
  Distance: finiteArb,
  MagicPoints: finiteArb,
  HealthPoints: finiteArb,
});

const wrongValue = fc.oneof(
  fc.constantFrom(null, true, "", "NaN", "Infinity", "-Infinity", "1e999", "42", [], {}, [42], { value: 42 }),
  fc.double(), // NaN and ±Infinity become null in JSON
  fc.double({ min: 90.000001, max: 1e300, noNaN: true }),
  fc.string({ maxLength: 10 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const FIELDS = ["Name", "StatusTime", "Latitude", "Longitude", "Distance", "MagicPoints", "HealthPoints"];

// A unicorn status with some fields wrong, missing, or extra.
const nearMiss = fc
  .tuple(
    unicornObject,
    fc.subarray(FIELDS, { minLength: 1 }),
    fc.array(wrongValue, { minLength: 7, maxLength: 7 }),
    fc.boolean(),
  )
  .map(([record, fields, values, drop]) => {
    const out = { ...record };
    fields.forEach((field, i) => {
      if (drop) delete out[field];
      else out[field] = values[i];
    });
    return out;
  });

const withExtras = fc
  .tuple(unicornObject, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }))
  .map(([record, extra]) => ({ ...extra, ...record }));

const deep = fc
  .tuple(fc.integer({ min: 1, max: 150_000 }), fc.constantFrom("[", '{"a":'), fc.boolean())
  .map(([depth, open, insideRecord]) => {
    const close = open === "[" ? "]" : "}";
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    if (!insideRecord) return utf8(nested);
    return utf8(
      `{"Name":"Deep","StatusTime":"2026-01-01 00:00:00.000","Latitude":1,"Longitude":2,"Distance":3,` +
        `"MagicPoints":4,"HealthPoints":5,"Extra":${nested}}`,
    );
  });

const hugeNumberText = fc
  .tuple(
    fc.constantFrom(...FIELDS.slice(2)),
    fc.constantFrom("1e999", "-1e999", "123456789012345678901234567890", "NaN", "Infinity", "-0", "1e-999"),
  )
  .map(([field, token]) => {
    const record = {
      Name: "Huge",
      StatusTime: "2026-01-01 00:00:00.000",
      Latitude: 1,
      Longitude: 2,
      Distance: 3,
      MagicPoints: 4,
      HealthPoints: 5,
    };
    return utf8(JSON.stringify(record).replace(`"${field}":${record[field]}`, `"${field}":${token}`));
  });

// Valid JSON bytes with invalid UTF-8 spliced in (a lone continuation byte, an overlong form, a cut sequence).
const invalidUtf8 = fc
  .tuple(unicornObject, fc.constantFrom([0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xff], [0xed, 0xa0, 0x80]), fc.nat())
  .map(([record, bad, at]) => {
    const bytes = utf8(JSON.stringify(record));
    const cut = at % (bytes.length + 1);
    return Uint8Array.from([...bytes.subarray(0, cut), ...bad, ...bytes.subarray(cut)]);
  });

// A megabyte each: made once, drawn now and then (a record is at most 1 MiB).
const MIB = 1024 * 1024;
function randomBytes(length, seed) {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i += 1) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
const bigName = `Mega-${"ü".repeat(MIB / 2 - 200)}`;
export const BLOBS = [
  { data: randomBytes(MIB, 7), kind: "other" },
  { data: utf8("[".repeat(MIB)), kind: "other" },
  { data: utf8(`"${"x".repeat(MIB - 2)}"`), kind: "other" },
  {
    data: utf8(
      JSON.stringify({
        Name: bigName,
        StatusTime: "2026-01-01 00:00:00.000",
        Latitude: 1,
        Longitude: 2,
        Distance: 3,
        MagicPoints: 4,
        HealthPoints: 5,
      }),
    ),
    kind: "unicorn",
  },
];

const other = (data) => ({ data, kind: "other" });
const asCase = (kind) => (value) => ({ data: value instanceof Uint8Array ? value : utf8(JSON.stringify(value)), kind });

/** One record as the stream may carry it: mostly small; about one in a thousand deeply nested, one a megabyte. */
export const recordCase = fc.oneof(
  { arbitrary: unicornObject.map(asCase("unicorn")), weight: 300 },
  { arbitrary: withExtras.map(asCase("unicorn")), weight: 50 },
  { arbitrary: nearMiss.map(asCase("other")), weight: 200 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map(asCase("other")), weight: 80 },
  { arbitrary: anyText({ maxLength: 80 }).map((t) => other(utf8(t))), weight: 80 },
  { arbitrary: fc.uint8Array({ maxLength: 300 }).map(other), weight: 80 },
  { arbitrary: invalidUtf8.map(other), weight: 80 },
  { arbitrary: hugeNumberText.map(other), weight: 40 },
  { arbitrary: deep.map(other), weight: 1 },
  { arbitrary: fc.constantFrom(...BLOBS), weight: 1 },
);
