/**
 * The Flex Template entry point. Google's launcher runs it (through the Python shim in docker/) with every template
 * parameter and Dataflow option as `--name=value`; it validates them, submits the job, waits until Dataflow has
 * created it (or refused it: a non-zero exit code, `launcher/errors.ts`) and exits. Shipped as one
 * esbuild bundle (launcher/template/bundle.ts) with apache-beam, DuckDB and the Google clients left external.
 *
 *   node template-main.js --validate-only --input=gs://b/x.jsonl --schema=flights --dataset=rox   # prints the JSON
 *
 * `--validate-only` loads neither Beam's runner nor a Google client: `runOnDataflow` is imported only to launch.
 */
import { exitCodeOf } from "../errors";
import { parseLaunchArgs } from "./launch-args";

export async function templateMain(argv: string[]): Promise<number> {
  try {
    const args = parseLaunchArgs(argv);
    if (args.validateOnly) {
      process.stdout.write(`${JSON.stringify(args)}\n`);
      return 0;
    }
    const { runOnDataflow } = await import("../../pipelines/dataflow/submit");
    // Template parameters and Dataflow options share one record: their names never overlap (a test checks).
    const submitted = await runOnDataflow(args.job, { ...args.parameters, ...args.pipelineOptions });
    console.log(
      `rox template: Dataflow job ${submitted.jobId} created (${args.job})${submitted.consoleUrl ? ` ${submitted.consoleUrl}` : ""}`,
    );
    return 0;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    console.error(`rox template: ${e.message}`);
    if (e.stack && process.env.ROX_VERBOSE === "1") console.error(e.stack);
    return exitCodeOf(err);
  }
}

// Exit explicitly: once the job is submitted the SDK still holds gRPC channels and timers open, and a launcher that
// waits for the process to end would otherwise wait until the launch times out (apache/beam#29884).
if (require.main === module) {
  templateMain(process.argv.slice(2)).then((code) => process.exit(code));
}
