import { MODEL_NAME } from "../../schemas/model-spec";
import { UsageError } from "../errors";

/** `name`, `name@<alias>` or `name@<version>` (`flights-delay@champion`, `flights-delay@3`). */
export interface ModelRef {
  name: string;
  /** A version number, an alias, or neither (the latest version). */
  version?: number;
  alias?: string;
}

export const ALIAS = /^[a-z][a-z0-9-]{0,62}$/;

export function parseModelRef(text: string): ModelRef {
  const [name, at, ...rest] = text.split("@");
  if (rest.length > 0 || !MODEL_NAME.test(name ?? ""))
    throw new UsageError(`model "${text}" must be name, name@alias or name@version (name: ${MODEL_NAME})`);
  if (at === undefined) return { name };
  if (/^[1-9]\d{0,8}$/.test(at)) return { name, version: Number(at) };
  if (!ALIAS.test(at))
    throw new UsageError(`model "${text}": "${at}" is neither a version number nor an alias (${ALIAS})`);
  return { name, alias: at };
}

export function formatModelRef(ref: ModelRef): string {
  return ref.version !== undefined ? `${ref.name}@${ref.version}` : ref.alias ? `${ref.name}@${ref.alias}` : ref.name;
}
