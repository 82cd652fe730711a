import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import { checkCompatibility } from "../../schemas/compatibility";

/**
 * Why a running streaming job, launched with `previous`, cannot be replaced in place by one built for `next`: the
 * new job must read the events still in flight (Avro backward compatibility, table keys unchanged) and take over the
 * running job's window state (the same window aggregates, keyed and sized the same). Empty when it can.
 */
export function updateProblems(previous: Contract, next: Contract): string[] {
  if (previous.name !== next.name) return [`the schema changed from ${previous.name} to ${next.name}`];
  const compatibility = checkCompatibility(previous, next);
  const schemaProblems = compatibility.compatible ? [] : compatibility.reasons;
  return [...schemaProblems, ...windowChanges(previous.features?.windows ?? [], next.features?.windows ?? [])];
}

function windowChanges(before: readonly WindowFeatureSpec[], after: readonly WindowFeatureSpec[]): string[] {
  const shapeOf = (w: WindowFeatureSpec) =>
    JSON.stringify([w.key, w.sizeSeconds, w.columns.map((c) => [c.name, c.kind])]);
  const old = new Map(before.map((w) => [w.name, shapeOf(w)]));
  const now = new Map(after.map((w) => [w.name, shapeOf(w)]));
  const removed = before.filter((w) => !now.has(w.name)).map((w) => `window aggregate ${w.name} was removed`);
  const added = after.filter((w) => !old.has(w.name)).map((w) => `window aggregate ${w.name} was added`);
  const changed = after
    .filter((w) => old.has(w.name) && old.get(w.name) !== shapeOf(w))
    .map((w) => `window aggregate ${w.name} changed its key, size or columns`);
  return [...removed, ...added, ...changed];
}
