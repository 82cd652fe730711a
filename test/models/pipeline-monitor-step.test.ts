import { runStep } from "../../launcher/pipeline/steps";
import { captureConsole } from "../support/console-capture";

// On Google Cloud the warehouse is BigQuery, which `rox monitor` does not read yet: the step says so and runs nothing,
// instead of failing every run after its day was scored.
const { errors } = captureConsole();

test("the monitor step on platform gcp runs no command and says the day was not monitored", async () => {
  const calls: string[][] = [];
  const cli = async (argv: string[]) => void calls.push(argv);
  const options = {
    day: "2001-01-15",
    schema: "flights",
    model: "flights-delay",
    inputTemplate: "",
    platform: "gcp" as const,
    warehouse: "rox-prod.rox_events",
    store: "gs://rox-models/registry",
    upstream: "",
    failOnAlert: true,
  };
  const result = await runStep("monitor", options, cli);
  expect(calls).toEqual([]);
  expect(result).toBe(
    "flights 2001-01-15 not monitored: rox monitor reads the embedded DuckDB warehouse only (not BigQuery yet)",
  );
  expect(errors).toEqual([`rox pipeline step monitor: ${result}`]);
});
