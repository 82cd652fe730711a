/**
 * A reader of the embedded warehouse that another process may hold for a moment (a job committing): the read is
 * tried again a few times, with growing pauses, while the error is `WarehouseBusyError`; any other error, or the last
 * busy one, is thrown. By name: the error may come from a module loaded in another realm (a worker thread).
 */
const BUSY_RETRIES = 5;
const BUSY_PAUSE_MS = 100;

export async function withBusyRetries<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if ((err as Error).name !== "WarehouseBusyError" || attempt >= BUSY_RETRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, BUSY_PAUSE_MS * attempt));
    }
  }
}
