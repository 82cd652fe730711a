import { MissingSettingError } from "../cloud/errors";
import type { TrainSettings } from "./settings";

/** A setting the target needs, or a MissingSettingError that says where to put it — before any call is made. */
export function required(value: string | undefined, setting: string, hint: string): string {
  if (value === undefined || value === "") throw new MissingSettingError(setting, hint);
  return value;
}

/** `projects/<project>/locations/<region>`, the parent of every Vertex AI resource. */
export function vertexParent(settings: TrainSettings): string {
  const project = required(settings.project, "project", `pass --project or set "project" in rox.config.json`);
  const region = required(settings.region, "region", `pass --region or set "region" in rox.config.json`);
  return `projects/${project}/locations/${region}`;
}

/** `gs://bucket/path` without a trailing slash, so folders below it join with one `/`. */
export function outputUri(settings: TrainSettings): string {
  const uri = required(
    settings.outputUri,
    "train.outputUri",
    `set "train": {"outputUri": "gs://<bucket>/<folder>"} in rox.config.json`,
  );
  return uri.replace(/\/+$/, "");
}
