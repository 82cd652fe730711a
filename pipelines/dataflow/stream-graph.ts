import * as beam from "../../transforms/beam/sdk";
import { decodePubsubMessage } from "./pubsub-message";
import { readPubsubMessages, type PubsubReadOptions } from "./pubsub-read";
import { ingestToSink, type DataflowIngestOptions } from "./ingest-graph";

export interface StreamGraphOptions extends DataflowIngestOptions {
  pubsub: PubsubReadOptions;
}

/** The streaming job on a portable runner: Pub/Sub (id and event-time attributes) → shared transforms → the sink. */
export function streamGraph(options: StreamGraphOptions) {
  return async (root: beam.Root): Promise<void> => {
    const messages = await root.applyAsync(readPubsubMessages(options.pubsub));
    // Dataflow's Pub/Sub source reports no delivery attempts (every message is attempt 1): no limit can apply, and the
    // template refuses a `maxDeliveryAttempts` parameter (REFUSED_PARAMETERS, launcher/template/parameters.ts).
    const limits = {
      subscription: options.pubsub.subscription,
      maxRecordBytes: options.maxRecordBytes,
      maxDeliveryAttempts: Number.MAX_SAFE_INTEGER,
    };
    await ingestToSink(messages.map(decodePubsubMessage, limits), options, "none");
  };
}
