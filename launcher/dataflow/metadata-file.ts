import * as fs from "fs";
import { ConfigError } from "../config";
import type { TemplateMetadata } from "../template/metadata";
import type { TemplateParameter } from "../template/parameters";

/**
 * Reads the metadata of a template built from another version of this code (`--metadata`): a `metadata.json`, or a
 * template spec file (`{image, sdkInfo, metadata}`). By default the launcher checks against the metadata this very
 * build would write (`buildTemplateMetadata`), so a file is needed only when the deployed template differs.
 */
export function readMetadataFile(file: string): TemplateMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(`template metadata ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const metadata = isObject(parsed) && isObject(parsed.metadata) ? parsed.metadata : parsed;
  if (!isObject(metadata) || !Array.isArray(metadata.parameters))
    throw new ConfigError(`template metadata ${file} has no "parameters" list`);
  return {
    name: typeof metadata.name === "string" ? metadata.name : file,
    description: typeof metadata.description === "string" ? metadata.description : "",
    parameters: metadata.parameters.map((p, i) => parameterOf(p, `${file}: parameters[${i}]`)),
    streaming: metadata.streaming === true,
  };
}

// Only name, isOptional and regexes take part in the check; the rest is carried for completeness.
function parameterOf(raw: unknown, where: string): TemplateParameter {
  if (!isObject(raw) || typeof raw.name !== "string") throw new ConfigError(`${where} has no "name"`);
  const regexes = raw.regexes ?? [];
  if (!(Array.isArray(regexes) && regexes.every((r) => typeof r === "string")))
    throw new ConfigError(`${where}: "regexes" must be a list of strings`);
  return {
    name: raw.name,
    label: typeof raw.label === "string" ? raw.label : raw.name,
    helpText: typeof raw.helpText === "string" ? raw.helpText : "",
    paramType: "TEXT",
    isOptional: raw.isOptional === true,
    regexes: regexes as string[],
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
