/**
 * How a long-running server uses the warehouse. DuckDB lets one process hold its file, so a server must not keep it
 * open (the jobs and `rox models promote` write it): each use opens the file, runs, and closes it, one use at a time,
 * and a file another job holds is tried again a few times. BigQuery is opened once and kept.
 */
import type { Warehouse } from "../../io/ports";
import { withWarehouse, type WarehouseTarget } from "../warehouse";
import type { UseWarehouse } from "../../io/window-lookup";
import { withBusyRetries } from "../../io/busy-retries";

export interface WarehouseAccess {
  use: UseWarehouse;
  close(): Promise<void>;
}

export function warehouseAccess(target: WarehouseTarget): WarehouseAccess {
  return target.kind === "duckdb" ? duckDbAccess(target) : keptOpen(target);
}

function duckDbAccess(target: WarehouseTarget): WarehouseAccess {
  let queue: Promise<unknown> = Promise.resolve();
  const use: UseWarehouse = (run) => {
    const next = queue.then(() => withBusyRetries(() => withWarehouse(target, run)));
    queue = next.catch(() => undefined);
    return next;
  };
  return { use, close: async () => void (await queue) };
}

function keptOpen(target: WarehouseTarget): WarehouseAccess {
  let opened: Promise<{ warehouse: Warehouse; release: () => void; done: Promise<unknown> }> | undefined;
  const open = () => {
    opened ??= new Promise((ready, fail) => {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const done: Promise<unknown> = withWarehouse(target, (warehouse): Promise<void> => {
        ready({ warehouse, release, done });
        return held;
      });
      done.catch(fail);
    });
    return opened;
  };
  return {
    use: async (run) => run((await open()).warehouse),
    close: async () => {
      if (!opened) return;
      const { release, done } = await opened;
      release();
      await done;
    },
  };
}
