/**
 * Publishing a few messages to a Pub/Sub topic through the official client's low-level v1 publisher (loaded on first
 * use): for Pub/Sub on Google Cloud, and for the emulator when `emulatorHost` is given (as pubsub-client.ts connects
 * the subscriber). One Publish request of up to 1,000 messages; failures are `PubSubCallError`s naming the topic.
 */
import { parseTopicName } from "../../identifiers/pubsub";
import { MAX_PUBLISH_MESSAGES } from "../../pubsub/requests";
import { pubSubCallError } from "./pubsub-errors";

export interface TopicMessage {
  data: string;
  attributes: Record<string, string>;
}

/** `topic`: `projects/<p>/topics/<t>` (checked before any call). Returns the message ids Pub/Sub assigned. */
export async function publishToTopic(
  topic: string,
  messages: TopicMessage[],
  emulatorHost?: string,
): Promise<string[]> {
  const { projectId, name } = parseTopicName(topic);
  if (messages.length === 0) return [];
  const { PubSub, v1 } = await import("@google-cloud/pubsub");
  const options = emulatorHost
    ? await new PubSub({ projectId, apiEndpoint: emulatorHost, emulatorMode: true }).getClientConfig()
    : undefined;
  const client = new v1.PublisherClient(
    options
      ? // The universe domain given, the client looks for no credentials (as pubsub-client.ts explains).
        {
          projectId,
          ...{ servicePath: options.servicePath, port: Number(options.port), sslCreds: options.sslCreds },
          universeDomain: "googleapis.com",
        }
      : { projectId },
  );
  try {
    const ids: string[] = [];
    for (let i = 0; i < messages.length; i += MAX_PUBLISH_MESSAGES) {
      const batch = messages.slice(i, i + MAX_PUBLISH_MESSAGES).map((m) => ({
        data: Buffer.from(m.data, "utf8"),
        attributes: m.attributes,
      }));
      const [response] = await client.publish({ topic: name, messages: batch });
      ids.push(...(response.messageIds ?? []));
    }
    return ids;
  } catch (err) {
    throw pubSubCallError("publish", name, err);
  } finally {
    await client.close();
  }
}
