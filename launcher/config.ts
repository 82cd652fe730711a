import * as fs from "fs";
import { configProblem } from "./config-shape";
import { RoxError } from "../errors/rox-error";

/** The config file the cloud commands read (`rox.config.json` in the working folder unless `--config` names another). */
export const DEFAULT_CONFIG_FILE = "rox.config.json";

/**
 * Settings shared by every cloud command, plus one section per domain (`dataflow`, `schedule`, `train`, …), each
 * parsed by its own module. Flags always win over the file.
 */
export interface RoxConfig {
  project?: string;
  region?: string;
  [section: string]: unknown;
}

/** The config file is malformed: it names the file and what is wrong. */
export class ConfigError extends RoxError {
  readonly kind = "usage";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/**
 * Reads the config; a missing default file is an empty config, a missing named file is an error. Every key at every
 * level is checked against `CONFIG_SHAPE` (config-shape.ts): an unknown or mistyped one is a ConfigError naming it.
 */
export function loadConfig(file: string | undefined): RoxConfig {
  const chosen = file ?? DEFAULT_CONFIG_FILE;
  if (!fs.existsSync(chosen)) {
    if (file === undefined) return {};
    throw new ConfigError(`config file ${chosen} does not exist`);
  }
  let text: string;
  try {
    text = fs.readFileSync(chosen, "utf8");
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`config file ${chosen} cannot be read: ${why}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${chosen} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`config file ${chosen} must hold a JSON object`);
  const problem = configProblem(parsed);
  if (problem) throw new ConfigError(`config file ${chosen}: ${problem}`);
  return parsed as RoxConfig;
}

/** One domain's section of the config, or an empty object; its module checks the fields it reads. */
export function configSection(config: RoxConfig, name: string): Record<string, unknown> {
  const section = config[name];
  if (section === undefined) return {};
  if (typeof section !== "object" || section === null || Array.isArray(section))
    throw new ConfigError(`config: "${name}" must be an object`);
  return section as Record<string, unknown>;
}
