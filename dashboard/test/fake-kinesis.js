// A stream in memory that answers ListShards, GetShardIterator and GetRecords as Kinesis does.

export class FakeKinesis {
  constructor() {
    this.shards = new Map(); // id -> {records: [{SequenceNumber, Data}], parents, closed}
    this.calls = [];
    this.throttleNext = 0;
    this.sequence = 0;
    this.iterators = new Map();
  }

  addShard(id, { parents = [], closed = false } = {}) {
    this.shards.set(id, { id, records: [], parents, closed });
  }

  put(shardId, data) {
    this.sequence += 1;
    const record = { SequenceNumber: String(this.sequence).padStart(20, "0"), Data: new TextEncoder().encode(data) };
    this.shards.get(shardId).records.push(record);
    return record;
  }

  close(shardId) {
    this.shards.get(shardId).closed = true;
  }

  async send(command) {
    const name = command.constructor.name.replace(/Command$/, "");
    const input = command.input;
    this.calls.push({ name, input, at: performance.now() });
    if (name === "ListShards") {
      return {
        Shards: [...this.shards.values()].map((s) => ({
          ShardId: s.id,
          ParentShardId: s.parents[0],
          AdjacentParentShardId: s.parents[1],
          SequenceNumberRange: { StartingSequenceNumber: "0", ...(s.closed ? { EndingSequenceNumber: "9" } : {}) },
        })),
      };
    }
    if (name === "GetShardIterator") {
      const shard = this.shards.get(input.ShardId);
      let position = 0;
      if (input.ShardIteratorType === "LATEST") position = shard.records.length;
      if (input.ShardIteratorType === "AFTER_SEQUENCE_NUMBER") {
        position = shard.records.findIndex((r) => r.SequenceNumber === input.StartingSequenceNumber) + 1;
      }
      const iterator = `${input.ShardId}/${position}`;
      return { ShardIterator: iterator };
    }
    if (name === "GetRecords") {
      if (this.throttleNext > 0) {
        this.throttleNext -= 1;
        const error = new Error("Rate exceeded for shard");
        error.name = "ProvisionedThroughputExceededException";
        throw error;
      }
      const [shardId, from] = input.ShardIterator.split("/");
      const shard = this.shards.get(shardId);
      const start = Number(from);
      const records = shard.records.slice(start, start + (this.batchLimit ?? input.Limit));
      const next = start + records.length;
      const behind = next < shard.records.length ? 1000 : 0;
      const end = shard.closed && next >= shard.records.length;
      return { Records: records, MillisBehindLatest: behind, NextShardIterator: end ? undefined : `${shardId}/${next}` };
    }
    throw new Error(`unexpected ${name}`);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check, timeoutMs = 3000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (check()) return;
    await sleep(5);
  }
  throw new Error("timed out");
}
