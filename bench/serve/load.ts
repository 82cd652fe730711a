/** A closed-loop HTTP load: `connections` keep-alive connections, each posting its next request once answered. */
import * as http from "http";

export interface Load {
  name: string;
  batch: number;
  requests: number;
  errors: number;
  /** Requests per second over the run. */
  rate: number;
  p50: number;
  p99: number;
}

export async function drive(
  url: string,
  events: unknown[],
  batch: number,
  connections: number,
  seconds: number,
): Promise<Load> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      const instances = Array.from({ length: batch }, () => events[next++ % events.length]);
      const sent = performance.now();
      const status = await post(url, JSON.stringify({ instances }), agent);
      if (status === 200) latencies.push(performance.now() - sent);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    name: "",
    batch,
    requests: latencies.length,
    errors,
    rate: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  };
}

function post(url: string, body: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    request.on("error", () => resolve(0));
    request.end(body);
  });
}
