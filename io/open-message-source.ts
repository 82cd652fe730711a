import type { PubSubSourceOptions } from "./gcp/pubsub/pubsub-message-source";
import type { MessageSource } from "./ports";
import type { OpenSubscriptionOptions } from "./pubsub/open-subscription";

/**
 * Where the streaming job reads from, chosen once when the job is built:
 *   emulator-rest  the Pub/Sub emulator over our REST client (the local default; no Google library is loaded)
 *   pubsub         Pub/Sub through Google's official client library: Google Cloud, or an emulator when `emulatorHost` is given
 */
export type MessageSourceTarget =
  ({ target: "emulator-rest" } & OpenSubscriptionOptions) | ({ target: "pubsub" } & PubSubSourceOptions);

/**
 * Opens the message source for a target. Both implementations are imported lazily, so the local path never loads the
 * Google one. `emulator-rest` creates the topic and the subscription when `topic` is given (the emulator forgets them at
 * every restart); `pubsub` expects the subscription to exist and checks the ids before any call.
 */
export async function openMessageSource(options: MessageSourceTarget): Promise<MessageSource> {
  switch (options.target) {
    case "emulator-rest": {
      const { openSubscription } = await import("./pubsub/open-subscription");
      return openSubscription(options);
    }
    case "pubsub": {
      const { PubSubMessageSource } = await import("./gcp/pubsub/pubsub-message-source");
      return new PubSubMessageSource(options);
    }
  }
}
