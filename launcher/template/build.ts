/**
 * `rox template build`: everything the two Docker images and `gcloud` need, written into one folder (the Docker
 * build context, default dist/templates/):
 *
 *   <job>/metadata.json   for `gcloud dataflow flex-template build --metadata-file`
 *   <job>/spec.json       the template spec file, uploaded to Cloud Storage as it is
 *   launcher/template-main.js   the bundled entry point
 *   launcher/launcher-shim.py   what Google's Python launcher runs (docker/launcher-shim.py: it execs Node)
 *   app/, beam/           see build-context.ts
 */
import * as fs from "fs";
import * as path from "path";
import { copyApp, copyBeam } from "./build-context";
import { bundleTemplateMain } from "./bundle";
import { buildTemplateMetadata, buildTemplateSpec, type TemplateImages } from "./metadata";
import { TEMPLATE_JOBS } from "./parameters";

export const DEFAULT_OUT = path.join("dist", "templates");
export const DEFAULT_BEAM_DIR = path.join(".rox", "beam");
export const BUNDLE_FILE = path.join("launcher", "template-main.js");
export const SHIM_FILE = path.join("launcher", "launcher-shim.py");

export interface TemplateBuildOptions extends TemplateImages {
  projectRoot: string;
  out: string;
  beamDir: string;
}

export interface TemplateBuildResult {
  out: string;
  files: string[];
  bundleBytes: number;
}

export async function buildTemplates(options: TemplateBuildOptions): Promise<TemplateBuildResult> {
  const out = path.resolve(options.out);
  const files = TEMPLATE_JOBS.flatMap((job) => [
    writeJson(out, path.join(job, "metadata.json"), buildTemplateMetadata(job)),
    writeJson(out, path.join(job, "spec.json"), buildTemplateSpec(job, options)),
  ]);
  const bundleBytes = await bundleTemplateMain(options.projectRoot, path.join(out, BUNDLE_FILE));
  fs.copyFileSync(path.join(options.projectRoot, "docker", "launcher-shim.py"), path.join(out, SHIM_FILE));
  copyApp(options.projectRoot, out);
  copyBeam(path.resolve(options.beamDir), out);
  return { out, files: [...files, BUNDLE_FILE, SHIM_FILE, "app", "beam"], bundleBytes };
}

/** Pretty JSON with a final newline: stable bytes, readable diffs. */
export function templateJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function writeJson(out: string, relative: string, value: unknown): string {
  fs.mkdirSync(path.dirname(path.join(out, relative)), { recursive: true });
  fs.writeFileSync(path.join(out, relative), templateJson(value));
  return relative;
}
