/**
 * `rox deploy --target vertex-endpoint` at the wire: the real @google-cloud/aiplatform EndpointServiceClient against
 * an in-test gRPC server built from the EndpointService proto it ships. The exact requests (proto field names), the
 * missing endpoint created, a canary's traffic split, the undeploy at 100%, and `--dry-run` printing what is sent.
 */
import * as fs from "fs";
import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import * as protobuf from "protobufjs";
import { deployCommand } from "../../launcher/commands/deploy";
import { CloudApiError } from "../../launcher/cloud/errors";
import { UsageError } from "../../launcher/errors";
import type { Plan } from "../../launcher/plan";
import { captureConsole } from "../support/console-capture";
import { startWireServer, WireFailure, type WireHandler, type WireServer } from "../support/grpc-wire-server";

const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/aiplatform/package.json")), "build", "protos");
const types = protobuf.Root.fromJSON(JSON.parse(fs.readFileSync(path.join(protoRoot, "protos.json"), "utf8")));
const V1 = "google.cloud.aiplatform.v1";
const PARENT = "projects/rox-prod/locations/europe-west4";
const ENDPOINT = `${PARENT}/endpoints/rox-flights-delay`;
const MODEL = `${PARENT}/models/flights-delay`;

let handlers: Record<string, WireHandler> = {};
let server: WireServer;
const dispatch =
  (method: string): WireHandler =>
  (request) =>
    handlers[method]?.(request) ?? new WireFailure(grpc.status.UNIMPLEMENTED, method);

beforeAll(async () => {
  const methods = ["ListEndpoints", "CreateEndpoint", "DeployModel", "UndeployModel"];
  server = await startWireServer({
    protoRoot,
    protoFile: "google/cloud/aiplatform/v1/endpoint_service.proto",
    service: `${V1}.EndpointService`,
    handlers: Object.fromEntries(methods.map((m) => [m, dispatch(m)])),
  });
});
afterAll(async () => server?.stop());
beforeEach(() => {
  handlers = {};
  server.requests.length = 0;
});

/** A finished long-running operation carrying `response` as the Any the client unpacks. */
function done(type: string, response: Record<string, unknown>) {
  const message = types.lookupType(`${V1}.${type}`);
  const value = Buffer.from(message.encode(message.fromObject(response)).finish());
  return {
    name: `${PARENT}/operations/1`,
    done: true,
    response: { type_url: `type.googleapis.com/${V1}.${type}`, value },
  };
}

/** The endpoint as ListEndpoints answers it; undefined: no endpoint of that name. */
function onEndpoint(deployed?: Record<string, number>) {
  handlers.ListEndpoints = () => ({
    endpoints: deployed
      ? [
          {
            name: ENDPOINT,
            displayName: "rox-flights-delay",
            deployedModels: Object.keys(deployed).map((id) => ({ id, model: `${MODEL}@rox-v1` })),
            trafficSplit: deployed,
          },
        ]
      : [],
  });
  handlers.CreateEndpoint = (r) => done("Endpoint", { ...(r.endpoint as object), name: ENDPOINT });
  handlers.DeployModel = () => done("DeployModelResponse", { deployedModel: { id: "333" } });
  handlers.UndeployModel = () => done("UndeployModelResponse", {});
}

const printed = captureConsole();
const args = (...more: string[]) => [
  ...["--target", "vertex-endpoint", "--model", "flights-delay@champion", "--project", "rox-prod"],
  ...["--region", "europe-west4", "--endpoint", server.address, "--machine-type", "n1-standard-4"],
  ...["--min-replicas", "1", "--max-replicas", "3"],
  ...["--service-account", "rox-serve@rox-prod.iam.gserviceaccount.com", ...more],
];

async function dryRun(...more: string[]): Promise<Plan[]> {
  printed.out.length = 0;
  await deployCommand(args(...more, "--dry-run"));
  const plans = JSON.parse(printed.out.join("\n")) as Plan[];
  server.requests.length = 0;
  return plans;
}

