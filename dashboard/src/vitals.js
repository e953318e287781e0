// The fields shown for a unicorn, in the popup and the list: all text, set with textContent only.

import { inTrouble, speedMph, statusTimeText } from "./record.js";

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
