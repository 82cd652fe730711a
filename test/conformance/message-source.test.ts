import { PubSubCallError } from "../../io/gcp/pubsub/pubsub-errors";
import { MemoryPubSub, MemoryPubSubError } from "../../io/memory/memory-pubsub";
import { openMessageSource } from "../../io/open-message-source";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { PubSubRestError } from "../../io/pubsub/errors";
import { PubSubRestClient } from "../../io/pubsub/rest-client";
import { unmet } from "../support/prerequisites";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { messageSourceSuite, type MessageSourceFactory, type ReferenceBroker } from "./message-source.suite";
import { conformanceTargets, targetSelected } from "./targets";

const PROJECT = "rox-test";

// The in-memory Pub/Sub needs nothing: it is its own reference broker.
const memory = new MemoryPubSub();
const memorySource: MessageSourceFactory = {
  open: async (subscription) => memory.source(subscription),
  broker: () => ({
    subscribe: async (topic, subscription, ackDeadlineSeconds) => {
      memory.createTopic(topic);
      memory.createSubscription(subscription, topic, { ackDeadlineSeconds });
    },
    publish: async (topic, messages) => memory.publish(topic, messages),
    nack: async (subscription, ackIds) => memory.modifyAckDeadline(subscription, ackIds, 0),
  }),
  errorClass: MemoryPubSubError,
};
messageSourceSuite("MemoryPubSub (in process)", memorySource, {}, targetSelected("local"));

// Both emulator implementations run on one emulator started here: `local` reads it over our REST client, `emulator`
// through the official client (`@google-cloud/pubsub`). Our REST client is the reference broker for both.
const workspace = useEmulatorWorkspace("conformance-pubsub");
const emulatorReady = unmet("pubsub-emulator") === undefined; // prints why when it cannot run
const host = () => {
  if (!workspace.emulator) throw new Error("the Pub/Sub emulator did not start (see the warning above)");
  return workspace.emulator.host;
};

/** Subscriptions get a dead-letter policy, so the emulator counts delivery attempts. */
const restBroker = (): ReferenceBroker => {
  const rest = new PubSubRestClient(host(), PROJECT);
  return {
    subscribe: async (topic, subscription, ackDeadlineSeconds) => {
      await (
        await openSubscription({
          host: host(),
          project: PROJECT,
          topic,
          subscription,
          ackDeadlineSeconds,
          maxDeliveryAttempts: 5,
        })
      ).close();
    },
    publish: (topic, messages) => rest.publish(topic, messages),
    nack: (subscription, ackIds) => rest.modifyAckDeadline(subscription, ackIds, 0),
  };
};

const restSource: MessageSourceFactory = {
  open: (subscription) => openMessageSource({ target: "emulator-rest", host: host(), project: PROJECT, subscription }),
  broker: restBroker,
  errorClass: PubSubRestError,
};

const officialClientSource: MessageSourceFactory = {
  open: (subscription) =>
    openMessageSource({ target: "pubsub", projectId: PROJECT, subscription, emulatorHost: host() }),
  broker: restBroker,
  errorClass: PubSubCallError,
};

messageSourceSuite("EmulatorMessageSource (REST)", restSource, {}, emulatorReady && targetSelected("local"));
messageSourceSuite(
  "PubSubMessageSource (official client, emulator)",
  officialClientSource,
  {},
  emulatorReady && targetSelected("emulator"),
);

if (conformanceTargets().has("cloud")) {
  console.warn(
    'MessageSource conformance: target "cloud" not run: the suite creates its topics and subscriptions over the emulator\'s REST API, which real Pub/Sub does not offer without credentials',
  );
}
