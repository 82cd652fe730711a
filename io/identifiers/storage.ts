/**
 * Cloud Storage bucket and object names, and `gs://bucket/object` URIs, checked before any API call. The rules are
 * Google's (cloud.google.com/storage/docs/buckets#naming, …/objects#naming). Whether a name is safe to write to a
 * local disk is another question, answered by `paths.ts`.
 */
import { hasLoneSurrogate } from "./paths";
import { checkIdentifier, type IdentifierRule } from "./project";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// Google refuses "google" and "close misspellings" without listing them; zeros for the o's are the ones it names.
const GOOGLE_LIKE = /g[o0][o0]gle/;
const MAX_OBJECT_BYTES = 1024;
const ACME_CHALLENGE = ".well-known/acme-challenge/";

const BUCKET_RULES: IdentifierRule[] = [
  (name) => (name.length === 0 ? "must not be empty" : undefined),
  (name) =>
    /^[a-z0-9._-]*$/.test(name)
      ? undefined
      : "may contain only lowercase letters, digits, dashes, underscores and dots",
  (name) => (/^[a-z0-9](.*[a-z0-9])?$/.test(name) ? undefined : "must start and end with a letter or a digit"),
  bucketLength,
  (name) => (name.split(".").some((part) => part === "") ? "must not contain an empty dot-separated part" : undefined),
  (name) => (IPV4.test(name) ? "must not look like an IP address" : undefined),
  (name) => (name.startsWith("goog") ? 'must not start with "goog"' : undefined),
  (name) => (GOOGLE_LIKE.test(name) ? 'must not contain "google" or a close misspelling of it' : undefined),
];

function bucketLength(name: string): string | undefined {
  if (!name.includes(".")) return name.length >= 3 && name.length <= 63 ? undefined : "must be 3 to 63 characters long";
  if (name.length > 222) return "must be at most 222 characters long (with dots)";
  return name.split(".").some((part) => part.length > 63)
    ? "each dot-separated part must be at most 63 characters long"
    : undefined;
}

const OBJECT_RULES: IdentifierRule[] = [
  (name) => (name.length === 0 ? "must not be empty" : undefined),
  (name) => (hasLoneSurrogate(name) ? "must be valid Unicode (no lone surrogate)" : undefined),
  (name) =>
    Buffer.byteLength(name, "utf8") > MAX_OBJECT_BYTES
      ? `must be at most ${MAX_OBJECT_BYTES} bytes long (UTF-8)`
      : undefined,
  (name) => (/[\r\n]/.test(name) ? "must not contain a carriage return or a line feed" : undefined),
  (name) => (name === "." || name === ".." ? 'must not be "." or ".."' : undefined),
  (name) => (name.startsWith(ACME_CHALLENGE) ? `must not start with ${ACME_CHALLENGE}` : undefined),
];

export function validateBucketName(name: string): string {
  return checkIdentifier("Cloud Storage bucket name", name, BUCKET_RULES);
}

export function validateObjectName(name: string): string {
  return checkIdentifier("Cloud Storage object name", name, OBJECT_RULES);
}

/** A `gs://` URI split into its bucket and object name; `object` is "" for the bucket itself (`gs://b` or `gs://b/`). */
export interface GcsLocation {
  bucket: string;
  object: string;
}

export function isGcsUri(uri: string): boolean {
  return uri.startsWith("gs://");
}

/** Parses and checks `gs://bucket/object…`; the object part may hold glob characters (they are legal in names). */
export function parseGcsUri(uri: string): GcsLocation {
  if (!isGcsUri(uri)) checkIdentifier("Cloud Storage URI", uri, [() => "must start with gs://"]);
  const rest = uri.slice("gs://".length);
  const slash = rest.indexOf("/");
  const bucket = validateBucketName(slash < 0 ? rest : rest.slice(0, slash));
  const object = slash < 0 ? "" : rest.slice(slash + 1);
  if (object !== "") validateObjectName(object);
  return { bucket, object };
}

export function gcsUri(bucket: string, object: string): string {
  return `gs://${bucket}/${object}`;
}
