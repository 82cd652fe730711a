/**
 * `rox deploy --target cloud-run`, planned (pure): a Cloud Run service running the serving image
 * (docker/serve.Dockerfile), which starts `rox serve` from ROX_MODEL, ROX_MODEL_STORE and ROX_SERVE_ARGS. REST field
 * names of google/cloud/run/v2 (Service, RevisionTemplate, Container); an existing service is replaced by PATCH.
 */
import { UsageError } from "../errors";
import type { Plan } from "../plan";
import { formatModelRef, type ModelRef } from "../models/model-ref";
import { labelValue } from "../train/label-rules";
import { SERVE_HEALTH_ROUTE, SERVE_PORT, serveEnv } from "./serve-container";

export const CLOUD_RUN_SERVICES = "google.cloud.run.v2.Services";
const SERVICE_ID = /^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$/;

export interface ServiceDeploySettings {
  project: string;
  region: string;
  /** The service id: `rox-<model>` by default. */
  service: string;
  image: string;
  /** The registry's model store the container reads: gs://… (its own disk starts empty). */
  store: string;
  /** `rox serve`'s warehouse flags for the online window lookups. */
  serveArgs: string[];
  minInstances: number;
  maxInstances: number;
  serviceAccount?: string;
}

export interface RunService {
  /** Set on replace only: the create takes the id as `serviceId`. */
  name?: string;
  labels: Record<string, string>;
  template: {
    serviceAccount?: string;
    scaling: { minInstanceCount: number; maxInstanceCount: number };
    containers: {
      image: string;
      env: { name: string; value: string }[];
      ports: { containerPort: number }[];
      /** Ready only once the model is loaded: `rox serve` answers its health route then. */
      startupProbe: { httpGet: { path: string; port: number }; periodSeconds: number; failureThreshold: number };
    }[];
  };
}

/** `POST /v2/{parent}/services?serviceId=…` */
export interface CreateRunServiceRequest {
  parent: string;
  serviceId: string;
  service: RunService;
}

/** `PATCH /v2/{service.name}` */
export interface ReplaceRunServiceRequest {
  service: RunService & { name: string };
}

export function planRunService(s: ServiceDeploySettings, ref: ModelRef): Plan<CreateRunServiceRequest> {
  if (!SERVICE_ID.test(s.service))
    throw new UsageError(
      `Cloud Run service "${s.service}": lowercase letters, digits and hyphens, a letter first, ≤ 49`,
    );
  if (s.maxInstances < Math.max(1, s.minInstances))
    throw new UsageError("--max-replicas must be at least 1 and at least --min-replicas");
  const model = formatModelRef(ref);
  const service: RunService = {
    labels: { "rox-job": "serve", "rox-model": labelValue(ref.name) },
    template: {
      ...(s.serviceAccount ? { serviceAccount: s.serviceAccount } : {}),
      scaling: { minInstanceCount: s.minInstances, maxInstanceCount: s.maxInstances },
      containers: [
        {
          image: s.image,
          env: serveEnv({ model, store: s.store, serveArgs: s.serveArgs }),
          ports: [{ containerPort: SERVE_PORT }],
          startupProbe: {
            httpGet: { path: SERVE_HEALTH_ROUTE, port: SERVE_PORT },
            periodSeconds: 5,
            failureThreshold: 24,
          },
        },
      ],
    },
  };
  const parent = `projects/${s.project}/locations/${s.region}`;
  return {
    summary: `create Cloud Run service ${s.service} in ${s.project}/${s.region}: rox serve ${model}`,
    service: CLOUD_RUN_SERVICES,
    method: `POST /v2/${parent}/services`,
    request: { parent, serviceId: s.service, service },
  };
}

/** What apply sends when the service exists (HTTP 409): the whole service, replaced (a new revision). */
export function planReplaceRunService(create: Plan<CreateRunServiceRequest>): Plan<ReplaceRunServiceRequest> {
  const name = `${create.request.parent}/services/${create.request.serviceId}`;
  return {
    summary: create.summary.replace(/^create /, "replace "),
    service: CLOUD_RUN_SERVICES,
    method: `PATCH /v2/${name}`,
    request: { service: { name, ...create.request.service } },
  };
}
