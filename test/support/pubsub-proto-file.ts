/**
 * Pub/Sub messages for the streaming graph on the DirectRunner (which cannot run Java's Pub/Sub read): a JSON-lines
 * file of `{data (base64), attributes, messageId, publishTime}` read in a DoFn and encoded as the
 * `google.pubsub.v1.PubsubMessage` protos Java's read emits (fields 1 data, 2 attributes, 3 message_id, 4 publish_time).
 */
import { requireForSerialization } from "apache-beam/serialization";
import { Writer } from "protobufjs";
import * as beam from "../../transforms/beam/sdk";
import { readJsonLines } from "../../io/files/json-lines";

export interface FileMessage {
  data: string;
  attributes: Record<string, string>;
  messageId: string;
  publishTimeMs: number;
}

export function* pubsubProtosOf(_impulse: unknown, ctx: { path: string }): Generator<Uint8Array> {
  for (const message of readJsonLines(ctx.path) as Iterable<unknown> as Iterable<FileMessage>) {
    const proto = Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(Buffer.from(message.data, "base64"));
    for (const [key, value] of Object.entries(message.attributes)) {
      const entry = Writer.create()
        .uint32((1 << 3) | 2)
        .string(key)
        .uint32((2 << 3) | 2)
        .string(value)
        .finish();
      proto.uint32((2 << 3) | 2).bytes(entry);
    }
    proto.uint32((3 << 3) | 2).string(message.messageId);
    const seconds = Math.floor(message.publishTimeMs / 1000);
    const time = Writer.create()
      .uint32(1 << 3)
      .int64(seconds)
      .uint32(2 << 3)
      .int32((message.publishTimeMs % 1000) * 1e6);
    proto.uint32((4 << 3) | 2).bytes(time.finish());
    yield proto.finish();
  }
}

/** The graph's `messages` role: the protos of the file's messages, in order. */
export function messagesFromFile(path: string) {
  return (root: beam.Root): beam.PCollection<Uint8Array> =>
    root.apply(beam.impulse()).flatMap(pubsubProtosOf, { path }) as beam.PCollection<Uint8Array>;
}

requireForSerialization("rox-gcp/test/support/pubsub-proto-file", { pubsubProtosOf });
