// Unicorns are told apart by their whole name. A name can be up to a megabyte (a record's size), and the page
// keeps thousands of unicorns: a long name is keyed by its first characters, its length and a 53-bit hash of
// all of it, so that the herd holds kilobytes, not megabytes, per unicorn. Names of at most KEY_PREFIX
// characters are their own key; every longer name's key is longer than that, so the two kinds never meet.

export const KEY_PREFIX = 1000;

/** A 53-bit hash of every UTF-16 unit of `text` (two multiplicative 32-bit lanes, mixed at the end). */
export function hash53(text, seed = 0) {
  let a = 0xdeadbeef ^ seed;
  let b = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 2654435761);
    b = Math.imul(b ^ unit, 1597334677);
  }
  a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  return 4294967296 * (2097151 & b) + (a >>> 0);
}

export function unicornKey(name) {
  if (name.length <= KEY_PREFIX) return name;
  return `${name.slice(0, KEY_PREFIX)}\u0000${name.length}:${hash53(name).toString(36)}`;
}
