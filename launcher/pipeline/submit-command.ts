import { loadConfig } from "../config";
import { renderPlans } from "../plan";
import type { PipelineValues } from "./values";
import { callWithRetry } from "../train/call";
import { readTrainSettings, type TrainSettings } from "../train/settings";
import { KUBEFLOW_SERVICE } from "../train/kubeflow-plan";
import { pipelineParameters } from "./run-command";
import {
  planKubeflowPipelineRun,
  planKubeflowRecurringRun,
  planVertexPipelineRun,
  planVertexPipelineSchedule,
  RECURRING_RUNS_PATH,
  SCHEDULE_SERVICE,
  type KubeflowRecurringRunRequest,
  type CreateScheduleRequest,
} from "./submit-plans";
import type { Plan } from "../plan";

/** `rox pipeline submit`: the plan (printed with --dry-run) → the real client (Vertex AI) or KFP's REST API. */
export async function submitPipeline(target: "vertex" | "kubeflow", values: PipelineValues): Promise<unknown> {
  const settings = readTrainSettings(loadConfig(values.config));
  const parameters = {
    platform: "gcp",
    ...(values.schedule
      ? { ...pipelineParameters({ ...values, day: "2001-01-01" }), day: "yesterday" }
      : pipelineParameters(values)),
  };
  const plan = planFor(target, settings, parameters, values.schedule);
  if (values["dry-run"]) return console.log(renderPlans([plan]));
  const answer = await applyPlan(target, plan, settings, values);
  console.log(`${plan.summary}: ${JSON.stringify(answer)}`);
  return answer;
}

function planFor(
  target: "vertex" | "kubeflow",
  settings: TrainSettings,
  parameters: Record<string, string>,
  schedule?: string,
): Plan {
  if (target === "vertex")
    return schedule
      ? planVertexPipelineSchedule(settings, parameters, schedule)
      : planVertexPipelineRun(settings, parameters);
  return schedule
    ? planKubeflowRecurringRun(settings, parameters, schedule)
    : planKubeflowPipelineRun(settings, parameters);
}

async function applyPlan(
  target: "vertex" | "kubeflow",
  plan: Plan,
  settings: TrainSettings,
  values: PipelineValues,
): Promise<unknown> {
  const region = settings.region ?? "";
  if (target === "vertex" && plan.method === "CreatePipelineJob") {
    const { openVertexPipelineClient } = await import("../train/clients");
    const { applyVertexPipelineJob } = await import("../train/vertex-apply");
    const client = await openVertexPipelineClient(region, values.endpoint);
    return applyVertexPipelineJob(plan as Parameters<typeof applyVertexPipelineJob>[0], client).finally(() =>
      client.close(),
    );
  }
  if (target === "vertex") {
    const { openVertexScheduleClient } = await import("./clients");
    const client = await openVertexScheduleClient(region, values.endpoint);
    return callWithRetry(SCHEDULE_SERVICE, "CreateSchedule", () =>
      client.createSchedule((plan as Plan<CreateScheduleRequest>).request),
    ).finally(() => client.close());
  }
  const token = settings.kubeflow.auth === "adc" ? (await import("../train/clients")).adcAccessToken : undefined;
  if (plan.method === "POST /apis/v2beta1/runs") {
    const { applyKubeflowRun } = await import("../train/kubeflow-apply");
    return applyKubeflowRun(plan as Parameters<typeof applyKubeflowRun>[0], { token });
  }
  const { sendJson } = await import("../train/kubeflow-apply");
  const { endpoint, body } = (plan as Plan<KubeflowRecurringRunRequest>).request;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    ...(token ? { authorization: `Bearer ${await token()}` } : {}),
  };
  return callWithRetry(KUBEFLOW_SERVICE, plan.method, () =>
    sendJson("POST", `${endpoint}${RECURRING_RUNS_PATH}`, headers, body),
  );
}
