// Replay of the last minutes: the shards are read from AT_TIMESTAMP (now - from), and their records are handed on
// at the pace the stream received them (ApproximateArrivalTimestamp, never the producer's StatusTime), ×1, ×10 or
// ×60; when the replay has caught up with the stream, the page is live again.
// - The replay clock (ms since the epoch, on the stream's timeline) runs `speed` times faster than real time, but
//   never past what every shard has been read up to: a shard read behind holds it, so that records come in
//   arrival order across shards. Before the first record, silence is skipped (from=15m on a herd that started two
//   minutes ago does not wait 13 minutes); after it, gaps are replayed as they were, so silent unicorns leave.
// - Caught up: every shard is read to its tip and nothing read waits any more. At ×1 that never happens while
//   records keep coming: a ×1 replay stays `from` behind, as asked.
// - The reader is held back when a shard has two full GetRecords waiting here: memory stays bounded whatever the
//   span, and the read budget per shard holds (the reader keeps to it while replaying).
// - Once live, the clock goes on at ×1 from where the replay left it: the herd's trails and silences never jump.

import { t } from "./i18n.js";
import { GET_RECORDS_LIMIT } from "./reader.js";
import { arrivalMs } from "./record.js";

export const SPEEDS = [1, 10, 60];
export const DEFAULT_SPEED = 10;
// Kinesis keeps records 24 hours by default, at most 365 days (8,760 hours).
export const MAX_RETENTION_HOURS = 8760;
const UNITS = { s: 1000, m: 60_000, h: 3_600_000 };
const SPAN = /^(\d{1,7}(?:\.\d{1,3})?)\s*(s|m|h)$/;

export class ReplayOptionError extends Error {
  constructor(option, message) {
    super(message);
    this.name = "ReplayOptionError";
    this.option = option;
  }
}

/** `from` as written (90s, 15m, 2h): ms, or null for no replay (empty); a ReplayOptionError otherwise. */
export function parseFrom(text) {
  const value = typeof text === "string" ? text.trim().toLowerCase() : "";
  if (value === "") return null;
  const match = SPAN.exec(value);
  const ms = match ? Number(match[1]) * UNITS[match[2]] : Number.NaN;
  if (!(ms > 0)) throw new ReplayOptionError("from", t("replay.badFrom", { value: String(text).slice(0, 40) }));
  if (ms > MAX_RETENTION_HOURS * UNITS.h) {
    throw new ReplayOptionError("from", t("replay.fromTooFar", { value: String(text), hours: MAX_RETENTION_HOURS }));
  }
  return ms;
}

/** `speed`: 1, 10 or 60 (the default 10 when empty); a ReplayOptionError otherwise. */
export function parseSpeed(text) {
  const value = typeof text === "string" ? text.trim().replace(/^[x×]/i, "") : "";
  if (value === "") return DEFAULT_SPEED;
  const speed = Number(value);
  if (!SPEEDS.includes(speed)) throw new ReplayOptionError("speed", t("replay.badSpeed", { value: String(text) }));
  return speed;
}

/** A span longer than the stream keeps records is refused, naming the option and the retention. */
export function checkRetention(fromMs, fromText, retentionHours, stream) {
  if (Number.isFinite(retentionHours) && fromMs > retentionHours * UNITS.h) {
    throw new ReplayOptionError("from", t("replay.beyondRetention", { value: fromText, stream, hours: retentionHours }));
  }
}

export class Replay {
  /**
   * fromMs, speed: what to replay. onRecord(item, atMs): one record is due (atMs on the replay clock: its arrival
   * while replaying, the clock's reading once live). onLive(): the replay caught up. now: monotonic ms (real time);
   * wallNow: ms since the epoch (where the replay starts). shards(): the reader's shardStates().
   */
  constructor({
    fromMs,
    speed = DEFAULT_SPEED,
    onRecord,
    onLive = () => {},
    now = () => performance.now(),
    wallNow = () => Date.now(),
    shards = () => [],
    maxWaitingPerShard = 2 * GET_RECORDS_LIMIT,
  }) {
    this.speed = speed;
    this.onRecord = onRecord;
    this.onLive = onLive;
    this.now = now;
    this.shards = shards;
    this.maxWaitingPerShard = maxWaitingPerShard;
    this.startMs = wallNow() - fromMs;
    this.at = this.startMs; // the replay clock
    this.tickedAt = now();
    this.queues = new Map(); // shardId -> {items: [[arrival, item]], head}
    this.progress = new Map(); // shardId -> {behind, lastArrival}
    this.released = 0;
    this.live = false;
    this.liveAt = 0;
    this.liveSince = 0;
  }

