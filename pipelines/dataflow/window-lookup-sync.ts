/**
 * The online window lookup for code that must stay synchronous — the streaming graph's scoring DoFn (the TypeScript
 * SDK cannot run async code inside one). The lookup runs in a worker thread (`window-lookup-worker.ts`: the prediction
 * server's `WindowLookup` with its short-TTL cache); the caller posts the keys and blocks in `Atomics.wait` until the
 * worker has answered. One worker per process, started on first use and kept (unref'd), so the cache lives as long as
 * the worker process.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "worker_threads";
import { RoxError } from "../../errors/rox-error";
import type { WindowKey } from "../../transforms/score/online-features";
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

/** The window rows of `keys` (null: the key had no event in that window), by `windowKeyId`. */
export function lookupWindowRowsSync(
  settings: LookupSettings,
  keys: readonly WindowKey[],
): Map<string, Record<string, unknown> | null> {
  if (keys.length === 0) return new Map();
  const running = (bridge ??= start());
  const id = running.nextId++;
  running.port.postMessage({ id, settings, keys: [...keys] });
  waitFor(running, id);
  for (let got = receiveMessageOnPort(running.port); got; got = receiveMessageOnPort(running.port)) {
    const reply = got.message as LookupReply;
    if (reply.id !== id) continue;
    if (!reply.ok) throw new WindowLookupError(`window lookup failed: ${reply.error.name}: ${reply.error.message}`);
    return new Map(reply.rows);
  }
  throw broken(`the window lookup answered request ${id} but its reply was not on the port`);
}

/** Ends the worker thread, if one was started (tests; a worker process may simply exit). */
export async function stopWindowLookupSync(): Promise<void> {
  const running = bridge;
  bridge = undefined;
  await running?.worker.terminate();
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
