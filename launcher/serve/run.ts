/**
 * `rox serve`: listens first (health says 503 while loading), loads the model, then serves until SIGTERM or SIGINT,
 * when it stops accepting connections, lets the requests in flight finish, and returns. The alias is resolved again
 * every `reloadEverySeconds` (0: never) and on SIGHUP; a new version is swapped in without dropping a request.
 */
import type { Warehouse } from "../../io/ports";
import { DUCKDB_FEATURE_SQL, bigQueryFeatureSql } from "../../io/feature-query";
import type { ModelRef } from "../models/model-ref";
import { openRegistry } from "../models/open-registry";
import type { WarehouseTarget } from "../warehouse";
import { ServeListenError } from "../errors";
import { createServer } from "./server";
import { ModelSlot, registrySource } from "./served-model";
import { warehouseAccess } from "./warehouse-access";
import { WindowLookup } from "../../io/window-lookup";

export interface ServeOptions {
  ref: ModelRef;
  target: WarehouseTarget;
  store?: string;
  storageEndpoint?: string;
  schemasDir?: string;
  host: string;
  port: number;
  predictRoute: string;
  healthRoute: string;
  deployedModelId?: string;
  maxBodyBytes: number;
  maxInstances: number;
  cacheTtlSeconds: number;
  reloadEverySeconds: number;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  slot: ModelSlot;
  windows: WindowLookup;
  /** Resolves the reference again now (what SIGHUP and the timer do). */
  reload(): Promise<void>;
  /** Stops accepting, finishes the requests in flight, closes the warehouse. */
  close(): Promise<void>;
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const log = o.log ?? ((line: string) => console.log(line));
  const access = warehouseAccess(o.target);
  const open = (w: Warehouse) => openRegistry(w, o.target, o.store, o.storageEndpoint);
  const slot = new ModelSlot(registrySource(o.ref, access.use, open, o.schemasDir), log);
  const sql = o.target.kind === "duckdb" ? DUCKDB_FEATURE_SQL : bigQueryFeatureSql();
  const windows = new WindowLookup(access.use, sql, o.cacheTtlSeconds * 1000);
  const app = createServer({ ...o, slot, windows, log });
  const address = await app.listen({ host: o.host, port: o.port }).catch((err: Error) => {
    throw new ServeListenError(`cannot listen on ${o.host}:${o.port}: ${err.message}`, { cause: err });
  });
  const reload = () =>
    slot.refresh().then(
      () => undefined,
      (err: Error) => log(`rox serve: reload failed: ${err.message}`),
    );
  const timer = o.reloadEverySeconds > 0 ? setInterval(reload, o.reloadEverySeconds * 1000).unref() : undefined;
  const close = async () => {
    clearInterval(timer);
    await app.close();
    await access.close();
  };
  return { url: address, slot, windows, reload, close };
}

const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;

/** The command's run: start, load, serve until a signal (one during the load stops it too), drain. */
export async function serve(o: ServeOptions): Promise<void> {
  const log = o.log ?? ((line: string) => console.log(line));
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  for (const signal of STOP_SIGNALS) process.once(signal, stop);
  const server = await startServer({ ...o, log });
  log(`rox serve: listening on ${server.url} (POST ${o.predictRoute}, GET ${o.healthRoute})`);
  const onHup = () => void server.reload();
  try {
    const loaded = server.slot.refresh().then(() => "loaded");
    loaded.catch(() => undefined); // a load that fails after a signal is not an unhandled rejection
    if ((await Promise.race([loaded, stopped])) === "loaded") {
      log("rox serve: ready");
      process.on("SIGHUP", onHup);
    }
    log(`rox serve: ${await stopped}: draining the requests in flight`);
  } finally {
    process.off("SIGHUP", onHup);
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
    await server.close();
  }
  log("rox serve: stopped");
}
