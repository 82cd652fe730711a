/**
 * Code written against Vertex AI works against `rox serve`: Google's own `PredictionServiceClient` (its REST
 * transport, `fallback: "rest"`, over plain http to 127.0.0.1) calls `predict` on an endpoint whose route the server
 * takes from `AIP_PREDICT_ROUTE`, exactly as Vertex sets it for a custom container, and reads the predictions.
 */
import { helpers, v1 } from "@google-cloud/aiplatform";
import { OAuth2Client } from "google-auth-library";
import { startServer, type RunningServer } from "../../launcher/serve/run";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { batchPredictions, servingFixture, type Served } from "./fixture";

const ENDPOINT = "projects/p-1/locations/us-central1/endpoints/1234";
let work: ReturnType<typeof tempDir>;
let s: Served;
let server: RunningServer;

describeNeeds("ml-python")("Vertex AI's PredictionServiceClient against rox serve", () => {
  beforeAll(async () => {
    work = tempDir("serve-vertex");
    s = await servingFixture(work.dir);
    server = await startServer({
      ref: { name: "flights-delay", alias: "champion" },
      target: { kind: "duckdb", file: s.warehouse },
      store: s.store,
      host: "127.0.0.1",
      port: 0,
      predictRoute: `/v1/${ENDPOINT}:predict`,
      healthRoute: "/health",
      deployedModelId: "5678",
      maxBodyBytes: 1_572_864,
      maxInstances: 1000,
      cacheTtlSeconds: 30,
      reloadEverySeconds: 0,
      log: () => undefined,
    });
    await server.slot.refresh();
  }, 900_000);
  afterAll(async () => {
    await server?.close();
    work?.cleanup();
  });

  const client = () => {
    // A real auth client with a token it already holds: the transport adds its header and asks no one. Node's own
    // fetch: gaxios would `import()` node-fetch, which jest cannot do without --experimental-vm-modules.
    const authClient = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch } });
    authClient.setCredentials({ access_token: "test-token", expiry_date: Date.now() + 3_600_000 });
    const port = Number(new URL(server.url).port);
    return new v1.PredictionServiceClient({
      fallback: true,
      apiEndpoint: "127.0.0.1",
      port,
      protocol: "http",
      // google-gax holds its own copy of google-auth-library (10.5 beside our 10.9): same API, distinct class types.
      authClient: authClient as never,
    });
  };

  test("predict returns the server's predictions, deployed model and version", async () => {
    const events = [11, 1111, 2222].map((i) => s.events[i]);
    const [response] = await client().predict({
      endpoint: ENDPOINT,
      instances: events.map((e) => helpers.toValue(e)!),
      parameters: helpers.toValue({}),
    });
    const expected = await batchPredictions(
      s,
      1,
      events.map((e) => String(e.event_id)),
    );
    const predictions = (response.predictions ?? []).map((v) => v.numberValue);
    expect(predictions).toStrictEqual(events.map((e) => expected.get(String(e.event_id))));
    expect(response.deployedModelId).toBe("5678");
    expect(response.modelVersionId).toBe("1");
    expect(response.model).toBe("flights-delay");
  });

  test("an invalid instance reaches the client as a 400 carrying the server's per-instance answer", async () => {
    const bad = { ...s.events[3], distance: 0 };
    const call = client().predict({ endpoint: ENDPOINT, instances: [helpers.toValue(bad)!] });
    await expect(call).rejects.toMatchObject({
      code: 400,
      message: expect.stringContaining('"field":"distance","rule":"constraint.min"'),
    });
  });
});
