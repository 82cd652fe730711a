import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { templateCommand } from "../../launcher/commands/template";
import { EXPANSION_SERVICE_JAR } from "../../launcher/template/build-context";
import { itNeeds, unmet } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { GOLDEN_IMAGES, TEMPLATE_GOLDEN_DIR } from "./template-golden";

// `rox template build` end to end, into a temp folder: the JSON it writes is the golden JSON byte for byte, and every
// file the Dockerfiles COPY from the build context exists (no Docker engine here to build them for real).
const ROOT = path.resolve(__dirname, "..", "..");
const DOCKERFILES = ["docker/launcher.Dockerfile", "docker/worker.Dockerfile", "docker/serve.Dockerfile"];
const CONTEXT_PREFIX = "dist/templates/";

/** The sources of every COPY that reads the build context (not `COPY --from=<stage>`), continuation lines joined. */
function contextSources(dockerfile: string): string[] {
  const instructions = fs.readFileSync(path.join(ROOT, dockerfile), "utf8").replace(/\\\n/g, " ").split("\n");
  return instructions
    .map((line) => line.trim().split(/\s+/))
    .filter((words) => words[0] === "COPY" && !words.some((w) => w.startsWith("--from=")))
    .flatMap((words) => words.slice(1, -1).filter((w) => !w.startsWith("--"))); // not --chmod=…
}

describe("rox template build", () => {
  const work = tempDir("template-build");
  const out = path.join(work.dir, "templates");
  const beamDir = path.join(work.dir, "beam");
  afterAll(() => work.cleanup());
  // python3 makes the Beam venv whose packages the build freezes.
  const maybe = itNeeds("python-venv");

  beforeAll(async () => {
    if (unmet("python-venv")) return;
    // A Beam folder as scripts/setup-beam.sh lays it out: a real (empty) venv, whose Python lists its packages, and
    // the JAR, whose bytes are only copied, so a small file stands in for the download.
    execFileSync("python3", ["-m", "venv", "--without-pip", path.join(beamDir, "python-venv")]);
    fs.mkdirSync(path.join(beamDir, "jars"), { recursive: true });
    fs.writeFileSync(path.join(beamDir, "jars", EXPANSION_SERVICE_JAR), "copied as it is");
    await templateCommand([
      "build",
      "--image",
      GOLDEN_IMAGES.image,
      "--worker-image",
      GOLDEN_IMAGES.workerImage,
      "--out",
      out,
      "--beam-dir",
      beamDir,
    ]);
  }, 120_000);

  maybe.each(["batch", "stream"])("%s: metadata.json and spec.json are the goldens", (job) => {
    for (const kind of ["metadata", "spec"]) {
      expect(fs.readFileSync(path.join(out, job, `${kind}.json`), "utf8")).toBe(
        fs.readFileSync(path.join(TEMPLATE_GOLDEN_DIR, `${job}.${kind}.json`), "utf8"),
      );
    }
  });

  maybe.each(DOCKERFILES)("every build-context file %s COPYs exists", (dockerfile) => {
    const sources = contextSources(dockerfile);
    expect(sources.length).toBeGreaterThan(3);
    const missing = sources.filter(
      (s) => !s.startsWith(CONTEXT_PREFIX) || !fs.existsSync(path.join(out, s.slice(CONTEXT_PREFIX.length))),
    );
    expect(missing).toStrictEqual([]);
  });

  maybe("the context holds the compiled jobs, the schemas, the JAR and the frozen venv, and not itself", () => {
    const has = (relative: string) => fs.existsSync(path.join(out, relative));
    expect(
      [
        "app/dist/pipelines",
        "app/dist/transforms",
        "app/schemas/flights.avsc",
        "app/bin/rox.js", // the launcher image's `rox` (the scheduled batch run's command)
        `beam/jars/${EXPANSION_SERVICE_JAR}`,
      ].filter((f) => !has(f)),
    ).toStrictEqual([]);
    expect(fs.readFileSync(path.join(out, "beam", "python-constraints.txt"), "utf8")).toMatch(/^# the packages of /);
    expect(has("app/dist/templates")).toBe(false);
  });
});

describe("rox template build: usage", () => {
  test.each<[string, string[], string]>([
    ["no image", ["build", "--worker-image", GOLDEN_IMAGES.workerImage], "missing --image"],
    [
      "an unpinned image",
      ["build", "--image", "europe-docker.pkg.dev/p/rox/launcher:latest", "--worker-image", GOLDEN_IMAGES.workerImage],
      "--image must be a registry image with a tag other than latest",
    ],
    [
      "no tag",
      ["build", "--image", GOLDEN_IMAGES.image, "--worker-image", "europe-docker.pkg.dev/p/rox/worker"],
      "--worker-image must be a registry image",
    ],
    ["no action", ["--image", GOLDEN_IMAGES.image], "usage: rox template build"],
  ])("usage error: %s", async (_name, argv, message) => {
    await expect(templateCommand(argv)).rejects.toThrow(message);
  });
});
