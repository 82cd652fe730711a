/**
 * A REST API's stand-in for wire tests: a real HTTP server on a free loopback port that hands every JSON request
 * (method, path, query, parsed body) to the test, which says what to answer.
 */
import * as http from "http";

export interface JsonRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

export interface JsonWireServer {
  url: string;
  close(): Promise<void>;
}

export async function startJsonWireServer(answer: (request: JsonRequest) => JsonAnswer): Promise<JsonWireServer> {
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => {
      const url = new URL(req.url!, "http://wire.test");
      const request = { method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams) };
      const { status, body } = answer({ ...request, body: text === "" ? undefined : JSON.parse(text) });
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
