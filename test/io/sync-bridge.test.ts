/**
 * The one synchronous bridge (io/sync-bridge/) both DoFn-side callers use — the Cloud Storage calls and the scoring
 * DoFn's window lookup — here with the window lookup's real worker module (from dist/): a worker's failure comes back
 * as data (its name and message), the bridge still answers afterwards; a stopped bridge is not usable and its calls
 * throw the caller's own typed error; a worker module that does not resolve is the caller's typed error too.
 */
import * as path from "path";
import { RoxError } from "../../errors/rox-error";
import { SyncBridge } from "../../io/sync-bridge/sync-bridge";
import type { LookupRequest, LookupValue } from "../../pipelines/dataflow/window-lookup-protocol";
import { tempDir } from "../support/temp";

class BridgeTestError extends RoxError {
  readonly kind = "cloud";
}

const options = {
  workerModule: "rox-gcp/pipelines/dataflow/window-lookup-worker",
  name: "the test bridge",
  error: (message: string, cause?: unknown) => new BridgeTestError(message, cause ? { cause } : undefined),
};
const work = tempDir("sync-bridge");
afterAll(() => work.cleanup());

test("a worker's failure is a reply of data; the bridge answers again; stopped, it throws the caller's error", async () => {
  const bridge = SyncBridge.start<LookupRequest, LookupValue>(options);
  const request = (file: string): LookupRequest => ({
    settings: { target: { kind: "duckdb", file }, ttlMs: 1 },
    keys: [{ table: "flights_origin_hourly", keyColumn: "origin", key: "LAS", windowEndMs: 0 }],
  });
  const failed = bridge.call(request(path.join(work.dir, "missing.duckdb")));
  expect(failed).toMatchObject({ ok: false, error: { name: expect.any(String), message: expect.any(String) } });
  const again = bridge.call(request(path.join(work.dir, "missing-too.duckdb")));
  expect(again.ok).toBe(false);
  expect(again.id).toBe(failed.id + 1);
  expect(bridge.usable).toBe(true);

  await bridge.stop();
  expect(bridge.usable).toBe(false);
  expect(() => bridge.call(request("x"))).toThrow(new BridgeTestError("the test bridge was stopped"));
});

test("a worker module that does not resolve is the caller's typed error, naming it", () => {
  expect(() => SyncBridge.start({ ...options, workerModule: "rox-gcp/io/sync-bridge/no-such-worker" })).toThrow(
    expect.objectContaining({
      constructor: BridgeTestError,
      message:
        "cannot start the test bridge: rox-gcp/io/sync-bridge/no-such-worker does not resolve " +
        "(is the project compiled to dist/?)",
      cause: expect.objectContaining({ code: "MODULE_NOT_FOUND" }),
    }),
  );
});
