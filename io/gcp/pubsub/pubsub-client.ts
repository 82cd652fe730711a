import type { v1 } from "@google-cloud/pubsub";

export type SubscriberClient = v1.SubscriberClient;

export interface SubscriberConnection {
  projectId: string;
  /** `host:port` of a Pub/Sub emulator: plain gRPC, no credentials. Absent: Pub/Sub with Application Default Credentials. */
  emulatorHost?: string;
}

/**
 * The low-level (`v1`) subscriber client, loaded on first use so that nothing on the local path loads a Google
 * library. The v1 clients ignore `PUBSUB_EMULATOR_HOST` (they ask for credentials even then), so the emulator is
 * named explicitly and its connection settings come from the `PubSub` wrapper, which knows how to reach one.
 */
export async function createSubscriberClient(connection: SubscriberConnection): Promise<SubscriberClient> {
  const { PubSub, v1 } = await import("@google-cloud/pubsub");
  if (!connection.emulatorHost) return new v1.SubscriberClient({ projectId: connection.projectId });
  const { projectId, emulatorHost } = connection;
  const { servicePath, port, sslCreds } = await new PubSub({
    projectId,
    apiEndpoint: emulatorHost,
    emulatorMode: true,
  }).getClientConfig();
  // With the universe domain given, the client does not look for credentials (nor probe the GCE metadata server)
  // just to learn it; the wrapper's insecure channel credentials are all the emulator needs.
  return new v1.SubscriberClient({
    projectId,
    servicePath,
    port: Number(port),
    sslCreds,
    universeDomain: "googleapis.com",
  });
}
