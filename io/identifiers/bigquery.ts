/**
 * BigQuery dataset and table ids, checked before any API call. The rules are Google's (datasets: letters, digits,
 * underscores, at most 1,024 characters; tables: at most 1,024 UTF-8 bytes of letters, marks, numbers, connector and
 * dash punctuation and spaces). `$` is refused in table ids on purpose: it would address a partition decorator.
 */
import { checkIdentifier, validateProjectId, type IdentifierRule } from "./project";

const MAX_LENGTH = 1024;

const DATASET_RULES: IdentifierRule[] = [
  (id) => (id.length === 0 ? "must not be empty" : undefined),
  (id) => (id.length > MAX_LENGTH ? `must be at most ${MAX_LENGTH} characters long` : undefined),
  (id) => (/^[A-Za-z0-9_]+$/.test(id) ? undefined : "may contain only letters, digits and underscores"),
];

const TABLE_RULES: IdentifierRule[] = [
  (id) => (id.length === 0 ? "must not be empty" : undefined),
  (id) => (Buffer.byteLength(id, "utf8") > MAX_LENGTH ? `must be at most ${MAX_LENGTH} bytes long (UTF-8)` : undefined),
  (id) => (id.includes("$") ? "must not contain $ (a partition decorator is not a table)" : undefined),
  (id) =>
    /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd} ]+$/u.test(id)
      ? undefined
      : "may contain only letters, marks, numbers, underscores, dashes and spaces",
];

export function validateDatasetId(id: string): string {
  return checkIdentifier("BigQuery dataset id", id, DATASET_RULES);
}

export function validateTableId(id: string): string {
  return checkIdentifier("BigQuery table id", id, TABLE_RULES);
}

/** Where a BigQuery warehouse lives: both ids checked. */
export function validateBigQueryTarget(target: { projectId: string; dataset: string }): void {
  validateProjectId(target.projectId);
  validateDatasetId(target.dataset);
}
