/**
 * `rox models promote` (the CLI, a process of its own) on a DuckDB file another process holds, when no job takes the
 * promotion: after `--wait` it fails busy (exit 9) saying no running job took it, and leaves no request behind. Its
 * flags are checked before anything is opened.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { inboxOf } from "../../launcher/models/promote-inbox";
import { runRox } from "../support/rox-cli";
import { tempDir } from "../support/temp";

let work: ReturnType<typeof tempDir>;
beforeAll(() => (work = tempDir("promote-held")));
afterAll(() => work.cleanup());

test("a held warehouse and no job taking the promotion: exit 9 after --wait, the request withdrawn", async () => {
  const file = path.join(work.dir, "held.duckdb");
  const script = `const { DuckDBInstance } = require(${JSON.stringify(require.resolve("@duckdb/node-api"))});
    DuckDBInstance.create(${JSON.stringify(file)}).then(async (i) => { await i.connect(); console.log("held"); setTimeout(() => {}, 120000); });`;
  const holder = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    const run = await runRox(["models", "promote", "flights-delay@2", "--warehouse", file, "--wait", "1"]);
    expect(run.code).toBe(9);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      `rox models promote: ${file} is held: handing the promotion to the running job (process ${holder.pid}), ` +
        "waiting up to 1 s\n",
    );
    expect(run.stderr).toContain(
      `another job holds ${file} (process ${holder.pid}), and no running job took the promotion within 1 s ` +
        "(only rox stream --score takes them): run again when it has finished",
    );
    expect(fs.readdirSync(inboxOf(file))).toEqual([]);
  } finally {
    holder.kill("SIGKILL");
  }
});

test.each([
  [["--wait", "0"], '--wait must be a number of seconds, more than 0 and at most 3600 (got "0")'],
  [["--wait", "soon"], '--wait must be a number of seconds, more than 0 and at most 3600 (got "soon")'],
  [["--to", "Champion!"], '--to "Champion!" is not an alias (/^[a-z][a-z0-9-]{0,62}$/)'],
])("rox models promote %j: a usage error (exit 2) before the warehouse is opened", async (flags, message) => {
  const file = path.join(work.dir, "never-opened.duckdb");
  const run = await runRox(["models", "promote", "flights-delay@2", "--warehouse", file, ...flags]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(message);
  expect(fs.existsSync(file)).toBe(false);
});

test("--wait belongs to promote only", async () => {
  const run = await runRox(["models", "list", "--warehouse", path.join(work.dir, "w.duckdb"), "--wait", "5"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("--wait applies only to rox models promote on a DuckDB warehouse");
});