  /** Where the shards start: AT_TIMESTAMP this time. */
  get startAt() {
    return new Date(this.startMs);
  }

  /** The page's clock (ms): the replay clock, then, once live, real time on from there. */
  time() {
    return this.live ? this.liveAt + (this.now() - this.liveSince) : this.at;
  }

  /** Records one GetRecords read from `shardId`, in order. Live, they are handed on at once. */
  add(records, shardId) {
    if (this.live) {
      for (const item of records) this.onRecord(item, this.time());
      return;
    }
    const queue = this.queue(shardId);
    const progress = this.progressOf(shardId);
    for (const item of records) {
      // A record without a time keeps its place: it takes the one before it.
      const arrival = Math.max(arrivalMs(item) ?? -Infinity, progress.lastArrival);
      progress.lastArrival = arrival;
      queue.items.push([arrival, item]);
    }
  }

  /** After each GetRecords on `shardId` (reader's onProgress): how far behind the tip it still is. */
  report(shardId, { behind }) {
    this.progressOf(shardId).behind = behind;
  }

  /** The reader's mayRead: a shard with two full reads waiting waits itself. */
  mayRead(shardId) {
    if (this.live) return true;
    const queue = this.queues.get(shardId);
    return !queue || queue.items.length - queue.head < this.maxWaitingPerShard;
  }

  /** Move the clock on by the real time since the last tick × speed, hand on what is due, join live when caught up. */
  tick() {
    if (this.live) return;
    const now = this.now();
    let target = this.at + this.speed * Math.max(0, now - this.tickedAt);
    this.tickedAt = now;
    if (this.released === 0) {
      const first = this.firstRecord();
      if (first !== null && first > target) target = first;
    }
    target = Math.min(target, this.frontier());
    if (target > this.at) this.at = target;
    this.releaseDue();
    if (this.caughtUp()) {
      this.live = true;
      this.liveAt = this.at;
      this.liveSince = now;
      this.queues.clear();
      this.onLive();
    }
  }

  /** Records waiting to be handed on. */
  get waiting() {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.items.length - queue.head;
    return count;
  }

  queue(shardId) {
    let queue = this.queues.get(shardId);
    if (!queue) this.queues.set(shardId, (queue = { items: [], head: 0 }));
    return queue;
  }

  progressOf(shardId) {
    let progress = this.progress.get(shardId);
    if (!progress) this.progress.set(shardId, (progress = { behind: null, lastArrival: -Infinity }));
    return progress;
  }

  /** The shards whose records may still come now (read, or to be read next): not done, parents done. */
  readingShards() {
    return this.shards().filter((shard) => !shard.done && shard.ready);
  }

  /** How far every shard being read is known to be read: its last record's arrival, or all of it at its tip. */
  frontier() {
    let frontier = Infinity;
    for (const shard of this.readingShards()) {
      const progress = this.progress.get(shard.id);
      if (progress?.behind === 0) continue;
      frontier = Math.min(frontier, progress ? progress.lastArrival : -Infinity);
    }
    return frontier;
  }

  /** The first record's arrival, once known (no shard being read may still hold an earlier one); else null. */
  firstRecord() {
    let first = Infinity;
    for (const queue of this.queues.values()) {
      if (queue.head < queue.items.length) first = Math.min(first, queue.items[queue.head][0]);
    }
    for (const shard of this.readingShards()) {
      const queue = this.queues.get(shard.id);
      const waiting = queue && queue.head < queue.items.length;
      if (!waiting && this.progress.get(shard.id)?.behind !== 0) return null;
    }
    return first === Infinity ? null : first;
  }

  /** Hand on every record due by the clock, in arrival order across shards (each shard's own order kept). */
  releaseDue() {
    const queues = [...this.queues.values()].filter((q) => q.head < q.items.length);
    while (queues.length) {
      let next = null;
      for (const queue of queues) {
        if (next === null || queue.items[queue.head][0] < next.items[next.head][0]) next = queue;
      }
      const [arrival, item] = next.items[next.head];
      if (arrival > this.at) break;
      next.items[next.head] = undefined;
      next.head += 1;
      this.released += 1;
      if (next.head === next.items.length) {
        next.items = [];
        next.head = 0;
        queues.splice(queues.indexOf(next), 1);
      } else if (next.head >= 4096) {
        next.items = next.items.slice(next.head);
        next.head = 0;
      }
      this.onRecord(item, arrival);
    }
  }

  /** Nothing waits, and every shard not read to its end has been read to its tip. */
  caughtUp() {
    const shards = this.shards();
    if (this.waiting > 0 || shards.length === 0) return false;
    return shards.every((shard) => shard.done || this.progress.get(shard.id)?.behind === 0);
  }
}
