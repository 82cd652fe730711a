/**
 * `rox deploy --target vertex-endpoint`, planned (pure): Vertex AI's EndpointService requests with the field names of
 * google.cloud.aiplatform.v1. The endpoint is found by display name (ListEndpoints) and created when missing; the
 * registered Vertex model version (vertex-plans.ts: named by its rox alias, or by the rox alias it mirrors) is
 * deployed on it with a traffic split; at 100% the deployments it replaces are undeployed.
 */
import { UsageError } from "../errors";
import type { Plan } from "../plan";
import { formatModelRef, type ModelRef } from "../models/model-ref";
import { roxAlias } from "../models/vertex-plans";
import { labelValue } from "../train/label-rules";

export const ENDPOINT_SERVICE = "google.cloud.aiplatform.v1.EndpointService";

export interface EndpointDeploySettings {
  project: string;
  region: string;
  /** The endpoint's display name, also its id when it is created: `rox-<model>` by default. */
  endpoint: string;
  machineType: string;
  minReplicas: number;
  maxReplicas: number;
  /** Percent of the endpoint's traffic the new deployment gets; the previous one keeps the rest. */
  traffic: number;
  /** The identity the serving container runs as; Vertex AI's default service agent when absent. */
  serviceAccount?: string;
}

export interface ListEndpointsRequest {
  parent: string;
  filter: string;
}

export interface CreateEndpointRequest {
  parent: string;
  endpointId: string;
  endpoint: { displayName: string; description: string; labels: Record<string, string> };
}

export interface DeployModelRequest {
  endpoint: string;
  deployedModel: {
    model: string;
    displayName: string;
    dedicatedResources: { machineSpec: { machineType: string }; minReplicaCount: number; maxReplicaCount: number };
    serviceAccount?: string;
  };
  /** By deployed model id; "0" is the one this request deploys. */
  trafficSplit: Record<string, number>;
}

export interface UndeployModelRequest {
  endpoint: string;
  deployedModelId: string;
}

/** What ListEndpoints says of the endpoint: its name, what is deployed on it and who gets which share. */
export interface EndpointState {
  name: string;
  deployedModels: { id: string; model: string }[];
  trafficSplit: Record<string, number>;
}

/** An endpoint id Vertex AI takes: a letter first, then [a-z0-9-], ≤ 63, not ending in "-". */
const ENDPOINT_ID = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

const parentOf = (s: EndpointDeploySettings) => `projects/${s.project}/locations/${s.region}`;

export function checkDeploySettings(s: EndpointDeploySettings): void {
  if (!ENDPOINT_ID.test(s.endpoint))
    throw new UsageError(`endpoint "${s.endpoint}": lowercase letters, digits and hyphens, a letter first, ≤ 63`);
  if (s.minReplicas < 1) throw new UsageError("--min-replicas must be at least 1 on a Vertex AI endpoint");
  if (s.maxReplicas < s.minReplicas) throw new UsageError("--max-replicas must be at least --min-replicas");
}

/** The Vertex model version: `…/models/<name>@<alias>` (aliases are mirrored), `@rox-v<n>` for a version. */
export function vertexModelOf(s: EndpointDeploySettings, ref: ModelRef): string {
  const model = `${parentOf(s)}/models/${ref.name}`;
  if (ref.version !== undefined) return `${model}@${roxAlias(ref.version)}`;
  return ref.alias ? `${model}@${ref.alias}` : model;
}

export function planListEndpoints(s: EndpointDeploySettings): Plan<ListEndpointsRequest> {
  return {
    summary: `find Vertex AI endpoint ${s.endpoint} in ${s.project}/${s.region}`,
    service: ENDPOINT_SERVICE,
    method: "ListEndpoints",
    request: { parent: parentOf(s), filter: `display_name="${s.endpoint}"` },
  };
}

