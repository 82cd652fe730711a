import { MissingSettingError } from "./errors";

const SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

/**
 * Options for a Google gRPC client (google-gax `ClientOptions`). With an endpoint (`host:port`: an in-test server or
 * an emulator) the channel is plaintext and no credentials are sent; otherwise Application Default Credentials are
 * loaded first, so missing credentials are reported before any request, by name. Loads google-gax and
 * google-auth-library lazily: the local path never does.
 */
export async function grpcClientOptions(endpoint: string | undefined): Promise<Record<string, unknown>> {
  if (endpoint) return endpointOptions(endpoint);
  const { GoogleAuth } = await import("google-auth-library");
  const auth = new GoogleAuth({ scopes: SCOPES });
  try {
    return { authClient: await auth.getClient() };
  } catch (err) {
    const hint = "run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a key file";
    throw Object.assign(new MissingSettingError("credentials", `${hint} (${(err as Error).message.split("\n")[0]})`), {
      cause: err,
    });
  }
}

async function endpointOptions(endpoint: string): Promise<Record<string, unknown>> {
  const match = /^(.+):(\d+)$/.exec(endpoint);
  if (!match) throw new MissingSettingError("endpoint", `--endpoint must be host:port (got "${endpoint}")`);
  const gax = await import("google-gax");
  const { PassThroughClient } = await import("google-auth-library");
  return {
    servicePath: match[1],
    port: Number(match[2]),
    sslCreds: gax.grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(),
  };
}