const LIST = { method: "ListEndpoints", request: { parent: PARENT, filter: 'display_name="rox-flights-delay"' } };
const DEPLOYED_MODEL = {
  model: `${MODEL}@champion`,
  displayName: "rox-flights-delay-champion",
  dedicatedResources: { machineSpec: { machineType: "n1-standard-4" }, minReplicaCount: 1, maxReplicaCount: 3 },
  serviceAccount: "rox-serve@rox-prod.iam.gserviceaccount.com",
};

test("a missing endpoint is created (after looking for it by name), then the model gets all its traffic", async () => {
  onEndpoint(undefined);
  const planned = await dryRun();
  await deployCommand(args());
  expect(server.requests).toEqual([
    LIST,
    {
      method: "CreateEndpoint",
      request: {
        parent: PARENT,
        endpointId: "rox-flights-delay",
        endpoint: {
          displayName: "rox-flights-delay",
          description: "rox serve: flights-delay",
          labels: { rox_model: "flights-delay" },
        },
      },
    },
    {
      method: "DeployModel",
      request: { endpoint: ENDPOINT, deployedModel: DEPLOYED_MODEL, trafficSplit: { "0": 100 } },
    },
  ]);
  expect(planned.map((p) => ({ method: p.method, request: p.request }))).toEqual(server.requests);
  expect(printed.out).toContain(`created Vertex AI endpoint ${ENDPOINT}`);
});

test("--traffic 10 is a canary: the new deployment gets 10%, the previous one 90%; nothing undeployed", async () => {
  onEndpoint({ "111": 100 });
  const planned = await dryRun("--traffic", "10");
  await deployCommand(args("--traffic", "10"));
  expect(server.requests).toEqual([
    LIST,
    {
      method: "DeployModel",
      request: { endpoint: ENDPOINT, deployedModel: DEPLOYED_MODEL, trafficSplit: { "0": 10, "111": 90 } },
    },
  ]);
  expect(planned.map((p) => ({ method: p.method, request: p.request }))).toEqual(server.requests);
});

test("at 100% the new deployment takes all traffic, then every previous deployment is undeployed", async () => {
  onEndpoint({ "111": 90, "222": 10 });
  await deployCommand(args("--traffic", "100"));
  expect(server.requests).toEqual([
    LIST,
    {
      method: "DeployModel",
      request: { endpoint: ENDPOINT, deployedModel: DEPLOYED_MODEL, trafficSplit: { "0": 100 } },
    },
    { method: "UndeployModel", request: { endpoint: ENDPOINT, deployedModelId: "111" } },
    { method: "UndeployModel", request: { endpoint: ENDPOINT, deployedModelId: "222" } },
  ]);
});

test("a version number deploys that version by its rox alias", async () => {
  onEndpoint({ "111": 100 });
  const [, deploy] = await dryRun("--model", "flights-delay@3");
  expect((deploy.request as { deployedModel: { model: string } }).deployedModel.model).toBe(`${MODEL}@rox-v3`);
});

test("a canary on an endpoint with nothing deployed is a usage error; only the read was sent", async () => {
  onEndpoint(undefined);
  await expect(deployCommand(args("--traffic", "10"))).rejects.toThrow(UsageError);
  expect(server.requests).toEqual([LIST]);
});

test("Vertex AI refusing DeployModel is a typed error naming the call", async () => {
  onEndpoint({ "111": 100 });
  handlers.DeployModel = () =>
    new WireFailure(grpc.status.PERMISSION_DENIED, "Permission 'aiplatform.endpoints.deploy'");
  const err = await deployCommand(args()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CloudApiError);
  expect(err).toMatchObject({ failure: "permission-denied", method: "DeployModel" });
  expect(server.requests.map((r) => r.method)).toEqual(["ListEndpoints", "DeployModel"]);
});
