// The fields shown for a unicorn, in the popup and the list: all text, set with textContent only, in the page's
// language (labels and units from i18n.js, numbers as the locale writes them; StatusTime as the record has it).

import { formatNumber, t } from "./i18n.js";
import { inTrouble, MPH_PER_METRE_PER_SECOND, SKEW_SHOWN_MS } from "./record.js";

function mph(u) {
  return formatNumber(u.distance * MPH_PER_METRE_PER_SECOND, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** Distance is metres covered in the last second: shown in mph with one decimal. */
function speed(u) {
  return t("vital.speedValue", { speed: mph(u) });
}

/** The list's narrow column: the unit only where it is short (its header names it otherwise). */
export function shortSpeed(u) {
  return t("vital.speedShort", { speed: mph(u) });
}

// [field, label key, format]: labels are looked up when drawn, so they follow the page's language.
export const VITALS = [
  ["speed", "vital.speed", speed],
  ["health", "vital.health", (u) => formatNumber(u.health)],
  ["magic", "vital.magic", (u) => formatNumber(u.magic)],
  ["time", "vital.time", (u) => t("vital.timeValue", { time: u.statusTime })],
];

const STATUS_TIME = /^\d{4}-\d\d-\d\d (\d\d:\d\d:\d\d(\.\d+)?)$/;

/** The list is narrow: the time of day of a well-formed StatusTime (all of it otherwise). */
export function shortStatusTime(u) {
  const match = STATUS_TIME.exec(u.statusTime);
  return match ? match[1] : u.statusTime;
}

/**
 * What is odd about the producer's clock, as the popup says it: "clock skew +3 h", "clock went back", both,
 * or "" (the marker moves on arrival either way; this only says why its times look wrong).
 */
export function clockText(u) {
  const parts = [];
  const skew = skewText(u.skewMs);
  if (skew) parts.push(skew);
  if (u.steppedBack) parts.push(t("vital.clockWentBack"));
  return parts.join(" · ");
}

function amount(ms) {
  const abs = Math.abs(ms);
  if (abs < 90_000) return t("unit.s", { n: Math.round(abs / 1000) });
  if (abs < 90 * 60_000) return t("unit.min", { n: Math.round(abs / 60_000) });
  if (abs < 48 * 3600_000) return t("unit.h", { n: Math.round(abs / 3600_000) });
  return t("unit.d", { n: Math.round(abs / 86400_000) });
}

/** "clock skew +3 h" when the producer's clock is off by a minute or more; "" otherwise (or unknown). */
export function skewText(skewMs) {
  if (skewMs === null || skewMs === undefined || !Number.isFinite(skewMs)) return "";
  if (Math.abs(skewMs) < SKEW_SHOWN_MS) return "";
  return t("vital.skew", { sign: skewMs < 0 ? "-" : "+", amount: amount(skewMs) });
}

/** "name cut for display: 1,234 characters", or "" for a name shown whole. */
export function cutNameText(u) {
  return u.label === u.name ? "" : t("vital.nameCut", { count: u.name.length });
}

/** An element with a class and, optionally, text (never HTML). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function lowHealth(u) {
  return u.health < 100;
}

export function lowMagic(u) {
  return u.magic < 100;
}

export { inTrouble };
