/**
 * The real clients behind the train targets, created only when a plan is applied: `@google-cloud/aiplatform` and
 * `google-auth-library` are loaded here, lazily, and nowhere else in the train code (the local path never loads them).
 */
import { MissingSettingError } from "../cloud/errors";
import { grpcClientOptions } from "../cloud/client-options";
import type { VertexJob, VertexJobClient, VertexPipelineClient } from "./vertex-apply";
import type { VertexJobPoller } from "./vertex-wait";

type Aiplatform = typeof import("@google-cloud/aiplatform");
type ClientOptions = ConstructorParameters<Aiplatform["v1"]["JobServiceClient"]>[0];

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * The regional endpoint with Application Default Credentials (missing ones reported by name before any call), or,
 * given `host:port` (an in-test server), a plaintext channel without credentials.
 */
async function clientOptions(region: string, endpoint: string | undefined): Promise<ClientOptions> {
  const options = await grpcClientOptions(endpoint);
  // The client library's boundary: its options are google-gax's, not ours to type.
  return (endpoint ? options : { ...options, apiEndpoint: `${region}-aiplatform.googleapis.com` }) as ClientOptions;
}

export async function openVertexJobClient(
  region: string,
  endpoint?: string,
): Promise<VertexJobClient & VertexJobPoller & { close(): Promise<void> }> {
  const options = await clientOptions(region, endpoint);
  const aiplatform: Aiplatform = await import("@google-cloud/aiplatform");
  const client = new aiplatform.v1.JobServiceClient(options);
  const states = aiplatform.protos.google.cloud.aiplatform.v1.JobState as unknown as Record<
    string | number,
    string | number
  >;
  const job = vertexJobOf(states);
  return {
    listCustomJobs: async (request) => (await client.listCustomJobs(request, { autoPaginate: false }))[0].map(job),
    createCustomJob: async (request) => job((await client.createCustomJob(request))[0]),
    getCustomJob: async (request) => {
      const [found] = await client.getCustomJob(request);
      return {
        ...job(found),
        ...(found.error?.message ? { error: found.error.message } : {}),
        ...(found.jobSpec?.baseOutputDirectory?.outputUriPrefix
          ? { outputDirectory: found.jobSpec.baseOutputDirectory.outputUriPrefix }
          : {}),
      };
    },
    close: () => client.close(),
  };
}

export async function openVertexPipelineClient(
  region: string,
  endpoint?: string,
): Promise<VertexPipelineClient & { close(): Promise<void> }> {
  const options = await clientOptions(region, endpoint);
  const aiplatform: Aiplatform = await import("@google-cloud/aiplatform");
  const client = new aiplatform.v1.PipelineServiceClient(options);
  const states = aiplatform.protos.google.cloud.aiplatform.v1.PipelineState as unknown as Record<
    string | number,
    string | number
  >;
  const job = vertexJobOf(states);
  return {
    createPipelineJob: async (request) => job((await client.createPipelineJob(request))[0]),
    getPipelineJob: async (request) => job((await client.getPipelineJob(request))[0]),
    close: () => client.close(),
  };
}

/** The client returns enums as numbers; reports and state checks use their names. */
function enumName(values: Record<string | number, string | number>, value: unknown): string {
  if (typeof value === "string") return value;
  const name = typeof value === "number" ? values[value] : undefined;
  return typeof name === "string" ? name : String(value ?? "UNSPECIFIED");
}

/** A bearer token from Application Default Credentials: Kubeflow's (`train.kubeflow.auth: "adc"`), Cloud Run's. */
export async function adcAccessToken(api = "the Kubeflow API"): Promise<string> {
  const { GoogleAuth } = await import("google-auth-library");
  try {
    const token = await new GoogleAuth({ scopes: SCOPE }).getAccessToken();
    if (!token) throw new Error("no access token returned");
    return token;
  } catch (err) {
    throw new MissingSettingError(
      "credentials",
      `no Application Default Credentials for ${api} (${(err as Error).message.split("\n")[0]}): ` +
        "run `gcloud auth application-default login`",
    );
  }
}

/** A job or pipeline job as the launcher reports it: its name, display name and state by the API's enum name. */
function vertexJobOf(states: Record<string | number, string | number>) {
  return (j: { name?: string | null; displayName?: string | null; state?: unknown }): VertexJob => ({
    name: j.name ?? "",
    displayName: j.displayName ?? "",
    state: enumName(states, j.state),
  });
}
