/** The prediction server's part of `npm start`: `rox serve` started here, one live request over HTTP, its answer. */
import { DEFAULT_WAREHOUSE, withWarehouse } from "../launcher/warehouse";
import { startServer } from "../launcher/serve/run";

const MODEL = "flights-delay";
const DAY = "2001-01-31";

export async function serveDemo(): Promise<number> {
  const target = { kind: "duckdb" as const, file: DEFAULT_WAREHOUSE };
  const [flight] = await withWarehouse(target, (warehouse) =>
    warehouse.query(
      `SELECT event_id, strftime(date, '%Y-%m-%dT%H:%M:%SZ') AS date, distance, origin, destination, delay ` +
        `FROM flights WHERE strftime(date, '%Y-%m-%d') = '${DAY}' AND hour(date) = 18 ORDER BY event_id LIMIT 1`,
    ),
  );
  if (!flight) return 0;
  console.log(`\n== rox serve --model ${MODEL}@champion --port 0   (Vertex AI's custom-container contract)`);
  const server = await startServer({
    ref: { name: MODEL, alias: "champion" },
    target,
    host: "127.0.0.1",
    port: 0,
    predictRoute: "/predict",
    healthRoute: "/health",
    maxBodyBytes: 1_572_864,
    maxInstances: 1000,
    cacheTtlSeconds: 30,
    reloadEverySeconds: 0,
  });
  try {
    await server.slot.refresh();
    const { delay, ...event } = flight;
    const request = { instances: [{ ...event, distance: Number(event.distance) }] };
    console.log(`POST ${server.url}/predict\n${JSON.stringify(request)}`);
    const response = await fetch(`${server.url}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    console.log(`→ ${response.status} ${await response.text()}`);
    console.log(`(the flight's actual delay: ${delay} min)`);
    return response.status === 200 ? 0 : 1;
  } finally {
    await server.close();
  }
}
