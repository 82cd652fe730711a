import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { CloudApiError } from "../../launcher/cloud/errors";
import { ConfigError } from "../../launcher/config";
import { main } from "../../launcher/main";
import { applyKubeflowRun } from "../../launcher/train/kubeflow-apply";
import { checkKubeflowEndpoint } from "../../launcher/train/kubeflow-endpoint";
import { planKubeflowRun } from "../../launcher/train/kubeflow-plan";
import { lineageOf } from "../../launcher/train/lineage";
import { readTrainSettings } from "../../launcher/train/settings";
import { tempDir } from "../support/temp";

// `train.kubeflow.auth: "adc"` sends a Google access token: never over plain http to another machine, never to a
// redirect's target, and refused before the warehouse, the token source or the network is touched.
const lineage = lineageOf({
  table: "flights",
  partition: "2001-01-03",
  schema: "flights",
  schemaVersion: 1,
  runs: [{ runId: "batch-1", rows: 10, finishedAt: "2001-01-04T02:03:10.000Z" }],
})!;
const settings = (endpoint: string, auth: "adc" | "none" = "adc") =>
  readTrainSettings({
    train: { target: "kubeflow", kubeflow: { endpoint, pipelineId: "p", pipelineVersionId: "v", auth } },
  });
const TINY_RETRY = { attempts: 2, initialDelayMs: 1, retryOn: ["unavailable"] as const };

test.each([
  "http://kfp.example.internal:8888",
  "http://ml-pipeline.kubeflow:8888/",
  "http://10.0.0.7",
  "http://0.0.0.0:8888",
  "http://127.0.0.1.nip.io",
  "http://localhost.example.com",
  "http://[::ffff:a00:1]",
  "HTTP://KFP.EXAMPLE",
])("auth adc refuses the plain-http endpoint %s", (endpoint) => {
  expect(() => settings(endpoint)).toThrow(ConfigError);
  expect(() => settings(endpoint)).toThrow(
    'with "auth": "adc" a Google access token would cross the network unencrypted',
  );
  expect(() =>
    planKubeflowRun(lineage, {
      ...settings("https://ok.example"),
      kubeflow: { ...settings("https://ok.example").kubeflow, endpoint },
    }),
  ).toThrow(ConfigError);
});

test.each([
  "https://kfp.example.internal/",
  "http://127.0.0.1:8888",
  "http://127.1:8888",
  "http://0x7f.1",
  "http://localhost:8888/",
  "http://[::1]:8888",
])("auth adc accepts %s (TLS, or this machine)", (endpoint) => {
  expect(planKubeflowRun(lineage, settings(endpoint)).request.endpoint).toBe(endpoint.replace(/\/+$/, ""));
});

test("without a token plain http is fine (a cluster-internal API server)", () => {
  expect(planKubeflowRun(lineage, settings("http://ml-pipeline.kubeflow:8888", "none")).request.endpoint).toBe(
    "http://ml-pipeline.kubeflow:8888",
  );
});

test.each([
  ["not http", "ftp://kfp.example", "must be an https:// URL"],
  ["no scheme", "kfp.example:8888", "must be an https:// URL"],
  ["not a URL", "://", "must be a URL"],
  ["credentials in the URL", "https://user:secret@kfp.example", "must not hold a user name or password"],
])("an endpoint that is %s is refused", (_what, endpoint, message) => {
  expect(() => checkKubeflowEndpoint(endpoint, "none")).toThrow(message);
});

test("apply refuses a token for a plain-http remote plan without asking for the token", async () => {
  const token = jest.fn(async () => "ya29.never");
  const plan = planKubeflowRun(lineage, settings("http://kfp.example:8888", "none"));
  await expect(applyKubeflowRun(plan, { token }, TINY_RETRY)).rejects.toThrow(ConfigError);
  expect(token).not.toHaveBeenCalled();
});

describe("a redirect", () => {
  const seen: { path: string; authorization?: string }[] = [];
  let server: http.Server;
  let endpoint = "";
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
      res.writeHead(302, { location: `${endpoint}/elsewhere` }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("is not followed with the token: one request, a typed error naming the target", async () => {
    const err = (await applyKubeflowRun(
      planKubeflowRun(lineage, settings(endpoint)),
      { token: async () => "ya29.t" },
      TINY_RETRY,
    ).catch((e: unknown) => e)) as CloudApiError;
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err.failure).toBe("failed-precondition");
    expect(err.message).toContain(`HTTP 302 redirect to ${endpoint}/elsewhere, not followed`);
    expect(seen.map((s) => s.path.split("?")[0])).toEqual(["/apis/v2beta1/runs"]);
  });
});

test("rox train --target kubeflow exits 2 on a plain-http endpoint with adc, before opening the warehouse", async () => {
  const temp = tempDir("kubeflow-endpoint");
  const errors: string[] = [];
  const spy = jest.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.join(" ")));
  try {
    const config = path.join(temp.dir, "rox.config.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        train: {
          kubeflow: { endpoint: "http://kfp.example:8888", pipelineId: "p", pipelineVersionId: "v", auth: "adc" },
        },
      }),
    );
    const warehouse = path.join(temp.dir, "never.duckdb");
    expect(
      await main([
        "train",
        "--on",
        "flights",
        "--target",
        "kubeflow",
        "--config",
        config,
        "--warehouse",
        warehouse,
        "--dry-run",
      ]),
    ).toBe(2);
    expect(errors.join("\n")).toContain("a Google access token would cross the network unencrypted");
    expect(fs.existsSync(warehouse)).toBe(false);
  } finally {
    spy.mockRestore();
    temp.cleanup();
  }
});
