import type { Plan } from "../plan";
import { checkKubeflowEndpoint } from "./kubeflow-endpoint";
import { describeSlice, lineageParameters, trainingJobId, type PlannedLineage } from "./lineage";
import { required } from "./required";
import type { TrainSettings } from "./settings";

export const KUBEFLOW_SERVICE = "kubeflow.pipelines.v2beta1";
export const RUNS_PATH = "/apis/v2beta1/runs";

/** A KFP v2beta1 `Run` as the REST API takes it (snake_case, as in the API's swagger). */
export interface KubeflowRunBody {
  display_name: string;
  description: string;
  pipeline_version_reference: { pipeline_id: string; pipeline_version_id: string };
  runtime_config: { parameters: Record<string, string | number>; pipeline_root?: string };
  experiment_id?: string;
  service_account?: string;
}

export interface KubeflowRunRequest {
  /** The API server's base URL; the run is posted to `<endpoint>/apis/v2beta1/runs`. */
  endpoint: string;
  body: KubeflowRunBody;
}

/**
 * A Kubeflow Pipelines run of an uploaded pipeline version, the lineage as its parameters. KFP runs have no labels,
 * so the data's trigger key is in the run's name, which is how a repeated trigger finds the run it already started.
 */
export function planKubeflowRun(lineage: PlannedLineage, settings: TrainSettings): Plan<KubeflowRunRequest> {
  const kf = settings.kubeflow;
  const hint = `set "train": {"kubeflow": {"endpoint": "https://<kfp host>"}} in rox.config.json`;
  const given = required(kf.endpoint, "train.kubeflow.endpoint", hint);
  const endpoint = checkKubeflowEndpoint(given, kf.auth).replace(/\/+$/, "");
  const pipelineId = required(
    kf.pipelineId,
    "train.kubeflow.pipelineId",
    `upload the training pipeline and set "train.kubeflow.pipelineId"`,
  );
  const pipelineVersionId = required(
    kf.pipelineVersionId,
    "train.kubeflow.pipelineVersionId",
    `set "train.kubeflow.pipelineVersionId" to the uploaded version`,
  );
  const runtime: KubeflowRunBody["runtime_config"] = { parameters: lineageParameters(lineage) };
  if (settings.outputUri) runtime.pipeline_root = `${settings.outputUri.replace(/\/+$/, "")}/pipelines`;
  const body: KubeflowRunBody = {
    display_name: trainingJobId(lineage),
    description: `rox train on ${describeSlice(lineage)}: ${lineage.rowCount} rows, latest run ${lineage.runId}, schema ${lineage.schema} v${lineage.schemaVersion}`,
    pipeline_version_reference: { pipeline_id: pipelineId, pipeline_version_id: pipelineVersionId },
    runtime_config: runtime,
  };
  if (kf.experimentId) body.experiment_id = kf.experimentId;
  if (kf.serviceAccount) body.service_account = kf.serviceAccount;
  return {
    summary: `train on ${describeSlice(lineage)} (${lineage.rowCount} rows, run ${lineage.runId}) as Kubeflow run ${body.display_name}`,
    service: KUBEFLOW_SERVICE,
    method: `POST ${RUNS_PATH}`,
    request: { endpoint, body },
  };
}
