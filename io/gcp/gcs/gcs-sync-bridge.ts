/**
 * Calls Cloud Storage synchronously, for Beam DoFns (the TypeScript SDK cannot run async code inside one). The
 * async Google client runs in a worker thread (`gcs-bridge-worker.ts`); the caller posts a request and blocks in
 * `Atomics.wait` until the worker has answered, then takes the answer with `receiveMessageOnPort`. One worker per
 * process, started on first use and kept (unref'd: it never holds the process open), so the client library is loaded
 * and credentials are fetched once, not per call.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "worker_threads";
import { FileSourceError } from "../../errors";
import {
  ANSWERED_SLOT,
  HEARTBEAT_SLOT,
  STALL_MS,
  STATE_SLOTS,
  type BridgeOperation,
  type BridgeReply,
  type BridgeWorkerData,
} from "./gcs-bridge-protocol";

/** Compiled with the project: a worker thread runs JavaScript, resolved through package.json `exports` (dist/). */
const WORKER_MODULE = "rox-gcp/io/gcp/gcs/gcs-bridge-worker";
const WAIT_SLICE_MS = 1_000;

export class GcsSyncBridge {
  private nextId = 1;
  private broken: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly state: Int32Array,
  ) {}

  static start(): GcsSyncBridge {
    const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
    // Our own channel, not the worker's parentPort: receiveMessageOnPort needs a MessagePort. With no listener on
    // this side, port1 holds nothing open.
    const { port1, port2 } = new MessageChannel();
    const workerData: BridgeWorkerData = { state, port: port2 };
    const worker = new Worker(workerScript(), { workerData, transferList: [port2] });
    worker.unref();
    return new GcsSyncBridge(worker, port1, state);
  }

  /** False once the worker stopped answering or was stopped: callers start a new bridge. */
  get usable(): boolean {
    return this.broken === undefined;
  }

  /** Sends one operation and blocks until its reply; throws FileSourceError when the worker stops answering. */
  call(operation: BridgeOperation): BridgeReply {
    if (this.broken) throw this.broken;
    const id = this.nextId++;
    this.port.postMessage({ ...operation, id });
    this.waitForAnswer(id);
    return this.takeReply(id);
  }

  /** Ends the worker thread (tests; a process may also just exit). */
  async stop(): Promise<void> {
    this.broken ??= new FileSourceError("the Cloud Storage bridge was stopped", "");
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
        this.fail(`the Cloud Storage bridge's worker thread stopped answering (no heartbeat for ${STALL_MS} ms)`);
    }
  }

  private takeReply(id: number): BridgeReply {
    for (let received = receiveMessageOnPort(this.port); received; received = receiveMessageOnPort(this.port)) {
      const reply = received.message as BridgeReply;
      if (reply.id === id) return reply;
    }
    return this.fail(`the Cloud Storage bridge answered request ${id} but its reply was not on the port`);
  }

  private fail(message: string): never {
    this.broken = new FileSourceError(message, "");
    void this.worker.terminate();
    throw this.broken;
  }
}

function workerScript(): string {
  try {
    return require.resolve(WORKER_MODULE);
  } catch (err) {
    throw new FileSourceError(
      `cannot start the Cloud Storage bridge: ${WORKER_MODULE} does not resolve (is the project compiled to dist/?)`,
      "",
      { cause: err },
    );
  }
}
