import * as fs from "fs";
import * as path from "path";
import { parseFlags, requireFlag } from "../args";
import { UsageError } from "../errors";
import type { TemplateBuildResult } from "../template/build";

export const templateUsage = `rox template build --image <registry/launcher:tag> --worker-image <registry/worker:tag>
          [--out <dir>] [--beam-dir <dir>]`;

/** `rox template build`: metadata, spec, bundle and Docker build context for both Flex Templates. */
export async function templateCommand(argv: string[]): Promise<TemplateBuildResult> {
  const { values, positionals } = parseFlags(
    argv,
    {
      image: { type: "string" },
      "worker-image": { type: "string" },
      out: { type: "string" },
      "beam-dir": { type: "string" },
    },
    true,
  );
  if (positionals.length !== 1 || positionals[0] !== "build") throw new UsageError(`usage: ${templateUsage}`);
  const image = checkImage(requireFlag(values.image, "image"), "image");
  const workerImage = checkImage(requireFlag(values["worker-image"], "worker-image"), "worker-image");
  const { buildTemplates, DEFAULT_BEAM_DIR, DEFAULT_OUT } = await import("../template/build");
  const result = await buildTemplates({
    image,
    workerImage,
    projectRoot: projectRoot(),
    out: values.out ?? DEFAULT_OUT,
    beamDir: values["beam-dir"] ?? DEFAULT_BEAM_DIR,
  });
  console.log(
    `wrote ${result.files.join(", ")} to ${result.out} (bundle ${(result.bundleBytes / 1024).toFixed(0)} KiB)`,
  );
  return result;
}

/**
 * A pinned image reference: registry host, path and a tag or digest. A template pointing at `:latest` (or at no
 * tag) would change under running jobs' feet, so both are refused.
 */
function checkImage(reference: string, flag: string): string {
  const pinned = /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;
  if (!pinned.test(reference) || reference.endsWith(":latest")) {
    throw new UsageError(
      `--${flag} must be a registry image with a tag other than latest or a digest, e.g. europe-docker.pkg.dev/my-project/rox/launcher:1.0.0 (got "${reference}")`,
    );
  }
  return reference;
}

/** The repository root: the nearest folder above this module with a package.json (from the sources or from dist/). */
function projectRoot(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
  }
  throw new UsageError(`no package.json above ${__dirname}`);
}
