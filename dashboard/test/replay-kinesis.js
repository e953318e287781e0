// The fake Kinesis with time: each record gets an ApproximateArrivalTimestamp, and GetShardIterator knows
// AT_TIMESTAMP (the first record that arrived at or after the time), as Kinesis does.

import { FakeKinesis } from "./fake-kinesis.js";

export class TimedKinesis extends FakeKinesis {
  constructor({ now = () => Date.now() } = {}) {
    super();
    this.clock = now;
  }

  /** Put `data` on `shardId`, received by the stream at `arrival` (ms since the epoch; its clock by default). */
  put(shardId, data, arrival = this.clock()) {
    const record = super.put(shardId, data);
    record.ApproximateArrivalTimestamp = new Date(arrival);
    return record;
  }

  async send(command) {
    const input = command.input;
    if (command.constructor.name === "GetShardIteratorCommand" && input.ShardIteratorType === "AT_TIMESTAMP") {
      this.calls.push({ name: "GetShardIterator", input, at: performance.now() });
      if (!(input.Timestamp instanceof Date)) throw new Error("AT_TIMESTAMP needs a Timestamp");
      if (input.Timestamp.getTime() > this.clock()) {
        const error = new Error("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis.");
        error.name = "InvalidArgumentException";
        throw error;
      }
      const records = this.shards.get(input.ShardId).records;
      const found = records.findIndex((r) => r.ApproximateArrivalTimestamp >= input.Timestamp);
      return { ShardIterator: `${input.ShardId}/${found === -1 ? records.length : found}` };
    }
    return super.send(command);
  }
}

/** A unicorn status as the producer writes it. */
export function status(name, second, latitude = 40 + second / 1000) {
  return JSON.stringify({
    Name: name,
    StatusTime: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString().replace("T", " ").slice(0, 23),
    Latitude: latitude,
    Longitude: -74,
    Distance: 10,
    MagicPoints: 150,
    HealthPoints: 150,
  });
}
