/**
 * Bundles the Flex Template entry point with esbuild's JS API into one CommonJS file. Our own code (and pure-JS
 * dependencies such as avsc and hyparquet) goes inside; these stay external and are loaded from the image's
 * node_modules:
 * - apache-beam: a bundled copy breaks on Dataflow workers, whose registry of serializable functions is keyed by
 *   module names that only resolve against the real package (see ../shared/design/beam-ts-notes.md);
 * - @duckdb/*: native bindings that cannot be bundled;
 * - the Google clients: they read their .proto/.json files relative to their own folder at run time.
 */
import * as path from "path";

export const BUNDLE_EXTERNALS = [
  "apache-beam",
  "apache-beam/*",
  "@duckdb/*",
  "@google-cloud/*",
  "google-auth-library",
  "google-gax",
  "@grpc/*",
] as const;

export const ENTRY_POINT = "launcher/template/template-main.ts";
/** Lazily imported by the entry point. esbuild leaves an `import()` it cannot resolve as it is, without a warning, so
 * a missing module would only fail at launch on Dataflow: the build checks that it went into the bundle. */
export const LAUNCH_MODULE = "pipelines/dataflow/submit.ts";

/** The bundle would not run: a module the entry point needs was not bundled. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

/** Writes `outFile` from `<projectRoot>/launcher/template/template-main.ts`; returns its size in bytes. */
export async function bundleTemplateMain(projectRoot: string, outFile: string): Promise<number> {
  // esbuild is a dev dependency: loaded only when a template is built, never by the jobs.
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    absWorkingDir: projectRoot,
    entryPoints: [path.join(projectRoot, ENTRY_POINT)],
    outfile: outFile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: [...BUNDLE_EXTERNALS],
    tsconfig: path.join(projectRoot, "tsconfig.json"),
    metafile: true,
    logLevel: "silent",
  });
  if (!(LAUNCH_MODULE in result.metafile.inputs))
    throw new BundleError(`${LAUNCH_MODULE} was not bundled: is it missing?`);
  return result.metafile.outputs[path.relative(projectRoot, outFile)]?.bytes ?? 0;
}
