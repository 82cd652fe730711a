/**
 * `rox schedule score --local`: `rox score` of the previous day on this machine's clock, one run at a time — the same
 * machinery as `rox schedule batch --local` (a cron after the batch schedule's scores each day once it has landed).
 * On Google Cloud, `--target cloud-run-job`: a Cloud Run job running `rox score` for yesterday, on Cloud Scheduler's
 * clock (cloud-run-plan.ts); the whole ML pipeline has its own schedule (`rox pipeline submit --schedule`).
 */
import * as path from "path";
import { requireFlag } from "../args";
import { UsageError } from "../errors";
import { renderPlans } from "../plan";
import { planLocalSchedule, type LocalSchedule } from "../schedule/local-plan";
import { parseCron } from "../schedule/cron";
import { checkTimeZone } from "../schedule/zoned-clock";
import { parseModelRef } from "./model-ref";
import type { ScheduleScoreValues } from "./schedule-score-values";

export type { ScheduleScoreValues };

export function planScoreSchedule(values: ScheduleScoreValues): LocalSchedule {
  const cron = requireFlag(values.cron, "cron");
  parseCron(cron);
  const model = parseModelRef(requireFlag(values.model, "model"));
  const table = requireFlag(values.on, "on");
  const timeZone = values["time-zone"] ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  checkTimeZone(timeZone);
  const extra = [
    ...(values.warehouse ? ["--warehouse", values.warehouse] : []),
    ...(values.store ? ["--store", values.store] : []),
    ...(values["schemas-dir"] ? ["--schemas-dir", values["schemas-dir"]] : []),
  ];
  const modelText = requireFlag(values.model, "model");
  return {
    cron,
    timeZone,
    inputTemplate: "",
    schema: model.name,
    batchArgs: [],
    lockFile: values["lock-file"] ?? path.join(".rox", `schedule-score-${model.name}.lock`),
    argvTemplate: ["score", "--model", modelText, "--on", table, "--partition", "{date}", ...extra],
  };
}

export async function scheduleScore(values: ScheduleScoreValues): Promise<unknown> {
  if (values.target === "cloud-run-job" && !values.local)
    return (await import("./schedule-score-cloud")).scheduleScoreOnCloudRun(values);
  if (values.runner !== undefined && values.runner !== "direct")
    throw new UsageError(
      `--runner ${values.runner} applies to --target cloud-run-job (its job waits and lands the run)`,
    );
  if (!values.local)
    throw new UsageError(
      "rox schedule score runs on this machine with --local, or on Google Cloud with --target cloud-run-job" +
        (values.target ? ` (got --target ${values.target})` : ""),
    );
  const schedule = planScoreSchedule(values);
  const plan = planLocalSchedule(schedule, new Date());
  console.log(values["dry-run"] ? renderPlans([plan]) : plan.summary);
  if (values["dry-run"]) return plan;
  const { runScheduleHere, tickPrinter } = await import("../schedule/run-here");
  await runScheduleHere(schedule, tickPrinter("rox score", "next scoring run"));
}
