/**
 * Text the job writes — dead-letter messages, previews, payloads — cut only between characters and never holding half
 * a UTF-16 surrogate pair: the warehouses' loaders refuse a file with one bad character, and would refuse the whole
 * chunk with it. Every truncation of text or of UTF-8 bytes in the job goes through these helpers. Pure.
 */

type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** True when `text` holds no lone surrogate, i.e. it can be written as UTF-8 exactly. */
export function isWellFormedText(text: string): boolean {
  return (text as WellFormedString).isWellFormed();
}

/** `text` with every lone surrogate replaced by U+FFFD: for text the job did not make (exception messages, wire data). */
export function wellFormedText(text: string): string {
  return (text as WellFormedString).toWellFormed();
}

/** At most `max` UTF-16 units of `text`, ending in `ellipsis` when cut; a cut never splits a surrogate pair. */
export function clipText(text: string, max: number, ellipsis = "..."): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ellipsis.length);
  if (end > 0 && HIGH_SURROGATE.test(text[end - 1])) end--;
  return text.slice(0, end) + ellipsis;
}

/** At most `max` bytes of UTF-8 `bytes`; when it cuts, the cut never ends inside a character. */
export function utf8Prefix(bytes: Uint8Array, max: number): Uint8Array {
  return bytes.length <= max ? bytes : withoutPartialCharacter(bytes.subarray(0, max));
}

/**
 * Bytes cut from UTF-8 text, less a character the cut left incomplete at their end. Bytes that are not UTF-8 there (a
 * run of more than three continuation bytes) are left as they are: there is no character to protect.
 */
export function withoutPartialCharacter(bytes: Uint8Array): Uint8Array {
  for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 4; i--) {
    const byte = bytes[i];
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return bytes.length - i < length ? bytes.subarray(0, i) : bytes;
  }
  return bytes;
}

/**
 * Where a decoded value holds text that is not valid Unicode (a lone surrogate, as JSON's `\ud800` escape makes one), as
 * a path such as `legs[2].code` or `(key "a\ud800")`; undefined when every string and key is well formed.
 */
export function findIllFormedText(value: unknown, path = ""): string | undefined {
  if (typeof value === "string") return isWellFormedText(value) ? undefined : path || "(value)";
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findIllFormedText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!isWellFormedText(key)) return `${path ? `${path}.` : ""}(a key)`;
    const found = findIllFormedText(item, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}
