import * as beam from "../../transforms/beam/sdk";
import { BucketById, idBucketOf, keepFirstOfIdInBuckets, type IdBucket } from "../../transforms/beam/id-buckets";
import { keepFirstOfId, type Deduped, type KeyedEvent } from "../../transforms/beam/ingest";

const ctx = { schema: "flights", jobName: "test", runId: "run-1", nowMs: Date.parse("2001-02-01T00:00:00Z") };

describe("idBucketOf: FNV-1a of the id, modulo the buckets", () => {
  test.each([
    ["", 256, 0x811c9dc5 % 256],
    ["a", 256, 0xe40c292c % 256],
    ["foobar", 1024, 0xbf9cf968 % 1024],
    ["2001-01-01T00:01:00Z-LAS-PHL", 1, 0],
  ])("%j into %d buckets", (id, buckets, expected) => {
    expect(idBucketOf(id, buckets)).toBe(expected);
  });
});

describe("BucketById + keepFirstOfIdInBuckets: the same rows as grouping by id, over any bundles", () => {
  const flight = (id: string, uri: string, line: number, delay: number): KeyedEvent => ({
    key: id,
    value: {
      event: {
        event_id: id,
        date: Date.parse("2001-01-01T00:01:00Z"),
        delay,
        distance: 100,
        origin: "LAS",
        destination: "PHL",
      },
      source: { uri, line },
    },
  });
  const items = [
    flight("a", "file:///b.jsonl", 1, 3),
    flight("b", "file:///b.jsonl", 2, 20),
    flight("a", "file:///a.jsonl", 9, 4),
    flight("c", "file:///a.jsonl", 1, -5),
    flight("a", "file:///a.jsonl", 2, 5),
    flight("b", "file:///c.jsonl", 1, 21),
  ];

  /** The rows of the old graph: every copy of an id grouped, then keepFirstOfId. */
  function groupedById(): Deduped[] {
    const ids = [...new Set(items.map((i) => i.key))];
    return ids.flatMap((id) => [
      ...keepFirstOfId({ key: id, value: items.filter((i) => i.key === id).map((i) => i.value) }, ctx),
    ]);
  }

  /** As a runner does: one DoFn instance over the bundles, a group by bucket over all they emit, then the regroup. */
  function bucketed(bundles: KeyedEvent[][], buckets: number): Deduped[] {
    const doFn = new BucketById();
    const emitted: beam.WindowedValue<IdBucket>[] = [];
    for (const bundle of bundles) {
      doFn.startBundle();
      for (const item of bundle) doFn.process(item, { buckets });
      emitted.push(...doFn.finishBundle());
    }
    for (const e of emitted) expect(e.windows).toEqual([new beam.GlobalWindow()]);
    const groups = new Map<number, KeyedEvent[][]>();
    for (const { value } of emitted) groups.set(value.key, [...(groups.get(value.key) ?? []), value.value]);
    return [...groups].flatMap(([key, value]) => [...keepFirstOfIdInBuckets({ key, value }, ctx)]);
  }

  const sorted = (rows: Deduped[]) => rows.map((r) => JSON.stringify(r)).sort();

  test.each([
    ["one bundle, 256 buckets", [items], 256],
    ["one bundle, one bucket", [items], 1],
    ["two bundles", [items.slice(0, 3), items.slice(3)], 256],
    ["a bundle per record, two buckets", items.map((i) => [i]), 2],
  ])("%s", (_name, bundles, buckets) => {
    const rows = bucketed(bundles, buckets);
    expect(sorted(rows)).toStrictEqual(sorted(groupedById()));
    // The earliest copy (by file, then line) wins: a.jsonl:2 for "a", b.jsonl:2 for "b".
    const duplicates = rows.filter((r) => "duplicates" in r);
    expect(duplicates).toHaveLength(3);
  });

  test("a bundle emits one list per bucket it saw, and only its own records", () => {
    const doFn = new BucketById();
    doFn.startBundle();
    for (const item of items) doFn.process(item, { buckets: 256 });
    const first = [...doFn.finishBundle()];
    expect(first.map((e) => e.value.key).sort()).toStrictEqual(
      [...new Set(items.map((i) => idBucketOf(i.key, 256)))].sort(),
    );
    expect(first.reduce((n, e) => n + e.value.value.length, 0)).toBe(items.length);
    doFn.startBundle();
    expect([...doFn.finishBundle()]).toStrictEqual([]);
  });
});
