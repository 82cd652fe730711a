import * as http from "http";
import type { AddressInfo } from "net";
import { CloudApiError } from "../../launcher/cloud/errors";
import { applyKubeflowRun } from "../../launcher/train/kubeflow-apply";
import { planKubeflowRun } from "../../launcher/train/kubeflow-plan";
import { lineageOf } from "../../launcher/train/lineage";
import { readTrainSettings } from "../../launcher/train/settings";

/**
 * An in-test HTTP server answering like the Kubeflow Pipelines REST API v2beta1 (`/apis/v2beta1/runs`, snake_case
 * JSON, grpc-gateway error bodies `{error, code, message}`); it records every request exactly as received.
 */
interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  contentType?: string;
  body?: unknown;
}
type Answer = { status: number; body: unknown };

let server: http.Server;
let endpoint: string;
const received: Received[] = [];
let answer: (req: Received) => Answer = () => ({
  status: 501,
  body: { error: "no answer set", code: 12, message: "no answer set" },
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const got: Received = {
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        ...(text ? { body: JSON.parse(text) } : {}),
      };
      received.push(got);
      const { status, body } = answer(got);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (received.length = 0));

const TINY_RETRY = { attempts: 3, initialDelayMs: 1, retryOn: ["quota-exhausted", "unavailable"] as const };
const TOKEN = "ya29.test-token-never-printed";
const lineage = lineageOf({
  table: "flights",
  partition: "2001-01-03",
  schema: "flights",
  schemaVersion: 1,
  runs: [{ runId: "batch-20010104T020000Z-0a1b2c", rows: 4_321, finishedAt: "2001-01-04T02:03:10.000Z" }],
})!;
const plan = () =>
  planKubeflowRun(
    lineage,
    readTrainSettings({
      train: {
        outputUri: "gs://rox-test-models/train",
        kubeflow: { endpoint, pipelineId: "pipe-1", pipelineVersionId: "ver-7", experimentId: "exp-3" },
      },
    }),
  );
const submit = () => applyKubeflowRun(plan(), { token: async () => TOKEN }, TINY_RETRY);
const runName = () => plan().request.body.display_name;
const kfpError = (status: number, code: number, message: string): Answer => ({
  status,
  body: { error: message, code, message, details: [] },
});
const posts = () => received.filter((r) => r.method === "POST");

test("looks the run up by name, then posts exactly the planned run to /apis/v2beta1/runs", async () => {
  answer = (req) =>
    req.method === "GET"
      ? { status: 200, body: {} }
      : { status: 200, body: { run_id: "run-42", display_name: runName(), state: "PENDING" } };
  expect(await submit()).toEqual({ name: "run-42", displayName: runName(), state: "PENDING", reused: false });
  expect(received).toHaveLength(2);
  const [lookup, create] = received;
  expect(lookup).toMatchObject({ method: "GET", path: "/apis/v2beta1/runs", authorization: `Bearer ${TOKEN}` });
  expect(lookup.query).toEqual({ page_size: "10", experiment_id: "exp-3", filter: expect.any(String) });
  expect(JSON.parse(lookup.query.filter)).toEqual({
    predicates: [{ operation: "EQUALS", key: "display_name", string_value: runName() }],
  });
  expect(create).toEqual({
    method: "POST",
    path: "/apis/v2beta1/runs",
    query: {},
    authorization: `Bearer ${TOKEN}`,
    contentType: "application/json",
    body: plan().request.body,
  });
  expect(create.body).toEqual({
    display_name: runName(),
    description: `rox train on flights partition 2001-01-03: 4321 rows, latest run batch-20010104T020000Z-0a1b2c, schema flights v1`,
    pipeline_version_reference: { pipeline_id: "pipe-1", pipeline_version_id: "ver-7" },
    runtime_config: {
      parameters: {
        table: "flights",
        partition: "2001-01-03",
        rows: 4321,
        run_id: "batch-20010104T020000Z-0a1b2c",
        schema: "flights",
        schema_version: 1,
      },
      pipeline_root: "gs://rox-test-models/train/pipelines",
    },
    experiment_id: "exp-3",
  });
});

test("a run of the same data that has not failed is reused: nothing is posted", async () => {
  answer = () => ({
    status: 200,
    body: { runs: [{ run_id: "run-41", display_name: runName(), state: "RUNNING" }], total_size: 1 },
  });
  expect(await submit()).toEqual({ name: "run-41", displayName: runName(), state: "RUNNING", reused: true });
  expect(posts()).toHaveLength(0);
});

test("a failed run of the same data does not count: a new one is posted", async () => {
  answer = (req) =>
    req.method === "GET"
      ? { status: 200, body: { runs: [{ run_id: "run-40", display_name: runName(), state: "FAILED" }] } }
      : { status: 200, body: { run_id: "run-43", display_name: runName(), state: "PENDING" } };
  expect(await submit()).toMatchObject({ name: "run-43", reused: false });
});

test("without a token source no authorization header is sent", async () => {
  answer = (req) =>
    req.method === "GET"
      ? { status: 200, body: {} }
      : { status: 200, body: { run_id: "run-44", display_name: runName(), state: "PENDING" } };
  await applyKubeflowRun(plan(), {}, TINY_RETRY);
  expect(received.map((r) => r.authorization)).toEqual([undefined, undefined]);
});

test("permission denied (403) is final and typed; the token appears in no message", async () => {
  answer = (req) =>
    req.method === "GET"
      ? { status: 200, body: {} }
      : kfpError(403, 7, "user is not authorized to create runs in namespace kubeflow");
  const err = (await submit().catch((e: unknown) => e)) as CloudApiError;
  expect(err).toBeInstanceOf(CloudApiError);
  expect(err).toMatchObject({
    failure: "permission-denied",
    service: "kubeflow.pipelines.v2beta1",
    method: "POST /apis/v2beta1/runs",
  });
  expect(err.message).toBe(
    "POST /apis/v2beta1/runs failed (permission-denied): HTTP 403: user is not authorized to create runs in namespace kubeflow",
  );
  expect(JSON.stringify({ message: err.message, stack: err.stack })).not.toContain(TOKEN);
  expect(posts()).toHaveLength(1);
});

test("a pipeline version that does not exist (404) is a not-found error", async () => {
  answer = (req) =>
    req.method === "GET"
      ? { status: 200, body: {} }
      : kfpError(404, 5, "Failed to get pipeline version ver-7: ResourceNotFoundError");
  await expect(submit()).rejects.toMatchObject({ failure: "not-found", message: expect.stringContaining("ver-7") });
});

test("too many requests (429) is retried with backoff, then succeeds with the same body", async () => {
  let refusals = 1;
  answer = (req) => {
    if (req.method === "GET") return { status: 200, body: {} };
    return refusals-- > 0
      ? kfpError(429, 8, "rate limit exceeded")
      : { status: 200, body: { run_id: "run-45", display_name: runName(), state: "PENDING" } };
  };
  expect(await submit()).toMatchObject({ name: "run-45", reused: false });
  expect(posts()).toHaveLength(2);
  expect(posts()[1].body).toEqual(plan().request.body);
});

test("429 on every attempt ends in a clear message with the attempts", async () => {
  answer = (req) => (req.method === "GET" ? { status: 200, body: {} } : kfpError(429, 8, "rate limit exceeded"));
  const err = (await submit().catch((e: unknown) => e)) as CloudApiError;
  expect(err.failure).toBe("quota-exhausted");
  expect(err.message).toBe(
    "POST /apis/v2beta1/runs failed (quota-exhausted): HTTP 429: rate limit exceeded (gave up after 3 attempts)",
  );
  expect(posts()).toHaveLength(3);
});

test("an API server that does not answer is reported as unavailable after the retries", async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const unreachable = planKubeflowRun(
    lineage,
    readTrainSettings({
      train: { kubeflow: { endpoint: `http://127.0.0.1:${port}`, pipelineId: "p", pipelineVersionId: "v" } },
    }),
  );
  const err = (await applyKubeflowRun(unreachable, {}, TINY_RETRY).catch((e: unknown) => e)) as CloudApiError;
  expect(err).toMatchObject({ failure: "unavailable", method: "GET /apis/v2beta1/runs" });
  expect(err.message).toContain("ECONNREFUSED");
  expect(err.message).toContain("gave up after 3 attempts");
});
