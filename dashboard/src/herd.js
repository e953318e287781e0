// What the dashboard knows about each unicorn: its last record, a capped trail, when its last record
// reached the browser. A unicorn with no record for `timeoutMs` (counted from that arrival) is dropped;
// when it comes back it starts a fresh trail. Pure: no DOM, no clock of its own.

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_TRAIL_POINTS = 30;

export class Herd {
  constructor({ timeoutMs = DEFAULT_TIMEOUT_MS, trailPoints = DEFAULT_TRAIL_POINTS } = {}) {
    this.timeoutMs = timeoutMs;
    this.trailPoints = trailPoints;
    this.unicorns = new Map(); // name -> unicorn
  }

  get size() {
    return this.unicorns.size;
  }

  /**
   * Take one validated record that reached the browser at `arrivedAt` (ms). Returns the unicorn and
   * whether it is new on the map, or null when the record is older than what is shown (out of order).
   */
  ingest(record, arrivedAt) {
    let unicorn = this.unicorns.get(record.name);
    const isNew = unicorn === undefined;
    if (isNew) {
      unicorn = { name: record.name, trail: [] };
      this.unicorns.set(record.name, unicorn);
    } else if (record.statusTime < unicorn.statusTime) {
      unicorn.arrivedAt = arrivedAt; // still alive, but do not move it back
      return null;
    }
    unicorn.statusTime = record.statusTime;
    unicorn.latitude = record.latitude;
    unicorn.longitude = record.longitude;
    unicorn.distance = record.distance;
    unicorn.magic = record.magic;
    unicorn.health = record.health;
    unicorn.arrivedAt = arrivedAt;
    unicorn.trail.push([record.latitude, record.longitude]);
    if (unicorn.trail.length > this.trailPoints) unicorn.trail.splice(0, unicorn.trail.length - this.trailPoints);
    return { unicorn, isNew };
  }

  /** Drop the unicorns silent for longer than the timeout; returns their names. */
  expire(now) {
    const gone = [];
    for (const [name, unicorn] of this.unicorns) {
      if (now - unicorn.arrivedAt >= this.timeoutMs) gone.push(name);
    }
    for (const name of gone) this.unicorns.delete(name);
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
