// SubscribeToShard with the AWS SDK for JavaScript v3 in Node, over HTTP/2 cleartext (NodeHttp2Handler), as an
// enhanced fan-out reader would: every call of this client (ListShards, DescribeStreamConsumer, SubscribeToShard,
// PutRecord) goes over one HTTP/2 session to the local endpoint. Prints one JSON line per step; exits 0 once it
// has read the records already in the shard and then one it put itself while subscribed.
//
// Environment: ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, STREAM_NAME, CONSUMER_ARN,
// SHARD_ID, EXISTING (how many records the shard holds before it subscribes).
import { createRequire } from "node:module";

const require = createRequire(new URL("../../../dashboard/package.json", import.meta.url));
const {
  KinesisClient,
  ListShardsCommand,
  DescribeStreamConsumerCommand,
  SubscribeToShardCommand,
  PutRecordCommand,
} = require("@aws-sdk/client-kinesis");
const { NodeHttp2Handler } = require("@smithy/node-http-handler");

const env = process.env;
const print = (line) => console.log(JSON.stringify(line));
const client = new KinesisClient({
  region: env.AWS_REGION,
  endpoint: env.ENDPOINT,
  credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  requestHandler: new NodeHttp2Handler({ requestTimeout: 20000 }),
  maxAttempts: 1,
});
const existing = Number(env.EXISTING);
const timer = setTimeout(() => {
  print({ step: "timeout" });
  process.exit(3);
}, 20000);

try {
  const consumer = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: env.CONSUMER_ARN }));
  print({ step: "describe", status: consumer.ConsumerDescription.ConsumerStatus });
  const streamARN = consumer.ConsumerDescription.StreamARN;
  const shards = await client.send(new ListShardsCommand({ StreamARN: streamARN }));
  print({ step: "shards", shards: shards.Shards.map((shard) => shard.ShardId) });
  const subscription = await client.send(
    new SubscribeToShardCommand({
      ConsumerARN: env.CONSUMER_ARN,
      ShardId: env.SHARD_ID,
      StartingPosition: { Type: "TRIM_HORIZON" },
    }),
  );
  let read = 0;
  let put = false;
  for await (const event of subscription.EventStream) {
    if (!event.SubscribeToShardEvent) {
      print({ step: "other-event", event: Object.keys(event) });
      continue;
    }
    const batch = event.SubscribeToShardEvent;
    for (const record of batch.Records) {
      read += 1;
      print({
        step: "record",
        data: Buffer.from(record.Data).toString(),
        sequence: record.SequenceNumber,
        continuation: batch.ContinuationSequenceNumber,
      });
    }
    if (read >= existing && !put) {
      put = true;
      const answer = await client.send(
        new PutRecordCommand({ StreamName: env.STREAM_NAME, Data: Buffer.from("live"), PartitionKey: "node" }),
      );
      print({ step: "put", sequence: answer.SequenceNumber });
    }
    if (read >= existing + 1) break;
  }
  print({ step: "done", read });
  clearTimeout(timer);
  client.destroy();
  process.exit(0);
} catch (error) {
  print({ step: "error", name: error.name, message: error.message });
  process.exit(2);
}
