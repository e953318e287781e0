// What the start screen is filled with, and the dashboard's options.
// - config.json (written by `ansible-playbook setup.yml`, served by `simulate dashboard` per attendee as
//   /config.json?attendee=NAME; on a static host, a config.json beside index.html);
// - what the user typed at the last Start, kept in localStorage per attendee, used only while the
//   config is the one it was typed against: a new setup (a new pool id...) wins over old typing;
// - URL parameters for options: attendee, timeout (seconds without a record before a unicorn leaves the
//   map), trail (points), budget (GetRecords calls/s per shard), tiles ("osm", the default, "none", or a
//   {z}/{x}/{y} URL template: tiles.js), max (unicorns kept on the page at most: the ones silent the longest go
//   first), wait (seconds a guest sign-in keeps trying while IAM refuses: a role setup just made takes effect only
//   seconds later; 0 = fail at once). The replay's from and speed are read by main.js into the start screen's
//   controls and parsed by replay.js (they may be changed there before Start).

import { tileChoice } from "./tiles.js";

export { OSM_ATTRIBUTION, OSM_TILES } from "./tiles.js";
export const FIELDS = ["identityPoolId", "unauthRoleArn", "region", "endpoint", "streamName"];
export const DEFAULT_STREAM = "wildrydes";
const STORAGE_PREFIX = "wildrydes-dashboard:";

/** The config's identity: when it changes (a new setup), what was typed against the old one is dropped. */
export function fingerprint(config) {
  if (!config) return "";
  return FIELDS.map((field) => String(config[field] ?? "")).join("|");
}

function text(value) {
  return typeof value === "string" ? value.trim() : "";
}

/** Only the known string fields of an untrusted object. */
export function cleanSettings(value) {
  const settings = {};
  for (const field of FIELDS) settings[field] = text(value?.[field]);
  return settings;
}

/** The region is the identity pool id's prefix when it is not given (us-east-1:xxxx). */
export function withDefaults(settings) {
  const out = { ...settings };
  if (!out.region && /^[a-z]{2}(-[a-z]+)+-\d+:/.test(out.identityPoolId)) out.region = out.identityPoolId.split(":")[0];
  if (!out.streamName) out.streamName = DEFAULT_STREAM;
  if (!out.unauthRoleArn) out.unauthRoleArn = "";
  return out;
}

export function storageKey(attendee) {
  return STORAGE_PREFIX + (attendee || "default");
}

/** The start screen's values: the config, unless the user typed others against this same config. */
export function initialSettings(config, stored) {
  const fromConfig = cleanSettings(config);
  if (stored && stored.fingerprint === fingerprint(config) && stored.values) {
    return { settings: cleanSettings(stored.values), source: "typed" };
  }
  return { settings: fromConfig, source: config ? "config" : "empty" };
}

export function loadStored(storage, attendee) {
  try {
    const raw = storage.getItem(storageKey(attendee));
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

export function saveStored(storage, attendee, config, values) {
  try {
    storage.setItem(storageKey(attendee), JSON.stringify({ fingerprint: fingerprint(config), values }));
  } catch {
    // private mode or full: typing is simply not remembered
  }
}

function positiveNumber(value, fallback) {
  const number = Number(value);
  return value !== null && value !== "" && Number.isFinite(number) && number > 0 ? number : fallback;
}

function nonNegativeNumber(value, fallback) {
  const number = Number(value);
  return value !== null && value !== undefined && value !== "" && Number.isFinite(number) && number >= 0
    ? number
    : fallback;
}

/** Options from the config file, overridden by URL parameters. */
export function options(params, config) {
  const tiles = params.get("tiles") ?? text(config?.tileUrl);
  return {
    attendee: params.get("attendee") || "",
    timeoutMs: 1000 * positiveNumber(params.get("timeout") ?? config?.unicornTimeoutSeconds, 30),
    trailPoints: Math.round(positiveNumber(params.get("trail") ?? config?.trailPoints, 30)),
    budgetPerShard: positiveNumber(params.get("budget") ?? config?.getRecordsPerSecondPerShard, 1.6),
    maxUnicorns: Math.max(1, Math.round(positiveNumber(params.get("max") ?? config?.maxUnicorns, 5000))),
    signInWaitMs: 1000 * nonNegativeNumber(params.get("wait") ?? config?.signInWaitSeconds, 60),
    tiles: tileChoice(tiles),
    tileUrl: tileChoice(tiles).url,
    trace: params.get("trace") === "1",
  };
}

/**
 * Fetch config.json (for the attendee in the URL, if any). Returns {config} or {attendees} when the
 * server has several attendees and the URL names none, or {config: null} when there is no config at all.
 */
export async function fetchConfig(attendee, fetchImpl = fetch) {
  const url = attendee ? `config.json?attendee=${encodeURIComponent(attendee)}` : "config.json";
  let reply;
  try {
    reply = await fetchImpl(url, { cache: "no-store" });
  } catch {
    return { config: null };
  }
  let body = null;
  try {
    body = await reply.json();
  } catch {
    body = null;
  }
  if (reply.status === 300 && Array.isArray(body?.attendees)) {
    return { config: null, attendees: body.attendees.filter((a) => typeof a === "string") };
  }
  if (!reply.ok || body === null || typeof body !== "object") {
    return { config: null, problem: typeof body?.error === "string" ? body.error : "" };
  }
  return { config: body };
}
