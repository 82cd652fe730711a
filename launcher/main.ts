import { didYouMean } from "../schemas/nearest-name";
import { exitCodeOf, UsageError } from "./errors";
import { installJsonLogging, labelsOf, takeLogFormat } from "./logging/json-logging";
import { batchUsage } from "./commands/batch";
import { sampleUsage } from "./commands/sample";
import { emulatorUsage } from "./commands/emulator";
import { publishUsage } from "./commands/publish";
import { streamUsage } from "./commands/stream";
import { replayUsage } from "./commands/replay";
import { trainUsage } from "./commands/train";
import { launchUsage } from "./commands/launch";
import { jobsUsage } from "./commands/jobs";
import { scheduleUsage } from "./commands/schedule";
import { templateUsage } from "./commands/template";
import { modelsUsage } from "./commands/models";
import { scoreUsage } from "./commands/score";
import { pipelineUsage } from "./commands/pipeline";
import { monitorUsage } from "./commands/monitor";
import { reportUsage } from "./commands/report";
import { serveUsage } from "./commands/serve";
import { deployUsage } from "./commands/deploy";

const usage = `usage (every command also takes --log-format json|text and --verbose):
  ${batchUsage}
  ${streamUsage}
  ${replayUsage}
  ${sampleUsage}
  ${emulatorUsage}
  ${publishUsage}
  ${trainUsage}
  ${templateUsage}
  ${launchUsage}
  ${jobsUsage}
  ${scheduleUsage}
  ${modelsUsage}
  ${scoreUsage}
  ${pipelineUsage}
  ${monitorUsage}
  ${reportUsage}
  ${serveUsage}
  ${deployUsage}`;

/** Another command of this table, in this process: how a pipeline step runs its rox command. */
const inProcess = (argv: string[]) => commands[argv[0]](argv.slice(1));

/** Each command parses its flags and lazily imports what it runs, so `rox --help` loads nothing heavy. */
export const commands: Record<string, (argv: string[]) => Promise<unknown>> = {
  batch: async (argv) => (await import("./commands/batch")).batchCommand(argv),
  stream: async (argv) => (await import("./commands/stream")).streamCommand(argv),
  replay: async (argv) => (await import("./commands/replay")).replayCommand(argv),
  sample: async (argv) => (await import("./commands/sample")).sampleCommand(argv),
  emulator: async (argv) => (await import("./commands/emulator")).emulatorCommand(argv),
  publish: async (argv) => (await import("./commands/publish")).publishCommand(argv),
  train: async (argv) => (await import("./commands/train")).trainCommand(argv),
  template: async (argv) => (await import("./commands/template")).templateCommand(argv),
  launch: async (argv) => (await import("./commands/launch")).launchCommand(argv),
  jobs: async (argv) => (await import("./commands/jobs")).jobsCommand(argv),
  schedule: async (argv) => (await import("./commands/schedule")).scheduleCommand(argv),
  models: async (argv) => (await import("./commands/models")).modelsCommand(argv),
  score: async (argv) => (await import("./commands/score")).scoreCommand(argv),
  pipeline: async (argv) => (await import("./commands/pipeline")).pipelineCommand(argv, inProcess),
  monitor: async (argv) => (await import("./commands/monitor")).monitorCommand(argv),
  report: async (argv) => (await import("./commands/report")).reportCommand(argv),
  serve: async (argv) => (await import("./commands/serve")).serveCommand(argv),
  deploy: async (argv) => (await import("./commands/deploy")).deployCommand(argv),
};

export async function run(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage);
    return;
  }
  // Own keys only: `rox constructor` or `rox toString` must not run Object's.
  if (!Object.hasOwn(commands, name)) {
    throw new UsageError(`unknown command "${name}"${didYouMean(name, Object.keys(commands))}\n${usage}`);
  }
  await commands[name](rest);
}

/**
 * The only place that turns errors into exit codes and one readable line (`--verbose` adds the stack). With
 * `--log-format json` (the default on Cloud Run and Vertex AI) every output line is a Cloud Logging entry, the error
 * one entry at ERROR with its stack in `stack_trace`.
 */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes("--verbose");
  let json = false;
  let restore = (): void => undefined;
  try {
    const { format, rest } = takeLogFormat(
      argv.filter((a) => a !== "--verbose"),
      process.env,
    );
    json = format === "json";
    if (json) restore = installJsonLogging(labelsOf(rest));
    await run(rest);
    return 0;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (json) {
      const stack = verbose && e.stack ? { stack_trace: e.stack } : {};
      console.error(JSON.stringify({ severity: "ERROR", message: `rox: ${e.message}`, ...stack }));
    } else {
      console.error(`rox: ${e.message}`);
      if (verbose && e.stack) console.error(e.stack);
    }
    return exitCodeOf(err);
  } finally {
    restore();
  }
}
