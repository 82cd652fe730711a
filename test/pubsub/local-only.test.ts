import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const LOCAL_PUBSUB_FILES = [
  ...fs.readdirSync(path.join(ROOT, "io/pubsub")).map((f) => path.join("io/pubsub", f)),
  ...fs.readdirSync(path.join(ROOT, "launcher/publish")).map((f) => path.join("launcher/publish", f)),
  ...fs.readdirSync(path.join(ROOT, "io/local")).map((f) => path.join("io/local", f)),
  "launcher/commands/emulator.ts",
  "launcher/commands/publish.ts",
];

/** The local path talks to the emulator with `fetch`: it must never pull in a Google client library. */
test.each(LOCAL_PUBSUB_FILES.filter((f) => f.endsWith(".ts")))("%s imports no @google-cloud module", (file) => {
  expect(fs.readFileSync(path.join(ROOT, file), "utf8")).not.toMatch(/@google-cloud\//);
});