export function planCreateEndpoint(s: EndpointDeploySettings, ref: ModelRef): Plan<CreateEndpointRequest> {
  return {
    summary: `create Vertex AI endpoint ${s.endpoint} in ${s.project}/${s.region}`,
    service: ENDPOINT_SERVICE,
    method: "CreateEndpoint",
    request: {
      parent: parentOf(s),
      endpointId: s.endpoint,
      endpoint: {
        displayName: s.endpoint,
        description: `rox serve: ${ref.name}`,
        labels: { rox_model: labelValue(ref.name) },
      },
    },
  };
}

/** The name the endpoint gets when CreateEndpoint makes it (its id is the display name). */
export function plannedEndpointName(s: EndpointDeploySettings): string {
  return `${parentOf(s)}/endpoints/${s.endpoint}`;
}

/**
 * The previous deployment: the one with the largest share now (the first listed on a tie). It takes what the new one
 * does not; any other deployment is left at 0%.
 */
function previousOf(state: EndpointState): string | undefined {
  let best: { id: string; share: number } | undefined;
  for (const { id } of state.deployedModels) {
    const share = state.trafficSplit[id] ?? 0;
    if (!best || share > best.share) best = { id, share };
  }
  return best?.id;
}

export function planDeployModel(
  s: EndpointDeploySettings,
  ref: ModelRef,
  state: EndpointState,
): Plan<DeployModelRequest> {
  const previous = previousOf(state);
  if (s.traffic < 100 && !previous)
    throw new UsageError(
      `nothing is deployed on ${s.endpoint} to take the other ${100 - s.traffic}%: deploy with --traffic 100 first`,
    );
  const trafficSplit: Record<string, number> = { "0": s.traffic };
  if (s.traffic < 100) trafficSplit[previous!] = 100 - s.traffic;
  const deployedModel: DeployModelRequest["deployedModel"] = {
    model: vertexModelOf(s, ref),
    displayName: `rox-${formatModelRef(ref).replace("@", "-")}`,
    dedicatedResources: {
      machineSpec: { machineType: s.machineType },
      minReplicaCount: s.minReplicas,
      maxReplicaCount: s.maxReplicas,
    },
  };
  if (s.serviceAccount) deployedModel.serviceAccount = s.serviceAccount;
  const split = s.traffic < 100 ? ` (canary: ${s.traffic}%, deployed model ${previous} keeps ${100 - s.traffic}%)` : "";
  return {
    summary: `deploy ${formatModelRef(ref)} on Vertex AI endpoint ${s.endpoint}${split}`,
    service: ENDPOINT_SERVICE,
    method: "DeployModel",
    request: { endpoint: state.name, deployedModel, trafficSplit },
  };
}

/** At 100%, every deployment that was on the endpoint before (now at 0%) is undeployed. */
export function planUndeployPrevious(s: EndpointDeploySettings, state: EndpointState): Plan<UndeployModelRequest>[] {
  if (s.traffic < 100) return [];
  return state.deployedModels.map(({ id, model }) => ({
    summary: `undeploy deployed model ${id} (${model}) from Vertex AI endpoint ${s.endpoint}`,
    service: ENDPOINT_SERVICE,
    method: "UndeployModel",
    request: { endpoint: state.name, deployedModelId: id },
  }));
}

export interface VertexDeployPlans {
  create?: Plan<CreateEndpointRequest>;
  deploy: Plan<DeployModelRequest>;
  undeploy: Plan<UndeployModelRequest>[];
}

/** Everything sent after ListEndpoints found `state` (undefined: no endpoint of that name), in order. */
export function planVertexDeploy(
  s: EndpointDeploySettings,
  ref: ModelRef,
  state: EndpointState | undefined,
): VertexDeployPlans {
  checkDeploySettings(s);
  const current = state ?? { name: plannedEndpointName(s), deployedModels: [], trafficSplit: {} };
  return {
    ...(state ? {} : { create: planCreateEndpoint(s, ref) }),
    deploy: planDeployModel(s, ref, current),
    undeploy: planUndeployPrevious(s, current),
  };
}

export const plansInOrder = (p: VertexDeployPlans): Plan[] => [
  ...(p.create ? [p.create] : []),
  p.deploy,
  ...p.undeploy,
];
