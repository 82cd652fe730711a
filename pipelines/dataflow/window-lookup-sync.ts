/**
 * The online window lookup for code that must stay synchronous — the streaming graph's scoring DoFn (the TypeScript
 * SDK cannot run async code inside one). The lookup runs in a worker thread (`window-lookup-worker.ts`: the prediction
 * server's `WindowLookup` with its short-TTL cache); the caller posts the keys and blocks in `Atomics.wait` until the
 * worker has answered. One worker per process, started on first use and kept (unref'd), so the cache lives as long as
 * the worker process. In front of it, a cache on the caller's thread (`WindowRowsCache`) keeps the whole windows the
 * worker sent until the worker's cache stops using them: a key whose window it holds costs no round trip, and a row is
 * still used at most the TTL after the warehouse read it.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "worker_threads";
import { RoxError } from "../../errors/rox-error";
import { windowIdOf, type CachedWindow } from "../../io/window-lookup";
import { windowKeyId, type WindowKey } from "../../transforms/score/online-features";
import { WindowRowsCache } from "./window-rows-cache";
import {
  ANSWERED_SLOT,
  HEARTBEAT_SLOT,
  STALL_MS,
  STATE_SLOTS,
  type LookupReply,
  type LookupSettings,
  type LookupWorkerData,
} from "./window-lookup-protocol";

const WORKER_MODULE = "rox-gcp/pipelines/dataflow/window-lookup-worker";
const WAIT_SLICE_MS = 1_000;

/** The warehouse could not answer a window lookup (the event becomes a score dead letter). */
export class WindowLookupError extends RoxError {
  readonly kind = "cloud";
  constructor(message: string) {
    super(message);
    this.name = "WindowLookupError";
  }
}

let bridge: { worker: Worker; port: MessagePort; state: Int32Array; nextId: number } | undefined;

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
  await running?.worker.terminate();
}

/** The whole windows `keys` fall in, from the worker thread (blocking until it answers). */
function askWorker(settings: LookupSettings, keys: readonly WindowKey[]): CachedWindow[] {
  const running = (bridge ??= start());
  const id = running.nextId++;
  running.port.postMessage({ id, settings, keys: [...keys] });
  waitFor(running, id);
  for (let got = receiveMessageOnPort(running.port); got; got = receiveMessageOnPort(running.port)) {
    const reply = got.message as LookupReply;
    if (reply.id !== id) continue;
    if (!reply.ok) throw new WindowLookupError(`window lookup failed: ${reply.error.name}: ${reply.error.message}`);
    return reply.windows;
  }
  throw broken(`the window lookup answered request ${id} but its reply was not on the port`);
}

function start() {
  const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const workerData: LookupWorkerData = { state, port: port2 };
  const worker = new Worker(require.resolve(WORKER_MODULE), { workerData, transferList: [port2] });
  worker.unref();
  return { worker, port: port1, state, nextId: 1 };
}

function waitFor(running: NonNullable<typeof bridge>, id: number): void {
  let beat = Atomics.load(running.state, HEARTBEAT_SLOT);
  let lastBeatAt = Date.now();
  for (
    let answered = Atomics.load(running.state, ANSWERED_SLOT);
    answered !== id;
    answered = Atomics.load(running.state, ANSWERED_SLOT)
  ) {
    Atomics.wait(running.state, ANSWERED_SLOT, answered, WAIT_SLICE_MS);
    const current = Atomics.load(running.state, HEARTBEAT_SLOT);
    if (current !== beat) {
      beat = current;
      lastBeatAt = Date.now();
    } else if (Date.now() - lastBeatAt > STALL_MS)
      throw broken(`the window lookup's worker thread stopped answering (no heartbeat for ${STALL_MS} ms)`);
  }
}

function broken(message: string): WindowLookupError {
  const running = bridge;
  bridge = undefined;
  void running?.worker.terminate();
  return new WindowLookupError(message);
}
