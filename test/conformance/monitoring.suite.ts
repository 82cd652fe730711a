/**
 * The monitoring warehouse's conformance suite, written once and run against each `MonitoringWarehouse` (DuckDB, and
 * BigQuery on the emulator) by `monitoring.test.ts`: a scope's rows land as computed, a rerun replaces them (and says
 * how many), other scopes are never touched, and a scope of an empty table reads as nothing. Rows are read back
 * through the warehouse's `query`.
 */
import type { MonitoredScope, MonitoringWarehouse } from "../../io/monitoring";
import type { Warehouse } from "../../io/ports";
import { loadContract } from "../../schemas/load";
import type { MetricRow } from "../../transforms/monitor/metric-row";
import { flightsDelayCard } from "../monitor/card-fixture";
import { describeNeeds, type Prerequisite } from "../support/prerequisites";

export interface MonitoringFixture {
  warehouse: Warehouse;
  monitoring: MonitoringWarehouse;
  /**
   * SQL reading every `monitoring` row, its timestamps as epoch milliseconds (`monitoringRowsSql`), in the warehouse's
   * spelling.
   */
  selectAll: string;
  close(): Promise<void>;
}

export interface MonitoringSuiteOptions {
  target: string;
  needs?: Prerequisite[];
  /** A fresh, empty warehouse. */
  open(): Promise<MonitoringFixture>;
  setup?: () => void;
}

const DAY: MonitoredScope = {
  model: "flights-delay",
  version: 1,
  table: "flights",
  scope: "day",
  start: "2001-01-12T00:00:00.000Z",
  end: "2001-01-13T00:00:00.000Z",
};
const WINDOW: MonitoredScope = { ...DAY, scope: "window", end: "2001-01-12T01:00:00.000Z" };
const NEXT_DAY: MonitoredScope = { ...DAY, start: "2001-01-13T00:00:00.000Z", end: "2001-01-14T00:00:00.000Z" };
const VERSION_2: MonitoredScope = { ...DAY, version: 2 };

const run = (runId: string) => ({ runId, computedAt: "2001-01-14T08:30:00.000Z" });

const ROWS: MetricRow[] = [
  {
    feature: "distance",
    metric: "drift.jensen_shannon",
    value: 0.123456789012345,
    threshold: 0.3,
    errorThreshold: 0.6,
    alert: false,
    severity: null,
    rows: 4000,
  },
  {
    feature: "origin",
    metric: "drift.l_infinity",
    value: 0.75,
    threshold: 0.3,
    errorThreshold: 0.6,
    alert: true,
    severity: "ERROR",
    rows: 3998,
  },
  {
    feature: null,
    metric: "quality.volume_change",
    value: 1 / 3,
    threshold: 0.5,
    errorThreshold: 1,
    alert: false,
    severity: null,
    rows: 4000,
  },
];

/** Every column of `monitoring`, the timestamps through `epochMs`, names quoted by `q`. */
export function monitoringRowsSql(q: (name: string) => string, epochMs: (column: string) => string): string {
  const plain = ["model", "version", "table_name", "scope", "feature", "metric", "value", "threshold"];
  const more = ["error_threshold", "alert", "severity", "rows", "run_id"];
  const times = ["scope_start", "scope_end", "computed_at"].map((c) => `${epochMs(q(c))} AS ${q(c)}`);
  return `SELECT ${[...plain, ...more].map(q).join(", ")}, ${times.join(", ")} FROM monitoring`;
}

/** A stored row as plain values, whichever client read it. */
function normalized(r: Record<string, unknown>) {
  return {
    model: String(r.model),
    version: Number(r.version),
    table: String(r.table_name),
    scope: String(r.scope),
    start: new Date(Number(r.scope_start)).toISOString(),
    end: new Date(Number(r.scope_end)).toISOString(),
    row: {
      feature: r.feature === null ? null : String(r.feature),
      metric: String(r.metric),
      value: Number(r.value),
      threshold: Number(r.threshold),
      errorThreshold: Number(r.error_threshold),
      alert: Boolean(r.alert),
      severity: r.severity === null ? null : String(r.severity),
      rows: Number(r.rows),
    },
    runId: String(r.run_id),
    computedAt: new Date(Number(r.computed_at)).toISOString(),
  };
}

const byMetric = (a: { row: { metric: string } }, b: { row: { metric: string } }) =>
  a.row.metric.localeCompare(b.row.metric);

export function monitoringConformance(options: MonitoringSuiteOptions): void {
  describeNeeds(...(options.needs ?? []))(`monitoring conformance: ${options.target}`, () => {
    options.setup?.();
    let fx: MonitoringFixture;
    beforeEach(async () => {
      fx = await options.open();
    });
    afterEach(async () => {
      await fx?.close();
    });
    const stored = async (scope: MonitoredScope) =>
      (await fx.warehouse.query(fx.selectAll))
        .map(normalized)
        .filter((r) => r.scope === scope.scope && r.start === scope.start && r.version === scope.version)
        .sort(byMetric);

    test("a scope's rows land as computed: values, nulls, timestamps, the run", async () => {
      expect(await fx.monitoring.replaceScope(DAY, run("monitor-1"), ROWS)).toBe(0);
      const { model, version, table, scope, start, end } = DAY;
      expect(await stored(DAY)).toEqual(
        ROWS.map((row) => ({ model, version, table, scope, start, end, row, ...run("monitor-1") })).sort(byMetric),
      );
    });

    test("a rerun replaces the scope's rows and says how many it replaced", async () => {
      await fx.monitoring.replaceScope(DAY, run("monitor-1"), ROWS);
      expect(await fx.monitoring.replaceScope(DAY, run("monitor-2"), ROWS.slice(0, 2))).toBe(3);
      const after = await stored(DAY);
      expect(after.map((r) => [r.row.metric, r.runId])).toEqual([
        ["drift.jensen_shannon", "monitor-2"],
        ["drift.l_infinity", "monitor-2"],
      ]);
      expect(await fx.monitoring.replaceScope(DAY, run("monitor-3"), [])).toBe(2);
      expect(await stored(DAY)).toEqual([]);
    });

    test("other scopes are never touched: the window, the next day, another version", async () => {
      for (const scope of [DAY, WINDOW, NEXT_DAY, VERSION_2])
        await fx.monitoring.replaceScope(scope, run(`of-${scope.scope}-${scope.start}-${scope.version}`), ROWS);
      expect(await fx.monitoring.replaceScope(DAY, run("again"), ROWS.slice(2))).toBe(3);
      expect(await stored(DAY)).toHaveLength(1);
      for (const scope of [WINDOW, NEXT_DAY, VERSION_2]) {
        const rows = await stored(scope);
        expect(rows).toHaveLength(3);
        expect(new Set(rows.map((r) => r.runId))).toEqual(
          new Set([`of-${scope.scope}-${scope.start}-${scope.version}`]),
        );
      }
    });

    test("a scope of a table without events reads as nothing", async () => {
      const contract = loadContract("flights");
      await fx.warehouse.ensureTables(contract);
      expect(await fx.monitoring.scopeData(contract, flightsDelayCard(), DAY, 7)).toMatchObject({
        featureRows: [],
        predictions: [],
        deadLetters: [],
        read: 0,
        trailingRows: [],
      });
    });
  });
}
