/** Quotes an identifier (names come from validated schemas, quoting keeps reserved words safe). */
export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
