import { requireForSerialization } from "apache-beam/serialization";
import { PaneInfoCoder } from "apache-beam/coders/required_coders";
import { GlobalWindow, type DoFn, type WindowedValue } from "./sdk";
import { keepFirstOfId, type Deduped, type IngestContext, type KeyedEvent } from "./ingest";

/** How many buckets the local graph groups ids into: few enough that its group sees a handful of elements per bundle. */
export const ID_BUCKETS = 256;

export interface IdBucket {
  key: number;
  value: KeyedEvent[];
}

/** A bucket in 0 … buckets−1 for an id: FNV-1a over its UTF-16 code units, so every copy of an id meets in one bucket. */
export function idBucketOf(id: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % buckets;
}

/**
 * The dedupe's grouping lifted inside a bundle: each keyed event goes to its id's bucket, held for the bundle, and the
 * bundle emits one list per bucket when it finishes. The group after it then gets a few lists per bundle instead of one
 * element per event (the DirectRunner's group encodes every key and window it is given); `keepFirstOfIdInBuckets`
 * regroups each bucket by id. Every copy of an id lands in the same bucket on any runner, whichever bundle reads it.
 * The input must be in the global window (a batch of records).
 */
export class BucketById implements DoFn<KeyedEvent, IdBucket, { buckets: number }> {
  private lists = new Map<number, KeyedEvent[]>();

  startBundle(): void {
    this.lists = new Map();
  }

  process(item: KeyedEvent, ctx: { buckets: number }): void {
    const bucket = idBucketOf(item.key, ctx.buckets);
    const list = this.lists.get(bucket);
    if (list) list.push(item);
    else this.lists.set(bucket, [item]);
  }

  *finishBundle(): Generator<WindowedValue<IdBucket>> {
    const lists = this.lists;
    this.lists = new Map();
    const window = new GlobalWindow();
    const timestamp = window.maxTimestamp();
    for (const [key, value] of lists)
      yield { value: { key, value }, windows: [window], timestamp, pane: PaneInfoCoder.ONE_AND_ONLY_FIRING };
  }
}

/** After grouping by bucket: the bucket's events by id, in the order read, each id through `keepFirstOfId`. */
export function* keepFirstOfIdInBuckets(
  group: { key: number; value: Iterable<KeyedEvent[]> },
  ctx: IngestContext,
): Generator<Deduped> {
  const byId = new Map<string, KeyedEvent["value"][]>();
  for (const list of group.value) {
    for (const { key, value } of list) {
      const members = byId.get(key);
      if (members) members.push(value);
      else byId.set(key, [value]);
    }
  }
  for (const [key, value] of byId) yield* keepFirstOfId({ key, value }, ctx);
}

requireForSerialization("rox-gcp/transforms/beam/id-buckets", { BucketById, keepFirstOfIdInBuckets });
