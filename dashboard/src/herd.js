// What the dashboard knows about each unicorn: its last record, a capped trail, when its last record
// reached the browser. Pure: no DOM; its clock is given (the page's monotonic clock live, the replayed stream time
// in a replay: then trails grow and silent unicorns leave at the replay's pace).
// - Keyed by the record's key (the whole name; see unicornkey.js), labelled by its cut name.
// - Arrival order is the truth: every record moves its unicorn, whatever its StatusTime says. A producer's
//   clock may be hours ahead or step back; the page shows that (skew, steppedBack) but never freezes on it.
// - A unicorn with no record for `timeoutMs` (counted from that arrival) is dropped; when it comes back it
//   starts a fresh trail.
// - At most `maxUnicorns`: a new one beyond that drops the one silent the longest (a writer with random
//   names must not grow the page without bound).

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_TRAIL_POINTS = 30;
export const DEFAULT_MAX_UNICORNS = 5000;

export class Herd {
  constructor({
    timeoutMs = DEFAULT_TIMEOUT_MS,
    trailPoints = DEFAULT_TRAIL_POINTS,
    maxUnicorns = DEFAULT_MAX_UNICORNS,
    clock = () => performance.now(),
  } = {}) {
    this.clock = clock; // ms; never goes back
    this.timeoutMs = timeoutMs;
    this.trailPoints = trailPoints;
    this.maxUnicorns = Math.max(1, Math.floor(maxUnicorns));
    // key -> unicorn, in order of last arrival (a Map keeps insertion order): the first is silent the longest.
    this.unicorns = new Map();
    this.dropped = 0; // unicorns dropped to keep to maxUnicorns
    this.records = 0;
    this.lastArrival = -Infinity;
  }

  get size() {
    return this.unicorns.size;
  }

  /**
   * Take one validated record that reached the browser at `arrivedAt` (ms on the herd's clock) and that the stream
   * received at `sentAt` (ms since the epoch: the record's ApproximateArrivalTimestamp, or null when unknown).
   * Returns the unicorn, whether it is new on the map, and the keys of the unicorns dropped to make room.
   */
  ingest(record, arrivedAt = this.clock(), sentAt = null) {
    // Arrivals never go back, so that the map's order stays the order of last arrival.
    const at = Math.max(arrivedAt, this.lastArrival);
    this.lastArrival = at;
    this.records += 1;
    let unicorn = this.unicorns.get(record.key);
    const isNew = unicorn === undefined;
    const evicted = [];
    if (isNew) {
      while (this.unicorns.size >= this.maxUnicorns) {
        const oldest = this.unicorns.keys().next().value;
        this.unicorns.delete(oldest);
        evicted.push(oldest);
        this.dropped += 1;
      }
      unicorn = { key: record.key, name: record.name, label: record.label, trail: [], steppedBack: false };
    } else {
      this.unicorns.delete(record.key); // set again below: now the most recently heard
      const before = unicorn.statusTimeMs;
      unicorn.steppedBack = before != null && record.statusTimeMs != null && record.statusTimeMs < before;
    }
    unicorn.statusTime = record.statusTime;
    unicorn.statusTimeMs = record.statusTimeMs;
    unicorn.skewMs = record.statusTimeMs != null && Number.isFinite(sentAt) ? record.statusTimeMs - sentAt : null;
    unicorn.latitude = record.latitude;
    unicorn.longitude = record.longitude;
    unicorn.distance = record.distance;
    unicorn.magic = record.magic;
    unicorn.health = record.health;
    unicorn.arrivedAt = at;
    unicorn.trail.push([record.latitude, record.longitude]);
    if (unicorn.trail.length > this.trailPoints) unicorn.trail.splice(0, unicorn.trail.length - this.trailPoints);
    this.unicorns.set(record.key, unicorn);
    return { unicorn, isNew, evicted };
  }

  /** Drop the unicorns silent for longer than the timeout (on the herd's clock); returns their keys. */
  expire(now = this.clock()) {
    const gone = [];
    for (const [key, unicorn] of this.unicorns) {
      if (now - unicorn.arrivedAt < this.timeoutMs) break; // the rest arrived later still
      gone.push(key);
    }
    for (const key of gone) this.unicorns.delete(key);
    return gone;
  }

  /** [[south, west], [north, east]] of every unicorn, or null for an empty herd. */
  bounds() {
    let south = Infinity;
    let west = Infinity;
    let north = -Infinity;
    let east = -Infinity;
    for (const u of this.unicorns.values()) {
      if (u.latitude < south) south = u.latitude;
      if (u.latitude > north) north = u.latitude;
      if (u.longitude < west) west = u.longitude;
      if (u.longitude > east) east = u.longitude;
    }
    return this.unicorns.size ? [[south, west], [north, east]] : null;
  }
}
