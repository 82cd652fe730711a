/**
 * The Cloud Storage benchmark (not a test). From the repository root, after `npx tsc -p tsconfig.json`:
 *
 *   node dist/bench/gcs/run.js --mib 256 --rounds 3           # --by month for fewer, larger objects
 *
 * fake-gcs-server (installed by `bash scripts/setup-gcp-emulators.sh`) holds N MiB of real flights as JSONL objects.
 * Each round copies all of them to a fresh local folder: `stageInput` (what `rox batch` does with a `gs://` input)
 * against the baseline, plain `@google-cloud/storage` downloads 4 at a time (its concurrency); and the synchronous
 * bridge (`copyObjectSync`, what a Dataflow worker does) against plain downloads one at a time. Each baseline runs with
 * and without the client's CRC32C check. Prints MiB/s and the ratios of the best round, then the fixed cost of one
 * object (metadata GET, plain download, bridge copy of a tiny object). The emulator is stopped by its process group at the end, also on error.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { killOnExit } from "../emulator-backstop";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { startGcsEmulator } from "../../io/gcp/gcs/gcs-emulator";
import { stopGcsSync } from "../../io/gcp/gcs/gcs-sync";
import { writeFlightSample } from "../../tools/sample/flights";
import { plainDownloads, viaStageInput, viaSyncBridge, type Bucketed, type Copied } from "./contenders";
import { perObjectCosts, type PerObject } from "./per-object";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const WORK = path.join(ROOT, ".rox", "bench", "gcs");
/** Bytes per flight as JSONL (24.7 MB for 200,000), to turn MiB into a row limit. */
const BYTES_PER_FLIGHT = 124;
const PER_OBJECT_CALLS = 200;

/** Each adapter right after its baselines; "+crc" is the client's default download, which checks CRC32C. */
const CONTENDERS: { name: string; run: (at: Bucketed, dir: string) => Promise<Copied> | Copied }[] = [
  { name: "plain ×4", run: (at, dir) => plainDownloads(at, dir, 4, false) },
  { name: "plain ×4 +crc", run: (at, dir) => plainDownloads(at, dir, 4, true) },
  { name: "stageInput", run: viaStageInput },
  { name: "plain ×1", run: (at, dir) => plainDownloads(at, dir, 1, false) },
  { name: "plain ×1 +crc", run: (at, dir) => plainDownloads(at, dir, 1, true) },
  { name: "copyObjectSync", run: viaSyncBridge },
];

async function main(mib: number, rounds: number, by: "day" | "month"): Promise<void> {
  const local = path.join(WORK, `flights-${mib}mib-by-${by}`);
  if (!fs.existsSync(local))
    await writeFlightSample({
      outDir: local,
      format: "jsonl",
      by,
      from: "2001-01-01",
      limit: Math.round((mib * 2 ** 20) / BYTES_PER_FLIGHT),
    });
  fs.rmSync(path.join(WORK, "data"), { recursive: true, force: true });
  process.env.ROX_EMULATORS_DIR ??= path.join(ROOT, ".rox", "emulators"); // where the setup script put them, from any folder
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(`load average at start ${loadAverage()}`);
  const emulator = await startGcsEmulator({ dataDir: path.join(WORK, "data") });
  const backstop = killOnExit(emulator);
  const seconds = new Map<string, number[]>();
  let bytes: number;
  let perObject: PerObject;
  try {
    const at: Bucketed = {
      client: { projectId: "rox-bench", apiEndpoint: emulator.endpoint },
      bucket: "rox-bench",
      prefix: "flights/",
    };
    const uploaded = await upload(local, at);
    bytes = uploaded.bytes;
    console.log(
      `objects: ${uploaded.objects} real flight files, ${(uploaded.bytes / 2 ** 20).toFixed(1)} MiB, JSONL by ${by}`,
    );
    for (let round = 1; round <= rounds; round++) {
      for (const contender of CONTENDERS)
        seconds.set(contender.name, [
          ...(seconds.get(contender.name) ?? []),
          await timed(contender.name, contender.run, at, uploaded),
        ]);
    }
    perObject = await perObjectCosts(at, path.join(WORK, "out"), PER_OBJECT_CALLS);
  } finally {
    await stopGcsSync();
    await emulator.stop();
    backstop();
    for (const dir of ["data", "out"]) fs.rmSync(path.join(WORK, dir), { recursive: true, force: true }); // the samples stay, for the next run
  }
  report(seconds, bytes);
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  console.log(
    `per object (a 6-byte object, ${PER_OBJECT_CALLS} calls each): stat ${ms(perObject.statMs)}, plain download ${ms(perObject.plainDownloadMs)}, copyObjectSync ${ms(perObject.copyObjectSyncMs)}`,
  );
  console.log(`load average at end ${loadAverage()}`);
}

async function upload(local: string, at: Bucketed): Promise<Copied> {
  const storage = await createStorageClient(at.client);
  await storage.createBucket(at.bucket);
  const names = fs.readdirSync(local).sort();
  for (const name of names)
    await storage.bucket(at.bucket).upload(path.join(local, name), { destination: `${at.prefix}${name}` });
  return {
    objects: names.length,
    bytes: names.reduce((sum, name) => sum + fs.statSync(path.join(local, name)).size, 0),
  };
}

/** One contender into a fresh folder; its copy must match what was uploaded, object for object and byte for byte. */
async function timed(
  name: string,
  run: (at: Bucketed, dir: string) => Promise<Copied> | Copied,
  at: Bucketed,
  expected: Copied,
): Promise<number> {
  const dir = path.join(WORK, "out");
  fs.rmSync(dir, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const copied = await run(at, dir);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const onDisk = fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  if (copied.objects !== expected.objects || copied.bytes !== expected.bytes || onDisk !== expected.bytes) {
    throw new Error(
      `${name} copied ${copied.objects} objects, ${copied.bytes} bytes (${onDisk} on disk); expected ${expected.objects}, ${expected.bytes}`,
    );
  }
  console.log(`  ${name.padEnd(15)} ${seconds.toFixed(2)} s`);
  return seconds;
}

function report(seconds: Map<string, number[]>, bytes: number): void {
  const mib = bytes / 2 ** 20;
  const best = (name: string) => Math.min(...(seconds.get(name) ?? [NaN]));
  console.table(
    [...seconds.keys()].map((name) => ({
      contender: name,
      "best s": best(name).toFixed(2),
      "MiB/s": (mib / best(name)).toFixed(1),
    })),
  );
  const ratio = (contender: string, baseline: string) =>
    console.log(`${`${contender} / ${baseline}:`.padEnd(34)} ${(best(baseline) / best(contender)).toFixed(2)}`);
  ratio("stageInput", "plain ×4");
  ratio("stageInput", "plain ×4 +crc");
  ratio("copyObjectSync", "plain ×1");
  ratio("copyObjectSync", "plain ×1 +crc");
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
main(
  Number(option("--mib", "64")),
  Number(option("--rounds", "3")),
  option("--by", "day") === "month" ? "month" : "day",
).catch((err) => {
  console.error(err);
  process.exit(1);
});
