import { formatIsoDate } from "./iso-date";
import { toBase64 } from "./utf8";

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

type Kind = "date" | "bytes" | "array" | "typed-array" | "map" | "record";

/**
 * Turns a value decoded from Avro or Parquet into plain JS: bigint becomes a number when it is a safe
 * integer (else its decimal string), bytes become a standalone Uint8Array (a copy, so a record never pins
 * the block it came from), records and maps become plain objects, Dates stay Dates. Dates and bytes are
 * rebuilt in this realm, so `instanceof` holds downstream even for values hyparquet made in another one.
 */
export function toPlainValue(value: unknown): unknown {
  if (typeof value === "bigint") return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
  if (typeof value !== "object" || value === null) return value;
  const kind = kindOf(value);
  if (kind === "date") return new Date((value as Date).getTime());
  if (kind === "bytes") return new Uint8Array(value as Uint8Array);
  return mapContainer(value, kind, toPlainValue);
}

/** The JSON text of a binary record for its envelope: Dates as ISO strings, bigints as strings, bytes as base64. */
export function renderJson(value: unknown): string {
  return JSON.stringify(toJsonReady(value)) ?? "null";
}

// Converting first and stringifying without a replacer is about twice as fast as a replacer function.
function toJsonReady(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  const kind = kindOf(value);
  if (kind === "date") return formatIsoDate(value as Date);
  if (kind === "bytes") return toBase64(value as Uint8Array);
  return mapContainer(value, kind, toJsonReady);
}

function kindOf(value: object): Kind {
  if (Object.getPrototypeOf(value) === Object.prototype) return "record"; // rows we built: the common case
  if (value instanceof Date) return "date";
  if (value instanceof Uint8Array) return "bytes";
  if (Array.isArray(value)) return "array";
  // hyparquet is loaded outside jest's sandbox, so under jest its values fail instanceof: ask for the tag.
  const tag = Object.prototype.toString.call(value);
  if (tag === "[object Date]") return "date";
  if (tag === "[object Uint8Array]") return "bytes";
  if (tag === "[object Map]") return "map";
  return ArrayBuffer.isView(value) ? "typed-array" : "record";
}

/** Maps the items of a container; records keep their own keys only (avsc records carry methods). */
function mapContainer(value: object, kind: Kind, map: (item: unknown) => unknown): unknown {
  if (kind === "array") return (value as unknown[]).map(map);
  if (kind === "typed-array") return Array.from(value as unknown as ArrayLike<unknown>, map);
  const result: Record<string, unknown> = {};
  if (kind === "map") {
    for (const [key, item] of value as Map<unknown, unknown>) result[String(key)] = map(item);
    return result;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) result[keys[i]] = map(record[keys[i]]);
  return result;
}
