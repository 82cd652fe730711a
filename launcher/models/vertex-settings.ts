import { configSection, type RoxConfig } from "../config";
import { MissingSettingError } from "../cloud/errors";
import { PREBUILT_XGBOOST, type VertexModelSettings } from "./vertex-plans";

/** `project`, `region` (flags win) and the `models` section: servingImage, serviceAccount, batch machine and replicas. */
export function readVertexModelSettings(
  config: RoxConfig,
  flags: { project?: string; region?: string } = {},
): VertexModelSettings {
  const section = configSection(config, "models");
  const project = flags.project ?? config.project;
  const region = flags.region ?? config.region;
  if (!project) throw new MissingSettingError("project", `pass --project or set "project" in rox.config.json`);
  if (!region) throw new MissingSettingError("region", `pass --region or set "region" in rox.config.json`);
  const text = (key: string) => (typeof section[key] === "string" ? (section[key] as string) : undefined);
  return {
    project,
    region,
    servingImage: text("servingImage") ?? PREBUILT_XGBOOST,
    serviceAccount: text("serviceAccount"),
    machineType: text("batchMachineType") ?? "n1-standard-4",
    replicas: typeof section.batchReplicas === "number" ? section.batchReplicas : 1,
  };
}
