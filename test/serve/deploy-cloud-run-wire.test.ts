/**
 * `rox deploy --target cloud-run` at the wire: a real HTTP server in the test answers as run.googleapis.com (the Admin
 * API v2's REST surface). services.create with the exact body, an existing service (409) replaced by PATCH, and
 * `--dry-run` printing exactly what the server then received.
 */
import { deployCommand } from "../../launcher/commands/deploy";
import { CloudApiError } from "../../launcher/cloud/errors";
import { UsageError } from "../../launcher/errors";
import type { Plan } from "../../launcher/plan";
import { captureConsole } from "../support/console-capture";
import {
  startJsonWireServer,
  type JsonAnswer,
  type JsonRequest,
  type JsonWireServer,
} from "../support/json-wire-server";

const PARENT = "projects/rox-prod/locations/europe-west1";
const SERVICE = `${PARENT}/services/rox-flights-delay`;
const IMAGE = "europe-west1-docker.pkg.dev/rox-prod/rox/serve:1";

let received: JsonRequest[] = [];
let answers: JsonAnswer[] = [];
let run: JsonWireServer;
let runUrl: string;

beforeAll(async () => {
  run = await startJsonWireServer((request) => {
    received.push(request);
    return answers.shift() ?? { status: 500, body: { error: { message: "unexpected request" } } };
  });
  runUrl = run.url;
});
afterAll(() => run?.close());
beforeEach(() => {
  received = [];
  answers = [];
});

const BASE = [
  ...["--target", "cloud-run", "--model", "flights-delay@champion", "--image", IMAGE],
  ...["--store", "gs://rox-prod-models/models", "--project", "rox-prod", "--region", "europe-west1"],
  ...["--min-replicas", "1", "--max-replicas", "4", "--service-account", "rox-serve@rox-prod.iam.gserviceaccount.com"],
];
const ARGS = [...BASE, "--warehouse", "bigquery", "--dataset", "rox_events", "--location", "EU"];
const printed = captureConsole();
const apply = (...more: string[]) => deployCommand([...ARGS, ...more, "--run-endpoint", runUrl]);

const OPERATION = { name: `${PARENT}/operations/op-1`, done: false };
const SERVICE_BODY = {
  labels: { "rox-job": "serve", "rox-model": "flights-delay" },
  template: {
    serviceAccount: "rox-serve@rox-prod.iam.gserviceaccount.com",
    scaling: { minInstanceCount: 1, maxInstanceCount: 4 },
    containers: [
      {
        image: IMAGE,
        env: [
          { name: "ROX_MODEL", value: "flights-delay@champion" },
          { name: "ROX_MODEL_STORE", value: "gs://rox-prod-models/models" },
          {
            name: "ROX_SERVE_ARGS",
            value: "--warehouse bigquery --project rox-prod --dataset rox_events --location EU",
          },
        ],
        ports: [{ containerPort: 8080 }],
        startupProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 5, failureThreshold: 24 },
      },
    ],
  },
};

test("a new service: services.create with the serving image, the model and the warehouse, port 8080", async () => {
  answers = [{ status: 200, body: OPERATION }];
  await apply();
  expect(received).toEqual([
    { method: "POST", path: `/v2/${PARENT}/services`, query: { serviceId: "rox-flights-delay" }, body: SERVICE_BODY },
  ]);
  expect(printed.out).toContain(`created Cloud Run service rox-flights-delay (operation ${OPERATION.name})`);
});

test("an existing service (409) is replaced by PATCH with the same body; --dry-run printed what was sent", async () => {
  answers = [
    {
      status: 409,
      body: { error: { code: 409, message: `Resource '${SERVICE}' already exists.`, status: "ALREADY_EXISTS" } },
    },
    { status: 200, body: OPERATION },
  ];
  await apply();
  expect(received.map((r) => [r.method, r.path, r.query])).toEqual([
    ["POST", `/v2/${PARENT}/services`, { serviceId: "rox-flights-delay" }],
    ["PATCH", `/v2/${SERVICE}`, {}],
  ]);
  expect(received[1].body).toEqual({ name: SERVICE, ...SERVICE_BODY });
  expect(printed.out).toContain(`replaced Cloud Run service rox-flights-delay (operation ${OPERATION.name})`);

  printed.out.length = 0;
  await deployCommand([...ARGS, "--dry-run"]);
  const [create, replace] = JSON.parse(printed.out.join("\n")) as Plan<{ service: unknown }>[];
  expect([create.method, replace.method]).toEqual([`POST /v2/${PARENT}/services`, `PATCH /v2/${SERVICE}`]);
  expect([create.request.service, replace.request.service]).toEqual(received.map((r) => r.body));
  expect(received).toHaveLength(2);
});

test("Cloud Run refusing the create is a typed error naming the call", async () => {
  answers = [{ status: 403, body: { error: { code: 403, message: "Permission 'run.services.create' denied" } } }];
  const error = (await apply().catch((e: unknown) => e)) as CloudApiError;
  expect(error).toBeInstanceOf(CloudApiError);
  expect(error).toMatchObject({ failure: "permission-denied", service: "google.cloud.run.v2.Services" });
  expect(error.message).toBe(
    `POST /v2/${PARENT}/services failed (permission-denied): Permission 'run.services.create' denied`,
  );
});

test("a local model store or warehouse cannot serve on Cloud Run: usage errors before any call", async () => {
  await expect(apply("--store", ".rox/models")).rejects.toThrow(/--store must be gs:\/\//);
  await expect(deployCommand([...BASE, "--run-endpoint", runUrl])).rejects.toThrow(UsageError);
  await expect(deployCommand([...BASE, "--warehouse", "flights.duckdb"])).rejects.toThrow(/serves from BigQuery/);
  expect(received).toEqual([]);
});
