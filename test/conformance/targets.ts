/**
 * Which implementations a conformance suite runs against. `IO_TARGETS` lists them, comma-separated:
 *   local     the embedded implementation (DuckDB, local folders, the Pub/Sub emulator's REST client) — always sensible
 *   emulator  the Google Cloud implementation against a locally started emulator (skipped, with the reason printed,
 *             when the emulator cannot start)
 *   cloud     the Google Cloud implementation against real Google Cloud (needs ADC and ROX_TEST_PROJECT; never in CI)
 * Default: "local,emulator".
 */
export type ConformanceTarget = "local" | "emulator" | "cloud";

const KNOWN: readonly ConformanceTarget[] = ["local", "emulator", "cloud"];

export function conformanceTargets(env: NodeJS.ProcessEnv = process.env): Set<ConformanceTarget> {
  const listed = (env.IO_TARGETS ?? "local,emulator")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of listed) {
    if (!KNOWN.includes(name as ConformanceTarget))
      throw new Error(`IO_TARGETS: unknown target "${name}" (known: ${KNOWN.join(", ")})`);
  }
  return new Set(listed as ConformanceTarget[]);
}

export function targetSelected(target: ConformanceTarget): boolean {
  const selected = conformanceTargets().has(target);
  if (!selected) console.warn(`conformance target "${target}" skipped: not in IO_TARGETS (${process.env.IO_TARGETS})`);
  return selected;
}
