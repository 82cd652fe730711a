import * as http from "http";
import type { AddressInfo } from "net";

/**
 * A loopback HTTP proxy in front of an emulator's REST port, for benchmarks and tests: it counts the requests that
 * reach the emulator, and can play a lost emulator (new connections are dropped unanswered) until it is brought back.
 */
export interface CountingProxy {
  /** `127.0.0.1:<port>`, to give the job instead of the emulator's host. */
  host: string;
  /** Requests forwarded so far whose path ends with `suffix` (`:pull`, `:acknowledge`, …). */
  count(suffix: string): number;
  /** Requests dropped while down whose path ends with `suffix`. */
  dropped(suffix: string): number;
  /** While down, every request is dropped without an answer, as by an emulator that went away. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const drops = new Map<string, number>();
  const tally = (map: Map<string, number>, path: string) => map.set(path, (map.get(path) ?? 0) + 1);
  const sum = (map: Map<string, number>, suffix: string) =>
    [...map].filter(([path]) => path.endsWith(suffix)).reduce((n, [, k]) => n + k, 0);
  let down = false;
  const server = http.createServer((request, response) => {
    const path = request.url ?? "/";
    if (down) return void (tally(drops, path), request.socket.destroy());
    tally(counts, path);
    const [hostname, port] = target.split(":");
    const upstream = http.request(
      { hostname, port: Number(port), path, method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    count: (suffix) => sum(counts, suffix),
    dropped: (suffix) => sum(drops, suffix),
    setDown: (value) => void (down = value),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
