import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";

/**
 * A stand-in of the Dataflow REST API (v1b3, as Python's Dataflow runner calls it through `--dataflow_endpoint`) and
 * of Google's OAuth token endpoint (the `token_uri` of the test key), on one loopback port. It records each
 * `jobs.create` body and answers with a created job, or refuses the jobs whose name starts with `refuse-` (403, as
 * Dataflow answers a caller without permission). Every request is recorded as `METHOD path`.
 */
/** The parts of a Dataflow `jobs.create` body the tests compare; the rest is kept as sent. */
export interface DataflowJobBody {
  name: string;
  type: string;
  labels: Record<string, string>;
  authorization?: string;
  environment: { experiments: string[]; tempStoragePrefix: string; workerPools: WorkerPoolBody[] };
  [field: string]: unknown;
}

interface WorkerPoolBody {
  sdkHarnessContainerImages: { containerImage: string }[];
}

export interface DataflowStandIn {
  endpoint: string;
  tokenUri: string;
  requests: string[];
  created: DataflowJobBody[];
  tokens: number;
  close(): Promise<void>;
}

const CREATE = /^\/v1b3\/projects\/([^/]+)\/locations\/([^/]+)\/jobs(\?|$)/;
const JOB = /^\/v1b3\/projects\/([^/]+)\/locations\/([^/]+)\/jobs\/([^/?]+)/;

export async function startDataflowStandIn(): Promise<DataflowStandIn> {
  const state: DataflowStandIn = {
    endpoint: "",
    tokenUri: "",
    requests: [],
    created: [],
    tokens: 0,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => answer(state, req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.endpoint = `http://127.0.0.1:${port}`;
  state.tokenUri = `http://127.0.0.1:${port}/token`;
  state.close = () => new Promise((done) => (server.closeAllConnections(), server.close(() => done())));
  return state;
}

function answer(state: DataflowStandIn, req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
  const url = req.url ?? "";
  state.requests.push(`${req.method} ${url}`);
  const json = (status: number, value: unknown): void =>
    void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
  if (req.method === "POST" && url === "/token") {
    state.tokens++;
    return json(200, { access_token: "wire-test-token", expires_in: 3600, token_type: "Bearer" });
  }
  const create = CREATE.exec(url);
  if (req.method === "POST" && create) {
    const job = JSON.parse(body) as DataflowJobBody;
    state.created.push({ ...job, authorization: req.headers.authorization });
    if (String(job.name).startsWith("refuse-"))
      return json(403, {
        error: {
          code: 403,
          message: "Permission 'dataflow.jobs.create' denied on project",
          status: "PERMISSION_DENIED",
        },
      });
    return json(200, {
      ...job,
      id: `2026-12-02_00_00_00-${state.created.length}`,
      projectId: create[1],
      location: create[2],
      currentState: "JOB_STATE_PENDING",
    });
  }
  const job = JOB.exec(url);
  if (req.method === "GET" && job)
    return json(200, { id: job[3], projectId: job[1], location: job[2], currentState: "JOB_STATE_RUNNING" });
  if (req.method === "GET" && /\/messages/.test(url)) return json(200, { jobMessages: [] });
  json(404, { error: { code: 404, message: `not served by the stand-in: ${req.method} ${url}`, status: "NOT_FOUND" } });
}

/** A service account key whose token endpoint is the stand-in: Python's google-auth signs a JWT and asks there. */
export function writeTestKey(dir: string, project: string, tokenUri: string): string {
  const keyFile = path.join(dir, "rsa.pem");
  execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyFile], {
    stdio: "ignore",
  });
  const key = {
    type: "service_account",
    project_id: project,
    private_key_id: "wire-test",
    private_key: fs.readFileSync(keyFile, "utf8"),
    client_email: `rox-wire@${project}.iam.gserviceaccount.com`,
    client_id: "1",
    token_uri: tokenUri,
  };
  const file = path.join(dir, "key.json");
  fs.writeFileSync(file, JSON.stringify(key));
  return file;
}
