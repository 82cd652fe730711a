/**
 * The real `rox serve` process (bin/rox.js on dist/): the port it picked printed, routes and the deployed model's id
 * from Vertex's AIP_* variables, health before/after the load, a reload on SIGHUP when the alias moved, and SIGTERM
 * while a request is in flight: the request is answered, then the process exits 0. The serving path loads no Google
 * client library.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from "child_process";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { models, postJson, servingFixture, type Served } from "./fixture";

const ROOT = path.resolve(__dirname, "..", "..");
const PREDICT = "/v1/endpoints/e-1/deployedModels/d-1:predict";
const HEALTH = "/v1/endpoints/e-1/deployedModels/d-1";
let work: ReturnType<typeof tempDir>;
let s: Served;

describeNeeds("ml-python")("the rox serve process", () => {
  beforeAll(async () => {
    work = tempDir("serve-process");
    s = await servingFixture(work.dir);
  }, 900_000);
  afterAll(() => work?.cleanup());

  test("AIP_* routes, health, SIGHUP reload, and SIGTERM drains the request in flight", async () => {
    const env = { ...process.env, AIP_PREDICT_ROUTE: PREDICT, AIP_HEALTH_ROUTE: HEALTH, AIP_DEPLOYED_MODEL_ID: "d-1" };
    const args = ["serve", "--model", "flights-delay@champion", "--port", "0", "--host", "127.0.0.1"];
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, "bin", "rox.js"),
        ...args,
        "--warehouse",
        s.warehouse,
        "--store",
        s.store,
        "--reload-every",
        "0",
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    const out = collect(child);
    try {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(await out.waitFor(/listening on \S+/))![1];
      await out.waitFor(/ready/);
      expect((await fetch(url + HEALTH)).status).toBe(200);
      const instance = { ...s.events[7] };
      const first = await postJson(url + PREDICT, { instances: [instance] });
      expect(first.body).toMatchObject({ model: "flights-delay", modelVersionId: "1", deployedModelId: "d-1" });

      await models(s.warehouse, s.store, "promote", "flights-delay@2", "--force");
      child.kill("SIGHUP");
      await out.waitFor(/is v1 → v2/);
      expect((await postJson(url + PREDICT, { instances: [instance] })).body.modelVersionId).toBe("2");

      const body = JSON.stringify({ instances: [instance, s.events[8]] });
      const answer = slowRequest(url + PREDICT, body);
      await answer.halfSent;
      await new Promise((resolve) => setTimeout(resolve, 300)); // the server reads the headers: the request is live
      child.kill("SIGTERM");
      await out.waitFor(/SIGTERM: draining/);
      answer.finish();
      const drained = await answer.response;
      expect(drained.status).toBe(200);
      expect(JSON.parse(drained.text).predictions).toHaveLength(2);
      expect(await exitCode(child)).toBe(0);
      expect(out.text()).toContain("rox serve: stopped");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 120_000);

  test("a model the registry does not hold is exit 3, a port in use exit 2, each with one line", async () => {
    const rox = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          path.join(ROOT, "bin", "rox.js"),
          "serve",
          ...args,
          "--host",
          "127.0.0.1",
          "--warehouse",
          s.warehouse,
          "--store",
          s.store,
        ],
        { encoding: "utf8" },
      );
    const missing = rox("--model", "flights-delay@nope", "--port", "0");
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/^rox: model flights-delay@nope is not registered/);
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const port = String((taken.address() as net.AddressInfo).port);
      const busy = rox("--model", "flights-delay@champion", "--port", port);
      expect(busy.status).toBe(2);
      expect(busy.stderr).toContain(`rox: cannot listen on 127.0.0.1:${port}`);
    } finally {
      taken.close();
    }
  });

  test("rox serve loads no Google client library nor Beam: started, answering a prediction, stopped by SIGTERM", () => {
    const main = path.join(ROOT, "dist", "launcher", "main.js");
    const argv = [
      "serve",
      "--model",
      "flights-delay@champion",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--warehouse",
      s.warehouse,
      "--store",
      s.store,
    ];
    const script = `
      const lines = [];
      const log = console.log;
      console.log = (line) => lines.push(String(line));
      const until = async (test) => { while (!test()) await new Promise((r) => setTimeout(r, 20)); };
      const done = require(${JSON.stringify(main)}).main(${JSON.stringify(argv)});
      (async () => {
        await until(() => lines.some((l) => l.endsWith("ready")));
        const url = /listening on (\\S+)/.exec(lines.join("\\n"))[1];
        const body = JSON.stringify({ instances: [${JSON.stringify(s.events[9])}] });
        const headers = { "content-type": "application/json" };
        const answer = await (await fetch(url + "/predict", { method: "POST", headers, body })).json();
        process.kill(process.pid, "SIGTERM");
        const code = await done;
        const google = Object.keys(require.cache)
          .filter((m) => /node_modules\\/(@google-cloud|google-gax|google-auth-library)\\//.test(m));
        const beam = Object.keys(require.cache).filter((m) => m.includes("/node_modules/apache-beam/"));
        log(JSON.stringify({ code, answer, google, beam, loaded: Object.keys(require.cache).length }));
      })();`;
    const out = execFileSync(process.execPath, ["-e", script], { encoding: "utf8" });
    const result = JSON.parse(out.slice(out.lastIndexOf("\n{") + 1));
    expect(result.code).toBe(0);
    expect(result.answer.predictions).toHaveLength(1);
    expect(result.loaded).toBeGreaterThan(20);
    expect(result.google).toStrictEqual([]);
    expect(result.beam).toStrictEqual([]);
  });
});

function collect(child: ChildProcess) {
  let text = "";
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    waiters.splice(0).forEach((wake) => wake());
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const waitFor = async (pattern: RegExp): Promise<string> => {
    for (;;) {
      const found = pattern.exec(text);
      if (found) return found[0];
      if (child.exitCode !== null) throw new Error(`rox serve exited ${child.exitCode}:\n${text}`);
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  child.on("exit", () => waiters.splice(0).forEach((wake) => wake()));
  return { waitFor, text: () => text };
}

/** A POST whose body is sent in two halves: the second only when `finish` is called. */
function slowRequest(url: string, body: string) {
  const half = Math.floor(body.length / 2);
  const request = http.request(url, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    request.on("error", reject);
  });
  const halfSent = new Promise<void>((resolve) => request.write(body.slice(0, half), () => resolve()));
  return { halfSent, response, finish: () => request.end(body.slice(half)) };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}
