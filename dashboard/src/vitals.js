// The fields shown for a unicorn, in the popup and the list: all text, set with textContent only.

import { inTrouble, skewText, speedMph, statusTimeText } from "./record.js";

export const VITALS = [
  ["speed", "Speed", (u) => `${speedMph(u.distance)} mph`],
  ["health", "Health", (u) => String(u.health)],
  ["magic", "Magic", (u) => String(u.magic)],
  ["time", "Last status", (u) => statusTimeText(u.statusTime)],
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
  if (u.steppedBack) parts.push("clock went back");
  return parts.join(" · ");
}

/** "name cut for display: 1,234 characters", or "" for a name shown whole. */
export function cutNameText(u) {
  return u.label === u.name ? "" : `name cut for display: ${u.name.length.toLocaleString("en-US")} characters`;
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
