/** Where `rox serve` listens and answers: flags over Vertex's AIP_* variables over Cloud Run's PORT over defaults. */
import { serveSettings } from "../../launcher/commands/serve";
import { UsageError } from "../../launcher/errors";

const settings = (env: NodeJS.ProcessEnv, values: Record<string, string> = {}) => serveSettings(values, env);

test("defaults: 0.0.0.0:8080, /predict and /health, no deployed model, Vertex's body limit", () => {
  expect(settings({})).toStrictEqual({
    host: "0.0.0.0",
    port: 8080,
    predictRoute: "/predict",
    healthRoute: "/health",
    deployedModelId: undefined,
    maxBodyBytes: 1_572_864,
    maxInstances: 1000,
    cacheTtlSeconds: 30,
    reloadEverySeconds: 30,
  });
});

test.each([
  ["AIP_HTTP_PORT", { AIP_HTTP_PORT: "7080" }, {}, 7080],
  ["Cloud Run's PORT", { PORT: "9090" }, {}, 9090],
  ["AIP_HTTP_PORT over PORT", { AIP_HTTP_PORT: "7080", PORT: "9090" }, {}, 7080],
  ["--port over both", { AIP_HTTP_PORT: "7080", PORT: "9090" }, { port: "6060" }, 6060],
  ["--port 0: a free one", { AIP_HTTP_PORT: "7080" }, { port: "0" }, 0],
])("%s", (_name, env, values, port) => {
  expect(settings(env, values).port).toBe(port);
});

test("Vertex's routes and deployed model id", () => {
  const env = {
    AIP_PREDICT_ROUTE: "/v1/endpoints/e/deployedModels/d:predict",
    AIP_HEALTH_ROUTE: "/v1/endpoints/e/deployedModels/d",
    AIP_DEPLOYED_MODEL_ID: "d",
  };
  expect(settings(env)).toMatchObject({
    predictRoute: env.AIP_PREDICT_ROUTE,
    healthRoute: env.AIP_HEALTH_ROUTE,
    deployedModelId: "d",
  });
});

test.each([
  [{ AIP_HTTP_PORT: "http" }, "AIP_HTTP_PORT must be"],
  [{ PORT: "70000" }, "PORT must be"],
  [{ AIP_PREDICT_ROUTE: "predict" }, 'AIP_PREDICT_ROUTE must be a path starting with "/"'],
])("a bad variable is a usage error naming it: %j", (env, message) => {
  expect(() => settings(env)).toThrow(UsageError);
  expect(() => settings(env)).toThrow(message);
});
