import type { Storage } from "@google-cloud/storage";

/** Where the Cloud Storage client talks to: real Cloud Storage (Application Default Credentials) or an emulator. */
export interface GcsClientOptions {
  projectId?: string;
  /** An emulator's base URL, e.g. `http://127.0.0.1:4443`. With one, the client sends no credentials. */
  apiEndpoint?: string;
}

/**
 * Loads `@google-cloud/storage` only when a Cloud Storage client is really needed, so the local path never does.
 * A custom `apiEndpoint` makes the client skip authentication (its `useAuthWithCustomEndpoint` stays false).
 */
export async function createStorageClient(options: GcsClientOptions = {}): Promise<Storage> {
  const { Storage } = await import("@google-cloud/storage");
  return new Storage({ projectId: options.projectId, apiEndpoint: options.apiEndpoint });
}

/** The HTTP status of a client-library error (`ApiError.code`), when it carries one. */
export function httpStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}
