import { PubSubCallError } from "../../io/gcp/pubsub-errors";
import { openMessageSource } from "../../io/open-message-source";
import { PubSubRestError } from "../../io/pubsub/errors";
import { unmet } from "../support/prerequisites";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { messageSourceSuite, type MessageSourceFactory } from "./message-source.suite";
import { conformanceTargets, targetSelected } from "./targets";

// Both implementations run on one emulator started here: `local` reads it over our REST client, `emulator` through
// the official client (`@google-cloud/pubsub`).
const workspace = useEmulatorWorkspace("conformance-pubsub");
const emulatorReady = unmet("pubsub-emulator") === undefined; // prints why when it cannot run
const env = (enabled: boolean) => ({
  enabled: emulatorReady && enabled,
  host: () => {
    if (!workspace.emulator) throw new Error("the Pub/Sub emulator did not start (see the warning above)");
    return workspace.emulator.host;
  },
});

const restSource: MessageSourceFactory = {
  open: ({ host, project, subscription }) => openMessageSource({ target: "emulator-rest", host, project, subscription }),
  errorClass: PubSubRestError,
};

const officialClientSource: MessageSourceFactory = {
  open: ({ host, project, subscription }) => openMessageSource({ target: "pubsub", projectId: project, subscription, emulatorHost: host }),
  errorClass: PubSubCallError,
};

messageSourceSuite("EmulatorMessageSource (REST)", restSource, {}, env(targetSelected("local")));
messageSourceSuite("PubSubMessageSource (official client, emulator)", officialClientSource, {}, env(targetSelected("emulator")));

if (conformanceTargets().has("cloud")) {
  console.warn('MessageSource conformance: target "cloud" not run: the suite creates its topics and subscriptions over the emulator\'s REST API, which real Pub/Sub does not offer without credentials');
}
