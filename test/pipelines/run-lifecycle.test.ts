import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { exitCodeOf } from "../../launcher/errors";
import { tempDir } from "../support/temp";

// Item 14 of issue 9: a second job on a DuckDB file gets a clear error and its exit code; what a killed run left behind
// (work folders, load folders, a job_runs row still `running`) is cleaned up or marked by the next run; a run that
// reads nothing still gets its row.
let work: ReturnType<typeof tempDir>;
beforeAll(() => (work = tempDir("run-lifecycle")));
afterAll(() => work.cleanup());

/** The PID of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

test("a second job on the same DuckDB file: WarehouseBusyError naming the file and its holder, exit code 9", async () => {
  const file = path.join(work.dir, "held.duckdb");
  const script = `const { DuckDBInstance } = require(${JSON.stringify(require.resolve("@duckdb/node-api"))});
    DuckDBInstance.create(${JSON.stringify(file)}).then(async (i) => { await i.connect(); console.log("held"); setTimeout(() => {}, 60000); });`;
  const holder = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    const error = await DuckDbWarehouse.open(file).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toMatchObject({
      name: "WarehouseBusyError",
      message: `another job holds ${file} (process ${holder.pid}): run again when it has finished`,
    });
    expect(exitCodeOf(error)).toBe(9);
  } finally {
    holder.kill("SIGKILL");
  }
});

test("the next run removes what a killed run left, marks its row abandoned, and an empty run still gets its row", async () => {
  const workDir = path.join(work.dir, "work");
  const file = path.join(work.dir, "runs.duckdb");
  const dead = deadPid();
  const leftovers = [
    path.join(workDir, `rox-batch-20010101T000000Z-abcdef-p${dead}-Ab12Cd`),
    path.join(work.dir, `.rox-load-p${dead}-Zz9Yy8`),
  ];
  const alive = path.join(workDir, `rox-stream-20010101T000000Z-abcdef-p${process.ppid}-Qq1Ww2`);
  const unrelated = path.join(workDir, "rox-batch-job-notarun");
  for (const dir of [...leftovers, alive, unrelated]) fs.mkdirSync(path.join(dir, "chunk-0"), { recursive: true });

  const seed = await DuckDbWarehouse.open(file);
  await seed.recordRun(
    {
      job: "batch",
      runId: "killed-run",
      schema: "flights",
      startedAt: "2001-01-01T00:00:00.000Z",
      finishedAt: "2001-01-01T00:00:01.000Z",
      read: 5,
      written: 5,
      deadLettered: 0,
      duplicates: 0,
      byTable: {},
      byReason: {},
    },
    "running",
  );
  await seed.query(`UPDATE job_runs SET owner = $1 WHERE "runId" = 'killed-run'`, [`${os.hostname()}:${dead}`]);
  await seed.close();

  const input = path.join(work.dir, "empty.jsonl");
  fs.writeFileSync(input, "\n\n");
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    const summary = await runBatchJob({ input, schema: "flights", workDir }, warehouse);
    expect(summary).toMatchObject({ read: 0, written: 0 });
    expect(leftovers.filter((dir) => fs.existsSync(dir))).toEqual([]);
    expect([alive, unrelated].filter((dir) => !fs.existsSync(dir))).toEqual([]);
    expect(fs.readdirSync(workDir).filter((name) => name.includes(summary.runId))).toEqual([]);
    const rows = await warehouse.query(`SELECT "runId" AS id, status, "read" FROM job_runs ORDER BY "startedAt"`);
    expect(rows).toEqual([
      { id: "killed-run", status: "abandoned", read: "5" },
      { id: summary.runId, status: "finished", read: "0" },
    ]);
  } finally {
    await warehouse.close();
  }
  expect(fs.readdirSync(work.dir).filter((name) => name.startsWith(".rox-load-"))).toEqual([]);
});

test("a run that fails is recorded as failed", async () => {
  const file = path.join(work.dir, "failed.duckdb");
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    const error = await runBatchJob(
      { input: path.join(work.dir, "missing.jsonl"), schema: "flights", workDir: work.dir },
      warehouse,
    ).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toMatchObject({ name: "InputError" });
    expect(await warehouse.query(`SELECT status, "read" FROM job_runs`)).toEqual([{ status: "failed", read: "0" }]);
  } finally {
    await warehouse.close();
  }
});
