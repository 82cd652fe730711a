import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const LOCAL_PUBSUB_FILES = [
  ...fs.readdirSync(path.join(ROOT, "io/pubsub")).map((f) => path.join("io/pubsub", f)),
  ...fs.readdirSync(path.join(ROOT, "tools/publish")).map((f) => path.join("tools/publish", f)),
  ...fs.readdirSync(path.join(ROOT, "io/local")).map((f) => path.join("io/local", f)),
  ...fs.readdirSync(path.join(ROOT, "io/files")).map((f) => path.join("io/files", f)),
  "io/open-message-source.ts",
  "launcher/commands/emulator.ts",
  "launcher/commands/publish.ts",
];

/** The local path talks to the emulator with `fetch`: it must never pull in a Google client library. */
test.each(LOCAL_PUBSUB_FILES.filter((f) => f.endsWith(".ts")))("%s imports no @google-cloud module", (file) => {
  expect(fs.readFileSync(path.join(ROOT, file), "utf8")).not.toMatch(/@google-cloud\//);
});

const GOOGLE_MODULE = /\/node_modules\/(@google-cloud|google-gax|google-auth-library)\//;

/**
 * `openMessageSource` holds both sources; the REST one must not load the Google one. Checked in a fresh Node process on
 * dist/ (jest keeps its own module registry), with a control in the same process: the Google client's loader does load
 * `@google-cloud/pubsub`, so the check can see it. No call is made: the sources are opened without a topic.
 */
test("openMessageSource({ target: 'emulator-rest' }) loads no Google module; the Google source loads it only when asked", () => {
  const dist = (file: string) => JSON.stringify(path.join(ROOT, "dist", file));
  const script = `
    const google = () => Object.keys(require.cache).filter((m) => ${GOOGLE_MODULE}.test(m)).length;
    (async () => {
      const { openMessageSource } = require(${dist("io/open-message-source.js")});
      const local = await openMessageSource({ target: "emulator-rest", host: "127.0.0.1:9", project: "rox-local", subscription: "flights-stream" });
      await local.close();
      const afterLocal = google();
      const source = await openMessageSource({ target: "pubsub", projectId: "rox-local", subscription: "flights-stream", emulatorHost: "127.0.0.1:9" });
      const afterOpening = google();
      const { createSubscriberClient } = require(${dist("io/gcp/pubsub/pubsub-client.js")});
      const client = await createSubscriberClient({ projectId: "rox-local", emulatorHost: "127.0.0.1:9" });
      const afterLoading = google();
      await client.close();
      await source.close();
      process.stdout.write(JSON.stringify({ afterLocal, afterOpening, afterLoading, pubsub: Object.keys(require.cache).some((m) => m.includes("/@google-cloud/pubsub/")) }));
    })();`;
  const out = execFileSync("node", ["-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, METADATA_SERVER_DETECTION: "none" },
  });
  const result = JSON.parse(out.slice(out.lastIndexOf("{")));
  expect(result).toMatchObject({ afterLocal: 0, afterOpening: 0, pubsub: true });
  expect(result.afterLoading).toBeGreaterThan(0);
});
