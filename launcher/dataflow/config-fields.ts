import { ConfigError } from "../config";

/** Typed reads of one config section's fields; `where` names the section in the error (`dataflow.batch`). */
export function stringField(section: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = section[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ConfigError(`config: "${where}.${key}" must be a string`);
  return value;
}

export function numberField(section: Record<string, unknown>, key: string, where: string): number | undefined {
  const value = section[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw new ConfigError(`config: "${where}.${key}" must be a positive integer`);
  return value;
}

export function booleanField(section: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const value = section[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new ConfigError(`config: "${where}.${key}" must be true or false`);
  return value;
}

export function stringMapField(section: Record<string, unknown>, key: string, where: string): Record<string, string> {
  const value = section[key];
  if (value === undefined) return {};
  const ok =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string");
  if (!ok) throw new ConfigError(`config: "${where}.${key}" must be an object of strings`);
  return value as Record<string, string>;
}

export function sectionField(section: Record<string, unknown>, key: string, where: string): Record<string, unknown> {
  const value = section[key];
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ConfigError(`config: "${where}.${key}" must be an object`);
  return value as Record<string, unknown>;
}
