/**
 * The prediction server (Fastify): Vertex AI's custom-container contract on two routes. Health answers 503 until a
 * model is loaded (and while the server drains), 200 after. Nothing a client sends crashes it: bad JSON is 400, a
 * body that is not JSON 415, one over the limit 413, every answer in Google's JSON error shape.
 */
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { errorAnswer, predict } from "./predict";
import type { ModelSlot } from "./served-model";
import type { WindowLookup } from "../../io/window-lookup";

export interface ServerOptions {
  slot: ModelSlot;
  windows: WindowLookup;
  predictRoute: string;
  healthRoute: string;
  maxBodyBytes: number;
  maxInstances: number;
  deployedModelId?: string;
  log: (line: string) => void;
}

export function createServer(o: ServerOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: o.maxBodyBytes, forceCloseConnections: "idle", return503OnClosing: true });
  app.removeContentTypeParser("text/plain");
  app.get(literalRoute(o.healthRoute), async (_request, reply) => {
    const model = o.slot.current;
    if (!model) return reply.code(503).send({ status: "loading", model: o.slot.ref });
    return { status: "ready", model: model.name, modelVersionId: String(model.version) };
  });
  app.post(literalRoute(o.predictRoute), async (request, reply) => {
    const model = o.slot.current;
    if (!model) return send(reply, errorAnswer(503, `the model ${o.slot.ref} is still loading`));
    const options = { maxInstances: o.maxInstances, deployedModelId: o.deployedModelId, nowMs: Date.now() };
    try {
      return send(reply, await predict(model, o.windows, request.body, options));
    } catch (err) {
      o.log(`rox serve: a warehouse lookup failed: ${(err as Error).message}`);
      reply.header("retry-after", "1");
      return send(reply, errorAnswer(503, `the window features could not be read: ${(err as Error).message}`));
    }
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, errorAnswer(404, `no route ${request.method} ${request.url}`)),
  );
  app.setErrorHandler((err: FastifyError, _request, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) o.log(`rox serve: ${err.stack ?? err.message}`);
    return send(reply, errorAnswer(status, status >= 500 ? "internal error" : err.message));
  });
  return app;
}

function send(reply: { code(n: number): { send(body: unknown): unknown } }, answer: { status: number; body: unknown }) {
  return reply.code(answer.status).send(answer.body);
}

/** Routes are literal paths: a `:` (Vertex's `…/endpoints/E:predict`) is not a parameter. */
function literalRoute(route: string): string {
  return route.replace(/:/g, "::");
}
