// The unicorn's sensor record, as it comes off the stream: untrusted bytes.
// {"Name","StatusTime","Latitude","Longitude","Distance","MagicPoints","HealthPoints"}
// A record is used only when every field has the right type and a sane range; anything else is not a unicorn
// status (the page counts it as skipped). Nothing here renders anything: callers show strings with textContent.

import { unicornKey } from "./unicornkey.js";

export const MPH_PER_METRE_PER_SECOND = 2.23694;
// Names are cut for display only: the whole name tells unicorns apart (see unicornKey).
export const MAX_LABEL_LENGTH = 200;
const MAX_STATUS_TIME_LENGTH = 40;
// Below this, the producer's clock is taken as right: a put is retried and batched for a few seconds at most.
export const SKEW_SHOWN_MS = 60_000;
const decoder = new TextDecoder("utf-8", { fatal: false });

function finite(value) {
  return typeof value === "number" && Number.isFinite(value);
}

const isSpace = (byte) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/**
 * Whether the bytes can be a JSON object at all: "{" first and "}" last, but for whitespace (and a UTF-8 BOM,
 * which the decoder drops). Anything else is skipped without decoding: random megabytes cost nothing.
 */
function mayBeObject(bytes) {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let end = bytes.length - 1;
  while (start <= end && isSpace(bytes[start])) start += 1;
  while (end >= start && isSpace(bytes[end])) end -= 1;
  return end > start && bytes[start] === 0x7b && bytes[end] === 0x7d;
}

function bytesToText(data) {
  if (typeof data === "string") return data;
  let bytes;
  if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else return null;
  return mayBeObject(bytes) ? decoder.decode(bytes) : null;
}

/** A parsed, validated record, or null when the bytes are not a unicorn status. Never throws. */
export function decodeRecord(data) {
  let value;
  try {
    const text = bytesToText(data);
    if (text === null) return null;
    value = JSON.parse(text);
  } catch {
    // Not JSON, or nested past what the engine parses: not a unicorn status either way.
    return null;
  }
  return validRecord(value);
}

/** The name as shown: its first MAX_LABEL_LENGTH characters, never half a surrogate pair, "…" when cut. */
export function labelOf(name) {
  if (name.length <= MAX_LABEL_LENGTH) return name;
  let cut = name.slice(0, MAX_LABEL_LENGTH);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export function validRecord(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const { Name, StatusTime, Latitude, Longitude, Distance, MagicPoints, HealthPoints } = value;
  if (typeof Name !== "string" || Name.length === 0 || typeof StatusTime !== "string") return null;
  if (!finite(Latitude) || !finite(Longitude) || Latitude < -90 || Latitude > 90) return null;
  if (Longitude < -180 || Longitude > 180) return null;
  if (!finite(Distance) || !finite(MagicPoints) || !finite(HealthPoints)) return null;
  const statusTime = StatusTime.slice(0, MAX_STATUS_TIME_LENGTH);
  return {
    name: Name,
    key: unicornKey(Name),
    label: labelOf(Name),
    statusTime,
    statusTimeMs: statusTimeMs(statusTime),
    latitude: Latitude,
    longitude: Longitude,
    distance: Distance,
    magic: MagicPoints,
    health: HealthPoints,
  };
}

const STATUS_TIME = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z?$/;

/** StatusTime (UTC, `2017-06-05 09:17:08.189`) in ms since the epoch, or null when it is not such a time. */
export function statusTimeMs(statusTime) {
  const match = STATUS_TIME.exec(statusTime);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const millis = Number((match[7] ?? "0").padEnd(3, "0").slice(0, 3));
  if (hour > 23 || minute > 59 || second > 59) return null;
  // setUTCFullYear, not Date.UTC: that one reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  // 2017-13-05 rolls over into 2018: such a time is not one.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.getTime();
}

function unit(ms) {
  const abs = Math.abs(ms);
  if (abs < 90_000) return `${Math.round(abs / 1000)} s`;
  if (abs < 90 * 60_000) return `${Math.round(abs / 60_000)} min`;
  if (abs < 48 * 3600_000) return `${Math.round(abs / 3600_000)} h`;
  return `${Math.round(abs / 86400_000)} d`;
}

/** "clock skew +3 h" when the producer's clock is off by a minute or more; "" otherwise (or unknown). */
export function skewText(skewMs) {
  if (skewMs === null || skewMs === undefined || !Number.isFinite(skewMs)) return "";
  if (Math.abs(skewMs) < SKEW_SHOWN_MS) return "";
  return `clock skew ${skewMs < 0 ? "-" : "+"}${unit(skewMs)}`;
}

/** Distance is metres covered in the last second: metres per second, shown in mph with one decimal. */
export function speedMph(distance) {
  return (distance * MPH_PER_METRE_PER_SECOND).toFixed(1);
}

/** Below 100 health or magic points, a unicorn is in trouble: the map and the list make it stand out. */
export function inTrouble(unicorn) {
  return unicorn.health < 100 || unicorn.magic < 100;
}

/** StatusTime is UTC (`2017-06-05 09:17:08.189`); say so. */
export function statusTimeText(statusTime) {
  return `${statusTime} UTC`;
}

/** When the stream received a record (its ApproximateArrivalTimestamp), in ms since the epoch; null if unknown. */
export function arrivalMs(item) {
  const stamp = item?.ApproximateArrivalTimestamp;
  const ms = stamp instanceof Date ? stamp.getTime() : typeof stamp === "number" ? stamp : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}
