/**
 * `rox deploy`: settings from the flags and rox.config.json → plans (vertex-endpoint-plan.ts and
 * cloud-run-service-plan.ts) → printed (`--dry-run`) or sent → one line per call. On Vertex AI the plans depend on
 * what is on the endpoint, so `--dry-run` makes the one read-only call (ListEndpoints) and prints it with everything
 * it would then send.
 */
import { loadConfig } from "../config";
import { UsageError } from "../errors";
import { renderPlans, type Plan } from "../plan";
import { storeOf } from "../commands/models";
import { CLOUD_RUN_ENDPOINT } from "../schedule/run-job-plan";
import { parseModelRef } from "../models/model-ref";
import { readVertexModelSettings } from "../models/vertex-settings";
import { toJobName } from "../dataflow/names";
import { warehouseTarget } from "../warehouse";
import { serveWarehouseArgs } from "./serve-container";
import { planReplaceRunService, planRunService } from "./cloud-run-service-plan";
import { planListEndpoints, plansInOrder, planVertexDeploy, type EndpointDeploySettings } from "./vertex-endpoint-plan";

export interface DeployValues {
  model: string;
  traffic: number;
  minReplicas: number;
  maxReplicas: number;
  "dry-run"?: boolean;
  name?: string;
  "service-account"?: string;
  project?: string;
  region?: string;
  config?: string;
  "machine-type"?: string;
  endpoint?: string;
  image?: string;
  store?: string;
  warehouse?: string;
  dataset?: string;
  location?: string;
  "run-endpoint"?: string;
}

function common(values: DeployValues) {
  const vertex = readVertexModelSettings(loadConfig(values.config), values);
  const ref = parseModelRef(values.model);
  return {
    ref,
    project: vertex.project,
    region: vertex.region,
    name: values.name ?? toJobName(["rox", ref.name]),
    serviceAccount: values["service-account"] ?? vertex.serviceAccount,
  };
}

export async function deployToVertex(values: DeployValues): Promise<Plan[]> {
  const { ref, project, region, name, serviceAccount } = common(values);
  const settings: EndpointDeploySettings = {
    project,
    region,
    endpoint: name,
    machineType: values["machine-type"] ?? "n1-standard-2",
    minReplicas: values.minReplicas,
    maxReplicas: values.maxReplicas,
    traffic: values.traffic,
    ...(serviceAccount ? { serviceAccount } : {}),
  };
  const { openEndpointApi } = await import("./vertex-endpoint-apply");
  const api = await openEndpointApi(region, values.endpoint);
  try {
    const list = planListEndpoints(settings);
    const found = await api.find(list);
    const plans = planVertexDeploy(settings, ref, found);
    const all = [list, ...plansInOrder(plans)];
    if (values["dry-run"]) {
      console.log(renderPlans(all));
      return all;
    }
    console.log(found ? `found Vertex AI endpoint ${found.name}` : `no Vertex AI endpoint ${name} yet`);
    if (plans.create) console.log(`created Vertex AI endpoint ${await api.create(plans.create)}`);
    console.log(`${plans.deploy.summary}: deployed model ${await api.deploy(plans.deploy)}`);
    for (const undeploy of plans.undeploy) {
      await api.undeploy(undeploy);
      console.log(undeploy.summary);
    }
    return all;
  } finally {
    await api.close();
  }
}

export async function deployToCloudRun(values: DeployValues): Promise<Plan[]> {
  const { ref, project, region, name, serviceAccount } = common(values);
  const serveArgs = serveWarehouseArgs(warehouseTarget({ ...values, project }));
  const store = values.store ?? storeOf(values.config);
  if (!values.image) throw new UsageError("missing --image (the serving image, docker/serve.Dockerfile)");
  if (!store) throw new UsageError(`missing --store gs://… (or "models": {"store"} in rox.config.json)`);
  const plan = planRunService(
    {
      project,
      region,
      service: name,
      image: values.image,
      store,
      serveArgs,
      minInstances: values.minReplicas,
      maxInstances: values.maxReplicas,
      ...(serviceAccount ? { serviceAccount } : {}),
    },
    ref,
  );
  if (values["dry-run"]) {
    const plans = [plan, planReplaceRunService(plan)];
    console.log(renderPlans(plans));
    return plans;
  }
  const { applyRunService } = await import("./cloud-run-service-apply");
  const runEndpoint = values["run-endpoint"];
  const token = runEndpoint ? undefined : (await import("../train/clients")).adcAccessToken;
  const result = await applyRunService(plan, {
    endpoint: runEndpoint ?? CLOUD_RUN_ENDPOINT,
    token: token && (() => token("the Cloud Run Admin API")),
  });
  console.log(`${result.action} Cloud Run service ${name} (operation ${result.operation})`);
  return result.sent;
}
