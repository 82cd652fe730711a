import * as beam from "../../transforms/beam/sdk";
import { rawExternalTransform } from "apache-beam/transforms/external";
import { serviceProviderFromJavaGradleTarget } from "apache-beam/utils/service";
import { GCP_EXPANSION_SERVICE_TARGET } from "../beam-services";

export const PUBSUB_READ_URN = "beam:transform:org.apache.beam:pubsub_read:v1";

export interface PubsubReadOptions {
  /** `projects/<project>/subscriptions/<name>` */
  subscription: string;
  /** Attribute holding a unique id: Dataflow drops messages whose id it has already seen (re-sends, redeliveries). */
  idAttribute: string;
  /** Attribute holding the event time (epoch ms or RFC 3339): the element timestamp and the watermark. */
  timestampAttribute: string;
}

/**
 * Java's PubsubIO read of messages with attributes (each element a PubsubMessage proto). The SDK's own
 * `readFromPubSubWithAttributes` cannot expand on 2.49.0: it names its configuration fields `needsAttributes` and
 * `id_attribute`, while the Java builder's setters are `setWithAttributes` and `setIdLabel` (see docs/dataflow.md).
 */
export function readPubsubMessages(options: PubsubReadOptions) {
  const config = {
    subscription: options.subscription,
    id_label: options.idAttribute,
    timestamp_attribute: options.timestampAttribute,
    with_attributes: true,
  };
  return beam.withName(
    "read pubsub",
    rawExternalTransform<beam.Root, beam.PCollection<Uint8Array>>(
      PUBSUB_READ_URN,
      config,
      serviceProviderFromJavaGradleTarget(GCP_EXPANSION_SERVICE_TARGET),
    ),
  );
}
