/**
 * Names that become local paths (an object staged from a bucket, a file under an input root) are checked here, so a
 * name taken from a listing can never reach outside the folder it belongs to, nor pass itself off as another name.
 * Stricter than Cloud Storage on purpose: a bucket may hold `a/../x` or a bidi override; a staged input may not.
 */
import * as path from "path";
import { checkIdentifier, InvalidIdentifierError, type IdentifierRule } from "./project";

const CONTROL = /[\u0001-\u001f\u007f-\u009f]/;
// Bidi embeddings, overrides and isolates, and the invisible marks that steer them: they make a name display as
// another one ("txt.exe" shown as "exe.txt").
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// Zero-width space and byte-order mark: two names that look the same would be two files.
const INVISIBLE = /[\u200b\ufeff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Most file systems (ext4, APFS, NTFS) limit one name to 255 bytes.
const MAX_SEGMENT_BYTES = 255;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

const TEXT_RULES: IdentifierRule[] = [
  (name) => (name.length === 0 ? "must not be empty" : undefined),
  (name) => (name.includes("\0") ? "must not contain NUL" : undefined),
  (name) => (CONTROL.test(name) ? "must not contain control characters" : undefined),
  (name) => (hasLoneSurrogate(name) ? "must be valid Unicode (no lone surrogate)" : undefined),
  (name) => (BIDI.test(name) ? "must not contain bidirectional formatting characters" : undefined),
  (name) => (INVISIBLE.test(name) ? "must not contain zero-width characters" : undefined),
  (name) => (name.normalize("NFC") === name ? undefined : "must be in Unicode normalization form C (NFC)"),
];

const RELATIVE_RULES: IdentifierRule[] = [
  ...TEXT_RULES,
  (name) => (name.startsWith("/") ? "must be relative (no leading /)" : undefined),
  (name) => (name.includes("\\") ? "must not contain a backslash (a folder separator on Windows)" : undefined),
  (name) => (segmentsOf(name).includes("..") ? 'must not contain a ".." segment' : undefined),
  (name) => (segmentsOf(name).includes(".") ? 'must not contain a "." segment' : undefined),
  (name) => (segmentsOf(name).includes("") ? "must not contain an empty segment (// or a trailing /)" : undefined),
  (name) =>
    segmentsOf(name).some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)
      ? `each segment must be at most ${MAX_SEGMENT_BYTES} bytes long`
      : undefined,
];

function segmentsOf(name: string): string[] {
  return name.split("/");
}

/** A `/`-separated relative name that stays below the folder it is joined to, whatever that folder is. */
export function validateRelativePath(name: string): string {
  return checkIdentifier("relative path", name, RELATIVE_RULES);
}

/**
 * The absolute local path of `name` under `root`. A relative name must pass `validateRelativePath`; an absolute one
 * is accepted only when it already lies inside `root`.
 */
export function resolveInside(root: string, name: string): string {
  const base = path.resolve(root);
  if (path.isAbsolute(name)) checkIdentifier("path", name, TEXT_RULES);
  const resolved = path.isAbsolute(name)
    ? path.resolve(name)
    : path.join(base, ...validateRelativePath(name).split("/"));
  if (!isInside(base, resolved)) throw new InvalidIdentifierError("path", name, `must lie inside ${base}`);
  return resolved;
}

function isInside(base: string, candidate: string): boolean {
  const relative = path.relative(base, candidate);
  const escapes = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return relative !== "" && !escapes;
}
