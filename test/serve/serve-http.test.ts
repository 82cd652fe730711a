/**
 * `rox serve`'s library over real HTTP (fetch) against a warehouse of real flights and two trained models: health
 * before and after the load, valid, invalid and mixed batches, bodies the server must refuse, the window cache, and
 * a reload when the alias moves. Predictions must equal the batch path's (the feature query, then the scorer).
 */
import { spawn } from "child_process";
import * as path from "path";
import { startServer, type RunningServer } from "../../launcher/serve/run";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { batchPredictions, models, postJson, servingFixture, type ServeAnswer, type Served } from "./fixture";

let work: ReturnType<typeof tempDir>;
let s: Served;
let server: RunningServer;
const lines: string[] = [];

describeNeeds("ml-python")("rox serve over HTTP", () => {
  beforeAll(async () => {
    work = tempDir("serve-http");
    s = await servingFixture(work.dir);
    server = await startServer({
      ref: { name: "flights-delay", alias: "champion" },
      target: { kind: "duckdb", file: s.warehouse },
      store: s.store,
      host: "127.0.0.1",
      port: 0,
      predictRoute: "/predict",
      healthRoute: "/health",
      maxBodyBytes: 65_536,
      maxInstances: 100,
      cacheTtlSeconds: 60,
      reloadEverySeconds: 0,
      log: (line) => lines.push(line),
    });
  }, 900_000);
  afterAll(async () => {
    await server?.close();
    work?.cleanup();
  });

  const url = (route: string) => `${server.url}${route}`;
  const withoutDelay = (e: Record<string, unknown>) => {
    const { delay: _delay, ...event } = e;
    return event;
  };
  const instance = (i: number) => withoutDelay(s.events[i]);

  test("health is 503 until the model is loaded, 200 after; predict is 503 meanwhile", async () => {
    expect((await fetch(url("/health"))).status).toBe(503);
    expect((await postJson(url("/predict"), { instances: [instance(0)] })).status).toBe(503);
    await server.slot.refresh();
    const health = await fetch(url("/health"));
    expect(health.status).toBe(200);
    expect(await health.json()).toStrictEqual({ status: "ready", model: "flights-delay", modelVersionId: "1" });
    expect(lines).toContain("rox serve: flights-delay@champion is v1");
  });

  test("valid instances (without the target) get the batch path's predictions, in order", async () => {
    const picks = [5, 700, 1400, 2100, 2999, 3500, 6100, 8000].map(instance);
    const answer = await postJson(url("/predict"), { instances: picks, parameters: {} });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toStrictEqual(["model", "modelVersionId", "predictions"]);
    expect(answer.body).toMatchObject({ model: "flights-delay", modelVersionId: "1" });
    const expected = await batchPredictions(
      s,
      1,
      picks.map((e) => String(e.event_id)),
    );
    expect(answer.body.predictions).toStrictEqual(picks.map((e) => expected.get(String(e.event_id))));
    // The same event sent with its delay scores the same: the target is not a feature.
    const withTarget = await postJson(url("/predict"), { instances: [s.events[5]] });
    expect(withTarget.body.predictions).toStrictEqual([answer.body.predictions![0]]);
  });

  test("a window is read once per TTL, whole: one query for the hours a batch misses, none for a repeat", async () => {
    // Two hours no earlier test touched (the last flights of the second and third day), two flights of each.
    const hour = (e: Record<string, unknown>) => Math.floor(Date.parse(String(e.date)) / 3_600_000);
    const hours = [hour(s.events[5999]), hour(s.events[8999])];
    const picks = hours.flatMap((h) => s.events.filter((e) => hour(e) === h).slice(0, 2)).map(withoutDelay);
    const before = server.windows.queries;
    const first = await postJson(url("/predict"), { instances: picks });
    expect(first.status).toBe(200);
    expect(server.windows.queries - before).toBe(1);
    const again = await postJson(url("/predict"), { instances: [...picks].reverse() });
    expect(server.windows.queries - before).toBe(1);
    expect(again.body.predictions).toStrictEqual([...first.body.predictions!].reverse());
    const expected = await batchPredictions(
      s,
      1,
      picks.map((e) => String(e.event_id)),
    );
    expect(first.body.predictions).toStrictEqual(picks.map((e) => expected.get(String(e.event_id))));
  });

  test("an invalid instance is a 400 naming its index, field path and rule", async () => {
    const bad = { ...instance(1), origin: "la" };
    const answer = await postJson(url("/predict"), { instances: [bad] });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect(answer.body.error!.instances).toStrictEqual([
      { index: 0, field: "origin", rule: "constraint.pattern", message: 'origin: must match ^[A-Z]{3}$ (got "la")' },
    ]);
  });

  test("a mixed batch is refused whole: every invalid instance named, none scored", async () => {
    const { distance: _d, ...noDistance } = instance(3);
    const batch = [instance(1), { ...instance(2), destination: instance(2).origin }, instance(4), noDistance, 42];
    const answer = await postJson(url("/predict"), { instances: batch });
    expect(answer.status).toBe(400);
    expect(answer.body.predictions).toBeUndefined();
    expect(answer.body.error!.message).toBe("3 of 5 instances are invalid; none was scored");
    const problems = answer.body.error!.instances!.map((p: Record<string, unknown>) => [p.index, p.field, p.rule]);
    expect(problems).toStrictEqual([
      [1, "destination", "constraint.notEqual"],
      [3, "distance", "missing_field"],
      [4, "(record)", "wrong_type"],
    ]);
  });

  test.each(
    [
      ["bad JSON", '{"instances": [', "application/json", 400],
      ["an empty body", "", "application/json", 400],
      ["text/plain", '{"instances": []}', "text/plain", 415],
      ["no instances", '{"parameters": {}}', "application/json", 400],
      ["empty instances", '{"instances": []}', "application/json", 400],
      ["instances not a list", '{"instances": {"a": 1}}', "application/json", 400],
      ["parameters not an object", '{"instances": [{}], "parameters": [1]}', "application/json", 400],
      ["a JSON array", "[1, 2]", "application/json", 400],
      ["__proto__", '{"instances": [{}], "__proto__": {"x": 1}}', "application/json", 400],
      [
        "too many instances",
        JSON.stringify({ instances: Array.from({ length: 101 }, () => ({})) }),
        "application/json",
        400,
      ],
      ["over the body limit", JSON.stringify({ instances: [{ pad: "x".repeat(70_000) }] }), "application/json", 413],
    ].map(([name, body, type, status]) => ({ name, body: String(body), type: String(type), status: Number(status) })),
  )("$name is answered $status in Google's error shape, and the server goes on", async ({ body, type, status }) => {
    const answer = await postJson(url("/predict"), body, type);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({ code: status });
    expect(typeof answer.body.error!.message).toBe("string");
    expect((await postJson(url("/predict"), { instances: [instance(0)] })).status).toBe(200);
  });

  test("an unknown route is a 404; GET on the predict route is not a prediction", async () => {
    expect((await fetch(url("/nope"))).status).toBe(404);
    expect((await fetch(url("/predict"))).status).toBe(404);
  });

  test("while another process holds the DuckDB file, a lookup is a 503 with retry-after; then it answers", async () => {
    const dist = path.resolve(__dirname, "..", "..", "dist", "io", "local", "duckdb-warehouse.js");
    const hold = `require(${JSON.stringify(dist)}).DuckDbWarehouse.open(${JSON.stringify(s.warehouse)})
      .then(() => { console.log("held"); setInterval(() => {}, 1000); });`;
    const holder = spawn(process.execPath, ["-e", hold], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((resolve) => holder.stdout!.once("data", resolve));
    // A day the warehouse has no flights of: its window is in no cache.
    const fresh = { ...instance(0), date: "2001-01-20T10:30:00Z" };
    const busy = await fetch(url("/predict"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: [fresh] }),
    });
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    expect(((await busy.json()) as ServeAnswer).error).toMatchObject({ code: 503, status: "UNAVAILABLE" });
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    holder.kill("SIGTERM");
    await exited;
    const answer = await postJson(url("/predict"), { instances: [fresh] });
    expect(answer.status).toBe(200);
    expect(answer.body.predictions).toHaveLength(1);
  });

  test("when the alias moves, a reload serves the new version; requests name the version that answered", async () => {
    const picks = [100, 200].map(instance);
    const before = await postJson(url("/predict"), { instances: picks });
    await models(s.warehouse, s.store, "promote", "flights-delay@2", "--force");
    await server.reload();
    expect(lines).toContain("rox serve: flights-delay@champion is v1 → v2");
    const after = await postJson(url("/predict"), { instances: picks });
    expect(after.body.modelVersionId).toBe("2");
    const expected = await batchPredictions(
      s,
      2,
      picks.map((e) => String(e.event_id)),
    );
    expect(after.body.predictions).toStrictEqual(picks.map((e) => expected.get(String(e.event_id))));
    expect(after.body.predictions).not.toStrictEqual(before.body.predictions);
    await server.reload(); // nothing moved: nothing reloaded
    expect(lines.filter((l) => l.includes("→"))).toHaveLength(1);
  });
});
