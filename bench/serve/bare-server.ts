/**
 * The baseline of `bench/serve`: a bare Node HTTP server that reads and parses the same request and answers the same
 * JSON shape (one number per instance) without validating, looking anything up or scoring. Prints its URL.
 */
import * as http from "http";

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const { instances } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { instances: unknown[] };
    const predictions = instances.map((_, i) => 6.5 + i / 1000);
    const body = JSON.stringify({ predictions, model: "flights-delay", modelVersionId: "1" });
    response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${address.port}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
