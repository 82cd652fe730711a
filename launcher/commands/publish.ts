import { optionalNumber, parseFlags, requireFlag } from "../args";
import { resolveEmulatorHost } from "../emulator-host";
import type { SkippedInput } from "../../io/ports";
import type { PublishProgress, PublishResult } from "../../tools/publish/replay";

export const publishUsage = `rox publish --topic <name> --from <file|folder|glob> [--rate N] [--duplicates P] [--shuffle-within S]
          [--seed N] [--project <id>] [--host <host:port>] [--state-file <file>]`;

export const DEFAULT_PROJECT = "rox-local";

/** `rox publish`: replays JSONL event files onto an emulator topic, at a rate, with duplicates and bounded disorder. */
export async function publishCommand(argv: string[]): Promise<PublishResult> {
  const { values } = parseFlags(argv, {
    topic: { type: "string" },
    from: { type: "string" },
    rate: { type: "string" },
    duplicates: { type: "string" },
    "shuffle-within": { type: "string" },
    seed: { type: "string" },
    project: { type: "string" },
    host: { type: "string" },
    "state-file": { type: "string" },
  });
  const rate = optionalNumber(values.rate, "rate");
  const duplicates = optionalNumber(values.duplicates, "duplicates");
  const shuffleWithin = optionalNumber(values["shuffle-within"], "shuffle-within");
  const seed = optionalNumber(values.seed, "seed");
  const host = await resolveEmulatorHost(values.host, values["state-file"]);
  const topic = requireFlag(values.topic, "topic");
  const project = values.project ?? DEFAULT_PROJECT;
  const { publishEvents } = await import("../../tools/publish/replay");
  const result = await publishEvents({
    host,
    project,
    topic,
    from: requireFlag(values.from, "from"),
    ...{ rate, duplicates, shuffleWithin, seed },
    onStart: ({ files, skipped, subscriptions }) =>
      printStart(files.length, `projects/${project}/topics/${topic}`, host, subscriptions, skipped),
    onProgress: progressPrinter(),
  });
  process.stderr.write("\n");
  console.log(
    `published ${result.published.toLocaleString("en-US")} messages (${result.duplicatesPublished.toLocaleString("en-US")} duplicates) in ${result.seconds.toFixed(1)} s`,
  );
  return result;
}

function printStart(files: number, topic: string, host: string, subscriptions: string[], skipped: SkippedInput[]) {
  console.error(`publishing ${files} file${files === 1 ? "" : "s"} to ${topic} on ${host}`);
  for (const entry of skipped) console.error(`skipped ${entry.uri}: ${entry.reason}`);
  if (subscriptions.length === 0)
    console.error(
      "warning: the topic has no subscription yet, so Pub/Sub drops these messages; start the consumer first",
    );
}

/** At most four lines a second: a publish request takes ~25 ms. */
function progressPrinter(): (p: PublishProgress) => void {
  let printedAt = -Infinity;
  return (p) => {
    if (p.elapsedMs - printedAt < 250) return;
    printedAt = p.elapsedMs;
    const rate = p.elapsedMs > 0 ? Math.round((p.published * 1000) / p.elapsedMs) : 0;
    process.stderr.write(
      `\r${p.published.toLocaleString("en-US")} published  ${rate.toLocaleString("en-US")} msg/s  ${(p.elapsedMs / 1000).toFixed(1)} s elapsed`,
    );
  };
}
