/**
 * Google Cloud project ids, checked before any API call so a typo fails with the rule it breaks, not with a 404 or
 * a permission error from the far side. (Bucket and object names live in `storage.ts`, BigQuery ids in `bigquery.ts`.)
 */
import { RoxError } from "../../errors/rox-error";

/** An id a Google API would refuse: names the kind of id, the id itself and the rule it breaks. */
export class InvalidIdentifierError extends RoxError {
  readonly kind = "input";
  constructor(
    /** What the id names: "project id", "subscription id", … */
    readonly idKind: string,
    readonly id: string,
    readonly rule: string,
  ) {
    super(`invalid ${idKind} "${id}": ${rule}`);
    this.name = "InvalidIdentifierError";
  }
}

/** A check: the rule an id breaks, or undefined when it passes. */
export type IdentifierRule = (id: string) => string | undefined;

/** Applies the rules in order and throws on the first one broken. */
export function checkIdentifier(kind: string, id: string, rules: IdentifierRule[]): string {
  for (const rule of rules) {
    const broken = rule(id);
    if (broken) throw new InvalidIdentifierError(kind, id, broken);
  }
  return id;
}

const PROJECT_NAME = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// Older projects may be scoped by a domain: "example.com:my-project".
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

const PROJECT_RULES: IdentifierRule[] = [
  (id) => (id.length === 0 ? "must not be empty" : undefined),
  (id) => {
    const name = id.includes(":") ? id.slice(id.lastIndexOf(":") + 1) : id;
    if (name.length < 6 || name.length > 30) return "must be 6 to 30 characters long";
    if (!/^[a-z]/.test(name)) return "must start with a lowercase letter";
    if (name.endsWith("-")) return "must not end with a hyphen";
    return PROJECT_NAME.test(name) ? undefined : "may contain only lowercase letters, digits and hyphens";
  },
  (id) => {
    if (!id.includes(":")) return undefined;
    const domain = id.slice(0, id.lastIndexOf(":"));
    return DOMAIN.test(domain) ? undefined : "a domain-scoped id must look like example.com:my-project";
  },
];

/** Returns the id when Google would accept it as a project id, else throws `InvalidIdentifierError`. */
export function validateProjectId(id: string): string {
  return checkIdentifier("project id", id, PROJECT_RULES);
}
