import * as beam from "../../transforms/beam/sdk";
import { decodePubsubMessage } from "./pubsub-message";
import { readPubsubMessages, type PubsubReadOptions } from "./pubsub-read";
import { ingestToSink, type DataflowIngestOptions } from "./ingest-graph";
import { writeWindowPartials } from "./window-partials";
import { loadContract } from "../../schemas/load";
import { scoreWrittenEvents, type StreamScoreContext } from "./stream-score-graph";

export interface StreamGraphOptions extends DataflowIngestOptions {
  pubsub: PubsubReadOptions;
  /** `--score`: each written event scored by the pinned model version (stream-score-graph.ts). */
  score?: StreamScoreContext;
  /** Where the messages come from instead of Java's Pub/Sub read (PubsubMessage proto bytes): the DirectRunner tests. */
  messages?: (root: beam.Root) => beam.PCollection<Uint8Array>;
}

/**
 * The streaming job on a portable runner: Pub/Sub (id and event-time attributes) → shared transforms → the sink's
 * events and dead letters, and each window's one-event partials where the sink folds them (window-partials.ts).
 */
export function streamGraph(options: StreamGraphOptions) {
  return async (root: beam.Root): Promise<void> => {
    const messages = options.messages?.(root) ?? (await root.applyAsync(readPubsubMessages(options.pubsub)));
    // Dataflow's Pub/Sub source reports no delivery attempts (every message is attempt 1): no limit can apply, and the
    // template refuses a `maxDeliveryAttempts` parameter (REFUSED_PARAMETERS, launcher/template/parameters.ts).
    const limits = {
      subscription: options.pubsub.subscription,
      maxRecordBytes: options.maxRecordBytes,
      maxDeliveryAttempts: Number.MAX_SAFE_INTEGER,
    };
    const events = await ingestToSink(messages.map(decodePubsubMessage, limits), options, "none");
    const contract = loadContract(options.schema, { dir: options.schemasDir });
    const { schema, schemasDir, nowMs } = options;
    await writeWindowPartials(events, contract, options.sink, { schema, schemasDir, nowMs });
    if (options.score) await scoreWrittenEvents(events, options.score, options.sink);
  };
}
