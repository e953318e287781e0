// Reads every shard of the stream from the browser, as simulator/reader.py does in Python:
// - ListShards, then GetShardIterator LATEST on each open shard and GetRecords in a loop per shard; for a replay
//   (`startAt`), AT_TIMESTAMP on every shard listed at Start, closed ones included (they may hold records after
//   that time), and on their children;
// - shards that appear after a reshard are found by listing again (every few seconds, and at once when a
//   shard closes); a child is read from its start once all its parents are read to their end;
// - each shard keeps to a GetRecords budget (default 1.6 calls/s per shard: Kinesis allows 5 per shard,
//   shared by every reader of the stream), polls again at once while behind (MillisBehindLatest > 0),
//   and backs off (exponential, with jitter) when throttled; while `atOnceWhenBehind` is off (a replay), it keeps
//   to the budget even when behind: a replay's throughput comes from 10,000 records per call, not from more calls;
// - a consumer may hold a shard back (`mayRead`): a replay reads only a little ahead of its clock.

import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from "@aws-sdk/client-kinesis";

export const DEFAULT_BUDGET_PER_SHARD = 1.6;
export const GET_RECORDS_LIMIT = 10_000;
export const RELIST_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;
const THROTTLE_CODES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "LimitExceededException",
  "KMSThrottlingException",
]);
const CREDENTIAL_CODES = new Set(["ExpiredTokenException", "ExpiredToken"]);

function abortableSleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export class ShardReader {
  /**
   * client: a KinesisClient (or anything with send(command, {abortSignal})).
   * onRecords(records, shardId, millisBehind): each non-empty GetRecords reply, in order per shard.
   * onFatal(error): the reader stopped (stream gone, access denied, ...).
   * onTrouble(error | null): a transient problem (endpoint unreachable, throttled), or null when it cleared.
   * onCredentialsExpired(): ExpiredTokenException seen; the caller refreshes and the call is retried.
   * onProgress(shardId, {behind, records, done}): after every GetRecords that answered (empty ones too).
   * mayRead(shardId): false holds the shard's next GetRecords back (asked again after one budget interval).
   * startAt: a Date: read from AT_TIMESTAMP instead of LATEST (a replay).
   */
  constructor({
    client,
    streamName,
    budgetPerShard = DEFAULT_BUDGET_PER_SHARD,
    relistMs = RELIST_MS,
    onRecords = () => {},
    onFatal = () => {},
    onTrouble = () => {},
    onCredentialsExpired = () => {},
    onProgress = () => {},
    mayRead = () => true,
    startAt = null,
    atOnceWhenBehind = startAt === null,
    now = () => performance.now(),
    random = Math.random,
  }) {
    if (!(budgetPerShard > 0)) throw new Error("the GetRecords budget must be above 0 calls per second per shard");
    this.client = client;
    this.streamName = streamName;
    this.intervalMs = 1000 / budgetPerShard;
    this.relistMs = relistMs;
    this.onRecords = onRecords;
    this.onFatal = onFatal;
    this.onTrouble = onTrouble;
    this.onCredentialsExpired = onCredentialsExpired;
    this.onProgress = onProgress;
    this.mayRead = mayRead;
    this.startAt = startAt;
    this.atOnceWhenBehind = atOnceWhenBehind;
    this.now = now;
    this.random = random;
    this.shards = new Map(); // shardId -> {id, parents, iterator, lastSequence, done, running, start, throttled}
    this.abort = new AbortController();
    this.firstListing = true;
    this.stats = { calls: 0, throttled: 0, records: 0, listings: 0, millisBehind: {}, callTimes: [] };
    this.troubled = false;
    this.wakeLister = null;
  }

  get stopped() {
    return this.abort.signal.aborted;
  }

  /**
   * List the shards and take an iterator on each (errors reach the caller: a wrong stream or a role that
   * may not read it is reported at Start); from then on every record put is read. Then read in the background.
   */
  async start() {
    await this.refreshShards(false);
    const ready = [...this.shards.values()].filter((shard) => this.ready(shard));
    await Promise.all(ready.map(async (shard) => (shard.iterator = await this.iterator(shard))));
    this.startReadyShards();
    this.listLoop();
  }

  stop() {
    this.abort.abort();
  }

  send(command) {
    return this.client.send(command, { abortSignal: this.abort.signal });
  }

  async listShards() {
    const listed = [];
    let reply = await this.send(new ListShardsCommand({ StreamName: this.streamName }));
    listed.push(...(reply.Shards || []));
    while (reply.NextToken) {
      reply = await this.send(new ListShardsCommand({ NextToken: reply.NextToken }));
      listed.push(...(reply.Shards || []));
    }
    this.stats.listings += 1;
    return listed;
  }

  async refreshShards(startReading = true) {
    const listed = await this.listShards();
    const known = new Set(listed.map((s) => s.ShardId));
    for (const description of listed) {
      const id = description.ShardId;
      if (this.shards.has(id)) continue;
      const parents = [description.ParentShardId, description.AdjacentParentShardId].filter(
        (p) => p && known.has(p),
      );
      const closed = description.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      const shard = { id, parents, iterator: null, lastSequence: null, done: false, running: false, throttled: 0 };
      if (!this.firstListing) shard.start = "TRIM_HORIZON"; // born after we started: read it all
      else if (this.startAt) shard.start = "AT_TIMESTAMP";
      else if (closed) shard.done = true; // LATEST on a closed shard: nothing will ever come
      else shard.start = "LATEST";
      this.shards.set(id, shard);
    }
    this.firstListing = false;
    this.listedAt = this.now();
    if (startReading) this.startReadyShards();
  }

  ready(shard) {
    return !shard.done && shard.parents.every((p) => !this.shards.has(p) || this.shards.get(p).done);
  }

  /** Each shard as {id, done, ready}: what a replay needs to know whose records may still come. */
  shardStates() {
    return [...this.shards.values()].map((shard) => ({ id: shard.id, done: shard.done, ready: this.ready(shard) }));
  }

  startReadyShards() {
    for (const shard of this.shards.values()) {
      if (!shard.running && this.ready(shard) && !this.stopped) {
        shard.running = true;
        this.shardLoop(shard);
      }
    }
  }

  async listLoop() {
    while (!this.stopped) {
      const wait = this.listedAt + this.relistMs - this.now();
      if (wait > 0) {
        await new Promise((resolve) => {
          this.wakeLister = resolve;
          abortableSleep(wait, this.abort.signal).then(resolve);
        });
        this.wakeLister = null;
        continue;
      }
      try {
        await this.refreshShards();
        this.trouble(null);
      } catch (error) {
        if (this.stopped) return;
        if (!this.handleTransient(error)) return this.fatal(error);
        this.listedAt = this.now(); // try again after the usual pause
      }
    }
  }

  async shardLoop(shard) {
    let nextPoll = this.now();
    while (!this.stopped && !shard.done) {
      const wait = nextPoll - this.now();
      if (wait > 0) await abortableSleep(wait, this.abort.signal);
      if (this.stopped) return;
      if (!this.mayRead(shard.id)) {
        nextPoll = this.now() + this.intervalMs;
        continue;
      }
      nextPoll = await this.poll(shard);
      if (nextPoll === null) return; // fatal: reported
    }
    shard.running = false;
    if (shard.done && !this.stopped) {
      // Its children may start now: look for them at once.
      this.listedAt = -Infinity;
      this.wakeLister?.();
    }
  }

  async iterator(shard) {
    const input = { StreamName: this.streamName, ShardId: shard.id };
    if (shard.lastSequence) {
      input.ShardIteratorType = "AFTER_SEQUENCE_NUMBER";
      input.StartingSequenceNumber = shard.lastSequence;
    } else {
      input.ShardIteratorType = shard.start || "TRIM_HORIZON";
      if (input.ShardIteratorType === "AT_TIMESTAMP") input.Timestamp = this.startAt;
    }
    try {
      const reply = await this.send(new GetShardIteratorCommand(input));
      return reply.ShardIterator;
    } catch (error) {
      // A time past the stream's own clock (this browser's clock runs ahead of it): nothing to replay there.
      if (input.ShardIteratorType !== "AT_TIMESTAMP" || error?.name !== "InvalidArgumentException") throw error;
      shard.start = "LATEST";
      return this.iterator(shard);
    }
  }

  /** One GetRecords on `shard`; returns when to poll it next (performance.now ms), or null after a fatal error. */
  async poll(shard) {
    const started = this.now();
    let reply;
    try {
      if (!shard.iterator) shard.iterator = await this.iterator(shard);
      this.stats.callTimes.push([shard.id, started]);
      if (this.stats.callTimes.length > 1000) this.stats.callTimes.splice(0, 500);
      reply = await this.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: GET_RECORDS_LIMIT }));
    } catch (error) {
      if (this.stopped) return null;
      const code = error?.name;
      if (THROTTLE_CODES.has(code)) {
        this.stats.throttled += 1;
        shard.throttled += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, this.intervalMs * 2 ** shard.throttled);
        return started + this.intervalMs + this.random() * (backoff - this.intervalMs);
      }
      if (code === "ExpiredIteratorException") {
        shard.iterator = null;
        return started;
      }
      if (code === "ResourceNotFoundException" && this.shards.size > 1) {
        shard.done = true; // the shard is gone (trimmed after retention): its children go on
        return started;
      }
      if (CREDENTIAL_CODES.has(code)) {
        this.onCredentialsExpired();
        return started + this.intervalMs;
      }
      if (this.handleTransient(error)) return started + Math.min(MAX_BACKOFF_MS, this.intervalMs * 4);
      this.fatal(error);
      return null;
    }
    this.trouble(null);
    this.stats.calls += 1;
    shard.throttled = 0;
    const records = reply.Records || [];
    if (records.length) {
      shard.lastSequence = records[records.length - 1].SequenceNumber;
      this.stats.records += records.length;
    }
    const behind = Number(reply.MillisBehindLatest || 0);
    this.stats.millisBehind[shard.id] = behind;
    shard.iterator = reply.NextShardIterator || null;
    if (!shard.iterator) shard.done = true; // a closed shard, read to its end
    try {
      if (records.length) this.onRecords(records, shard.id, behind);
      this.onProgress(shard.id, { behind, records: records.length, done: shard.done });
    } catch (error) {
      console.error("handling records failed", error);
    }
    // Behind the tip (or a full batch): poll again at once; at the tip (or replaying): keep to the budget.
    const atOnce = this.atOnceWhenBehind && (behind > 0 || records.length >= GET_RECORDS_LIMIT);
    return atOnce ? started : started + this.intervalMs;
  }

  /** Network trouble and server errors pass; the caller retries later. */
  handleTransient(error) {
    const status = error?.$metadata?.httpStatusCode;
    const network = error?.name === "TypeError" || error?.name === "TimeoutError" || error?.name === "NetworkError";
    if (network || (status !== undefined && status >= 500) || THROTTLE_CODES.has(error?.name)) {
      this.trouble(error);
      return true;
    }
    return false;
  }

  trouble(error) {
    if (!error && !this.troubled) return;
    this.troubled = Boolean(error);
    this.onTrouble(error);
  }

  fatal(error) {
    if (this.stopped) return;
    this.stop();
    this.onFatal(error);
  }
}
