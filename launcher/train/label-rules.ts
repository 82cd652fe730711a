/**
 * Google Cloud's label rules (Vertex AI jobs carry them): at most 64 labels; keys 1–63 characters of lowercase
 * letters, digits, `_` and `-`, starting with a letter; values 0–63 characters of the same set. Lineage values
 * (run ids with upper-case stamps, table names) are folded into that set rather than rejected.
 */
const KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const MAX_VALUE = 63;
export const MAX_LABELS = 64;

/** A label value: lower-cased, any other character replaced by `_`, cut to 63 characters. */
export function labelValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "_")
    .slice(0, MAX_VALUE);
}

export function isLabelKey(key: string): boolean {
  return KEY.test(key);
}

/** A resource id of `[a-z0-9-]` (Vertex pipeline job ids, Kubeflow display names): `_` and others become `-`. */
export function resourceSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
