import { signalGroup } from "../../io/emulator-process";
import { runBatchJob } from "../../pipelines/batch-job";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { startBigQueryEmulator, type BigQueryEmulatorHandle } from "../../io/gcp/bigquery/bigquery-emulator";
import { unmet } from "./prerequisites";
import { tempDir } from "./temp";

export interface TestBigQueryEmulator extends BigQueryEmulatorHandle {
  /** Stops the emulator by its process group and removes its temp folder. */
  stop(): Promise<void>;
}

/** A fresh bqemulator for one test file; undefined when it is not installed (see ./prerequisites); rejects when it does not start. */
export async function startTestBigQueryEmulator(
  options: { projectId?: string } = {},
): Promise<TestBigQueryEmulator | undefined> {
  if (unmet("bigquery-emulator")) return undefined;
  process.env.METADATA_SERVER_DETECTION ??= "none"; // the Google clients would probe the GCE metadata server and warn
  const work = tempDir("bqemulator");
  let handle: BigQueryEmulatorHandle;
  try {
    handle = await startBigQueryEmulator({ workDir: work.dir, projectId: options.projectId });
  } catch (err) {
    work.cleanup();
    throw err;
  }
  // A backstop for runs cut short: the exit handler kills only this emulator's process group.
  const killOnExit = () => signalGroup(handle.pid, "SIGKILL");
  process.once("exit", killOnExit);
  return {
    ...handle,
    stop: async () => {
      process.removeListener("exit", killOnExit);
      await handle.stop();
      work.cleanup();
    },
  };
}

/**
 * Starts an emulator before a test file's tests and stops it after; read `emulator` inside a test that
 * `itNeeds("bigquery-emulator")` (it is undefined only when the emulator is not installed).
 */
export function useBigQueryEmulator(): { readonly emulator: TestBigQueryEmulator | undefined } {
  let emulator: TestBigQueryEmulator | undefined;
  beforeAll(async () => {
    emulator = await startTestBigQueryEmulator();
  }, 90_000);
  afterAll(async () => {
    await emulator?.stop();
  });
  return {
    get emulator() {
      return emulator;
    },
  };
}

/** Opens a `BigQueryWarehouse` on a dataset of the emulator, hands it to `read`, and always closes it. */
export async function inEmulatorDataset<T>(
  emulator: TestBigQueryEmulator,
  dataset: string,
  read: (warehouse: BigQueryWarehouse) => Promise<T>,
): Promise<T> {
  const warehouse = await BigQueryWarehouse.open({
    projectId: emulator.projectId,
    dataset,
    apiEndpoint: emulator.apiEndpoint,
  });
  try {
    return await read(warehouse);
  } finally {
    await warehouse.close();
  }
}

/** The command-line flags that point a `rox` command at a dataset of this emulator. */
export function bigQueryWarehouseFlags(emulator: TestBigQueryEmulator, dataset: string): string[] {
  return [
    "--warehouse",
    "bigquery",
    "--project",
    emulator.projectId,
    "--dataset",
    dataset,
    "--bigquery-endpoint",
    emulator.apiEndpoint,
  ];
}

/** Lands the events in `input` in a dataset of the emulator with the batch job; resolves with the rows written. */
export async function landInEmulator(
  emulator: TestBigQueryEmulator,
  dataset: string,
  input: string,
  workDir: string,
): Promise<number> {
  const summary = await inEmulatorDataset(emulator, dataset, (warehouse) =>
    runBatchJob({ input, schema: "flights", workDir }, warehouse),
  );
  return summary.written;
}
