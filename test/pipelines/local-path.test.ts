import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../support/temp";

// The local path must not load Google client libraries: run the compiled batch job in a fresh Node process and list
// what it required. (Jest keeps its own module registry, so the check runs outside it, on dist/ from `npm test`.)
test("the local batch job loads no @google-cloud module", () => {
  const work = tempDir("local-path");
  try {
    const input = path.join(work.dir, "events.jsonl");
    fs.writeFileSync(
      input,
      JSON.stringify({
        event_id: "a",
        date: "2001-01-01T00:01:00Z",
        delay: 3,
        distance: 10,
        origin: "LAS",
        destination: "PHL",
      }) + "\n",
    );
    const root = path.resolve(__dirname, "..", "..");
    const script = `
      const { main } = require(${JSON.stringify(path.join(root, "dist/launcher/main.js"))});
      main(["batch", "--input", ${JSON.stringify(input)}, "--schema", "flights", "--warehouse", ${JSON.stringify(path.join(work.dir, "w.duckdb"))}])
        .then((code) => {
          const google = Object.keys(require.cache).filter((m) => m.includes("/node_modules/@google-cloud/"));
          process.stdout.write(JSON.stringify({ code, google, loaded: Object.keys(require.cache).length }));
        });`;
    const out = execFileSync("node", ["-e", script], { cwd: work.dir, encoding: "utf8" });
    const result = JSON.parse(out.slice(out.lastIndexOf("{")));
    expect(result.code).toBe(0);
    expect(result.loaded).toBeGreaterThan(100);
    expect(result.google).toStrictEqual([]);
  } finally {
    work.cleanup();
  }
});
