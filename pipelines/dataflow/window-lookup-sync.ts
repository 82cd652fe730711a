/**
 * The online window lookup for code that must stay synchronous — the streaming graph's scoring DoFn (the TypeScript
 * SDK cannot run async code inside one). The lookup runs in a worker thread (`window-lookup-worker.ts`: the prediction
 * server's `WindowLookup` with its short-TTL cache); the caller posts the keys and blocks in `Atomics.wait` until the
 * worker has answered. One worker per process, started on first use and kept (unref'd), so the cache lives as long as
 * the worker process. In front of it, a cache on the caller's thread (`WindowRowsCache`) keeps the whole windows the
 * worker sent until the worker's cache stops using them: a key whose window it holds costs no round trip, and a row is
 * still used at most the TTL after the warehouse read it.
 */
import { RoxError } from "../../errors/rox-error";
import { SyncBridge } from "../../io/sync-bridge/sync-bridge";
import { windowIdOf, type CachedWindow } from "../../io/window-lookup";
import { windowKeyId, type WindowKey } from "../../transforms/score/online-features";
import { WindowRowsCache } from "./window-rows-cache";
import type { LookupRequest, LookupSettings, LookupValue } from "./window-lookup-protocol";

const BRIDGE = {
  workerModule: "rox-gcp/pipelines/dataflow/window-lookup-worker",
  name: "the window lookup",
  error: (message: string, cause?: unknown) => new WindowLookupError(message, cause),
};

/** The warehouse could not answer a window lookup (the event becomes a score dead letter). */
export class WindowLookupError extends RoxError {
  readonly kind = "cloud";
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "WindowLookupError";
  }
}

let bridge: SyncBridge<LookupRequest, LookupValue> | undefined;

type Rows = Map<string, Record<string, unknown> | null>;

/** The synchronous lookup: the caller thread's window cache (one per warehouse and TTL), then the worker thread. */
export class SyncWindowLookup {
  /** Round trips to the worker thread (tests, the bench). */
  crossings = 0;
  private readonly caches = new Map<string, WindowRowsCache>();

  /** `now`: the caller thread's clock, the worker's (`Date.now`, one clock per process) unless a test injects one. */
  constructor(private readonly now: () => number = Date.now) {}

  /** The window rows of `keys` (null: the key had no event in that window), by `windowKeyId`, in the keys' order. */
  rows(settings: LookupSettings, keys: readonly WindowKey[]): Rows {
    if (keys.length === 0) return new Map();
    const cache = this.cacheOf(settings);
    const held = cache.lookup(keys);
    const fetched = new Map<string, CachedWindow>();
    if (held.missing.length > 0) {
      this.crossings++;
      const windows = askWorker(settings, held.missing);
      cache.put(windows);
      for (const window of windows) fetched.set(window.id, window);
    }
    const out: Rows = new Map();
    for (const key of keys) {
      const id = windowKeyId(key);
      out.set(
        id,
        held.rows.has(id) ? held.rows.get(id)! : (fetched.get(windowIdOf(key))?.rows.get(String(key.key)) ?? null),
      );
    }
    return out;
  }

  /** Until when this thread uses the window of `key` it holds, if it holds it (tests, diagnostics). */
  heldUntil(settings: LookupSettings, key: WindowKey): number | undefined {
    return this.caches.get(JSON.stringify(settings))?.expiresAt(key);
  }

  /** Forgets every held window (the worker's cache is its own). */
  clear(): void {
    this.caches.clear();
  }

  private cacheOf(settings: LookupSettings): WindowRowsCache {
    const key = JSON.stringify(settings);
    let cache = this.caches.get(key);
    if (!cache) this.caches.set(key, (cache = new WindowRowsCache(this.now)));
    return cache;
  }
}

const shared = new SyncWindowLookup();

/** The window rows of `keys` (null: the key had no event in that window), by `windowKeyId`: the process's lookup. */
export function lookupWindowRowsSync(settings: LookupSettings, keys: readonly WindowKey[]): Rows {
  return shared.rows(settings, keys);
}

/** Ends the worker thread, if one was started, and forgets the held windows (tests; a process may simply exit). */
export async function stopWindowLookupSync(): Promise<void> {
  shared.clear();
  const running = bridge;
  bridge = undefined;
  await running?.stop();
}

/** The whole windows `keys` fall in, from the worker thread (blocking until it answers). */
function askWorker(settings: LookupSettings, keys: readonly WindowKey[]): CachedWindow[] {
  if (!bridge?.usable) bridge = SyncBridge.start(BRIDGE);
  const reply = bridge.call({ settings, keys: [...keys] });
  if (!reply.ok) throw new WindowLookupError(`window lookup failed: ${reply.error.name}: ${reply.error.message}`);
  return reply.value;
}
