/**
 * The scoring DoFn's own cache of whole windows, in front of the worker thread's (`window-lookup-sync.ts`): a key
 * whose window it holds is answered on the DoFn's thread, without a round trip to the worker. A window is kept until
 * the worker's cache stops using it (`CachedWindow.expiresAt`: the warehouse read's start + the TTL), never for a TTL
 * of its own from when it crossed over: two caches in a row still use a row at most the TTL after it was read.
 */
import type { CachedWindow } from "../../io/window-lookup";
import { windowIdOf } from "../../io/window-lookup";
import type { WindowRows } from "../../io/window-rows-query";
import { windowKeyId, type WindowKey } from "../../transforms/score/online-features";

/** Past this many windows, a put first drops the expired ones. */
const EVICT_ABOVE = 10_000;

export class WindowRowsCache {
  private readonly windows = new Map<string, { rows: WindowRows; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The rows of the keys whose window is held and not expired (null: no row), by `windowKeyId`; the other keys. */
  lookup(keys: readonly WindowKey[]): { rows: Map<string, Record<string, unknown> | null>; missing: WindowKey[] } {
    const at = this.now();
    const rows = new Map<string, Record<string, unknown> | null>();
    const missing: WindowKey[] = [];
    for (const key of keys) {
      const window = this.windows.get(windowIdOf(key));
      if (window && window.expiresAt > at) rows.set(windowKeyId(key), window.rows.get(String(key.key)) ?? null);
      else missing.push(key);
    }
    return { rows, missing };
  }

  /** Keeps the windows that have not expired yet, each until its own `expiresAt`. */
  put(windows: readonly CachedWindow[]): void {
    const at = this.now();
    if (this.windows.size > EVICT_ABOVE)
      for (const [id, window] of this.windows) if (window.expiresAt <= at) this.windows.delete(id);
    for (const { id, rows, expiresAt } of windows) if (expiresAt > at) this.windows.set(id, { rows, expiresAt });
  }

  /** When the window of `key` stops being used, if it is held (tests, diagnostics). */
  expiresAt(key: WindowKey): number | undefined {
    return this.windows.get(windowIdOf(key))?.expiresAt;
  }
}
