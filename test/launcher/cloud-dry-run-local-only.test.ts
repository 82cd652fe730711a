import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../support/temp";

// `--dry-run` and `rox schedule --local` must not load a Google client library: they run without credentials, and
// the local path stays light. Checked in a fresh Node process on dist/ (jest keeps its own module registry).
const GOOGLE = /\/node_modules\/(@google-cloud\/|google-gax\/|google-auth-library\/)/;

test("launch, jobs and schedule dry-runs load no Google client library", () => {
  const work = tempDir("dry-run-local-only");
  try {
    const config = path.join(work.dir, "rox.config.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        project: "p",
        region: "europe-west1",
        dataflow: { parameters: { dataset: "d" }, batch: { template: "gs://t/b.json" } },
        schedule: { serviceAccountEmail: "s@p.iam.gserviceaccount.com" },
      }),
    );
    const dist = path.resolve(__dirname, "..", "..", "dist", "launcher", "commands");
    const script = `
      const launch = require(${JSON.stringify(path.join(dist, "launch.js"))});
      const jobs = require(${JSON.stringify(path.join(dist, "jobs.js"))});
      const schedule = require(${JSON.stringify(path.join(dist, "schedule.js"))});
      (async () => {
        await launch.launchCommand(["batch", "--schema", "flights", "--input", "gs://rox-b/x.jsonl", "--config", "rox.config.json", "--dry-run"]);
        await jobs.jobsCommand(["cancel", "--job-id", "j", "--dry-run"]);
        await schedule.scheduleCommand(["batch", "--cron", "0 2 * * *", "--input-template", "gs://rox-b/{date}/*", "--schema", "flights", "--dry-run"]);
        await schedule.scheduleCommand(["batch", "--local", "--cron", "0 2 * * *", "--input-template", "d/{date}.jsonl", "--schema", "flights", "--dry-run"]);
        await schedule.scheduleCommand(["score", "--target", "cloud-run-job", "--cron", "0 3 * * *",
          "--model", "m@champion", "--on", "flights", "--image", "rox:1", "--dry-run"]);
        const google = Object.keys(require.cache).filter((m) => ${GOOGLE}.test(m));
        process.stdout.write("\\n" + JSON.stringify({ google, loaded: Object.keys(require.cache).length }));
      })();`;
    const out = execFileSync(process.execPath, ["-e", script], { cwd: work.dir, encoding: "utf8" });
    const result = JSON.parse(out.slice(out.lastIndexOf("\n") + 1));
    expect(out).toContain('"method": "LaunchFlexTemplate"');
    expect(out).toContain('"method": "CreateJob"');
    expect(out).toContain('"method": "POST /v2/projects/p/locations/europe-west1/jobs"');
    expect(result.loaded).toBeGreaterThan(20);
    expect(result.google).toStrictEqual([]);
  } finally {
    work.cleanup();
  }
});
