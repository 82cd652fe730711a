import { requireFlag } from "../args";
import { loadConfig } from "../config";
import { dataflowFlagsOf, type LaunchValues } from "../dataflow/command-flags";
import { resolveDataflowSettings, type DataflowSettings } from "../dataflow/settings";
import { loadContract } from "../../schemas/load";
import type { Contract } from "../../schemas/contract";
import { resolveScheduleSettings, type ScheduleSettings } from "./settings";

export interface BatchScheduleValues extends LaunchValues {
  "time-zone"?: string;
}

/** A scheduled batch run's settings, for either target: the schedule's, the Dataflow launch's, the schema's contract. */
export function readBatchScheduleSettings(values: BatchScheduleValues): {
  schedule: ScheduleSettings;
  dataflow: DataflowSettings;
  contract: Contract;
} {
  const config = loadConfig(values.config);
  const schedule = resolveScheduleSettings(config, {
    ...values,
    serviceAccountEmail: values["service-account"],
    timeZone: values["time-zone"],
  });
  const dataflow = resolveDataflowSettings("batch", config, dataflowFlagsOf(values));
  const contract = loadContract(requireFlag(values.schema, "schema"), { dir: values["schemas-dir"] });
  return { schedule, dataflow, contract };
}
