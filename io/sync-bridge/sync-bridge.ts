/**
 * Calls async code synchronously, for Beam DoFns (the TypeScript SDK cannot run async code inside one): the async
 * work runs in a worker thread (a module that calls `serveSyncBridge`, `serve.ts`); the caller posts a request and
 * blocks in `Atomics.wait` until the worker has answered, then takes the answer with `receiveMessageOnPort`. A caller
 * keeps one bridge per process, started on first use (unref'd: it never holds the process open), so what the worker
 * loads or caches (a client library, credentials, a lookup's cache) lives as long as the process. Shared by the
 * Cloud Storage bridge (`io/gcp/gcs/gcs-sync.ts`) and the scoring DoFn's window lookup
 * (`pipelines/dataflow/window-lookup-sync.ts`).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "worker_threads";
import {
  ANSWERED_SLOT,
  HEARTBEAT_SLOT,
  STALL_MS,
  STATE_SLOTS,
  type SyncBridgeWorkerData,
  type SyncReply,
} from "./protocol";

const WAIT_SLICE_MS = 1_000;

export interface SyncBridgeOptions {
  /** The worker's module, resolved through package.json `exports` (dist/: a worker thread runs JavaScript). */
  workerModule: string;
  /** What the errors call this bridge, e.g. "the Cloud Storage bridge". */
  name: string;
  /** The caller's typed error for a bridge that cannot start or stopped answering. */
  error: (message: string, cause?: unknown) => Error;
}

export class SyncBridge<Request extends object, Value> {
  private nextId = 1;
  private broken: Error | undefined;

  private constructor(
    private readonly options: SyncBridgeOptions,
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly state: Int32Array,
  ) {}

  static start<Request extends object, Value>(options: SyncBridgeOptions): SyncBridge<Request, Value> {
    const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
    // Our own channel, not the worker's parentPort: receiveMessageOnPort needs a MessagePort. With no listener on
    // this side, port1 holds nothing open.
    const { port1, port2 } = new MessageChannel();
    const workerData: SyncBridgeWorkerData = { state, port: port2 };
    const worker = new Worker(workerScript(options), { workerData, transferList: [port2] });
    worker.unref();
    return new SyncBridge(options, worker, port1, state);
  }

  /** False once the worker stopped answering or was stopped: callers start a new bridge. */
  get usable(): boolean {
    return this.broken === undefined;
  }

  /** Sends one request and blocks until its reply; throws the caller's error when the worker stops answering. */
  call(request: Request): SyncReply<Value> {
    if (this.broken) throw this.broken;
    const id = this.nextId++;
    this.port.postMessage({ ...request, id });
    this.waitForAnswer(id);
    return this.takeReply(id);
  }

  /** Ends the worker thread (tests; a process may also just exit). */
  async stop(): Promise<void> {
    this.broken ??= this.options.error(`${this.options.name} was stopped`);
    await this.worker.terminate();
  }

  private waitForAnswer(id: number): void {
    let beat = Atomics.load(this.state, HEARTBEAT_SLOT);
    let lastBeatAt = Date.now();
    for (
      let answered = Atomics.load(this.state, ANSWERED_SLOT);
      answered !== id;
      answered = Atomics.load(this.state, ANSWERED_SLOT)
    ) {
      Atomics.wait(this.state, ANSWERED_SLOT, answered, WAIT_SLICE_MS);
      // A slow request is fine while the worker's event loop still beats; a dead or wedged worker is not.
      const current = Atomics.load(this.state, HEARTBEAT_SLOT);
      if (current !== beat) {
        beat = current;
        lastBeatAt = Date.now();
      } else if (Date.now() - lastBeatAt > STALL_MS)
        this.fail(`${this.options.name}'s worker thread stopped answering (no heartbeat for ${STALL_MS} ms)`);
    }
  }

  private takeReply(id: number): SyncReply<Value> {
    for (let received = receiveMessageOnPort(this.port); received; received = receiveMessageOnPort(this.port)) {
      const reply = received.message as SyncReply<Value>;
      if (reply.id === id) return reply;
    }
    return this.fail(`${this.options.name} answered request ${id} but its reply was not on the port`);
  }

  private fail(message: string): never {
    this.broken = this.options.error(message);
    void this.worker.terminate();
    throw this.broken;
  }
}

function workerScript(options: SyncBridgeOptions): string {
  try {
    return require.resolve(options.workerModule);
  } catch (err) {
    throw options.error(
      `cannot start ${options.name}: ${options.workerModule} does not resolve (is the project compiled to dist/?)`,
      err,
    );
  }
}
