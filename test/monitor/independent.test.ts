/**
 * The metrics against computations that share no code with them: plain SQL in DuckDB (binning and the divergence),
 * and SciPy's `jensenshannon` (which returns the distance: its square is the divergence) in the models' Python.
 */
import { execFileSync } from "child_process";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { mlPythonPath } from "../../launcher/models/python";
import { histogramCounts } from "../../transforms/score/baseline";
import { jensenShannon, lInfinity } from "../../transforms/monitor/divergence";
import { itNeeds } from "../support/prerequisites";

/** A fixed pseudo-random sequence (an LCG): the same numbers in every run. */
function sequence<T>(n: number, seed: number, shape: (u: number) => T): T[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return shape(x / 2 ** 32);
  });
}

const baselineValues = sequence(5000, 7, (u) => Math.round(-Math.log(1 - u) * 700));
const cases: [string, number[]][] = [
  ["the same distribution, other draws", sequence(3000, 11, (u) => Math.round(-Math.log(1 - u) * 700))],
  ["scaled by 1.8", sequence(3000, 13, (u) => Math.round(-Math.log(1 - u) * 700 * 1.8))],
  ["uniform", sequence(3000, 17, (u) => Math.round(u * 4000))],
];
const deciles = (v: number[]) => {
  const sorted = [...v].sort((a, b) => a - b);
  return [...new Set(Array.from({ length: 11 }, (_, i) => sorted[Math.round((i / 10) * (sorted.length - 1))]))];
};
const edges = deciles(baselineValues);
const baseline = histogramCounts({ edges }, baselineValues).counts;

describe("Jensen–Shannon and L-infinity equal an independent computation", () => {
  let db: DuckDbWarehouse;
  beforeAll(async () => {
    db = await DuckDbWarehouse.open(":memory:");
  });
  afterAll(() => db?.close());

  /** Bins in SQL (how many inner edges are at or below the value: the trainer's searchsorted), then the divergence. */
  const JS_SQL = `
    WITH v AS (SELECT unnest($1::DOUBLE[]) AS x, 'p' AS side UNION ALL SELECT unnest($2::DOUBLE[]), 'q'),
    b AS (SELECT side, len(list_filter(list_slice($3::DOUBLE[], 2, len($3::DOUBLE[]) - 1), e -> e <= x)) AS bin FROM v),
    h AS (SELECT bin, count(*) FILTER (side = 'p') / (SELECT count(*) FROM v WHERE side = 'p') AS p,
                      count(*) FILTER (side = 'q') / (SELECT count(*) FROM v WHERE side = 'q') AS q FROM b GROUP BY bin)
    SELECT sum(CASE WHEN p > 0 THEN p / 2 * log2(p / ((p + q) / 2)) ELSE 0 END
             + CASE WHEN q > 0 THEN q / 2 * log2(q / ((p + q) / 2)) ELSE 0 END) AS js FROM h`;

  test.each(cases)("Jensen–Shannon in SQL: %s", async (_name, serving) => {
    const ours = jensenShannon(baseline, histogramCounts({ edges }, serving).counts);
    const [row] = await db.query(JS_SQL, [baselineValues, serving, edges]);
    expect(ours).toBeCloseTo(Number(row.js), 12);
  });

  test("L-infinity in SQL, on category names", async () => {
    const names = ["ORD", "ATL", "DFW", "LAX", "SFO", "DEN"];
    const p = sequence(4000, 3, (u) => names[Math.floor(u * u * names.length)]);
    const q = sequence(3000, 5, (u) => names[Math.floor(u * names.length)]);
    const [row] = await db.query(
      `WITH v AS (SELECT unnest($1::VARCHAR[]) AS c, 'p' AS side UNION ALL SELECT unnest($2::VARCHAR[]), 'q')
       SELECT max(abs(count(*) FILTER (side = 'p') / (SELECT count(*) FROM v WHERE side = 'p')
         - count(*) FILTER (side = 'q') / (SELECT count(*) FROM v WHERE side = 'q'))) OVER () AS d FROM v GROUP BY c`,
      [p, q],
    );
    expect(lInfinity(tally(p), tally(q))).toBeCloseTo(Number(row.d), 12);
  });

  itNeeds("ml-python")("Jensen–Shannon is SciPy's jensenshannon(p, q, base=2) squared", () => {
    const served = cases.map(([, serving]) => histogramCounts({ edges }, serving).counts);
    const program = [
      "import json, sys",
      "from scipy.spatial.distance import jensenshannon",
      "p, qs = json.load(sys.stdin)",
      "print(json.dumps([float(jensenshannon(p, q, base=2) ** 2) for q in qs]))",
    ].join("\n");
    const out = execFileSync(mlPythonPath(), ["-c", program], { input: JSON.stringify([baseline, served]) });
    const scipy = JSON.parse(out.toString()) as number[];
    expect(scipy).toHaveLength(3);
    served.forEach((q, i) => expect(jensenShannon(baseline, q)).toBeCloseTo(scipy[i], 12));
    expect(scipy[0]).toBeLessThan(0.01);
    expect(scipy[1]).toBeGreaterThan(10 * scipy[0]);
  });
});

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
