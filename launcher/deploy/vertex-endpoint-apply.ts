/**
 * Sends the plans of vertex-endpoint-plan.ts with the real @google-cloud/aiplatform EndpointServiceClient (loaded
 * lazily here and nowhere else in deploy's code). CreateEndpoint, DeployModel and UndeployModel wait for their
 * long-running operations; every call is retried like vertex-apply.ts's.
 */
import { grpcClientOptions } from "../cloud/client-options";
import type { RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import { callWithRetry } from "../train/call";
import {
  ENDPOINT_SERVICE,
  type CreateEndpointRequest,
  type DeployModelRequest,
  type EndpointState,
  type ListEndpointsRequest,
  type UndeployModelRequest,
} from "./vertex-endpoint-plan";

export interface EndpointApi {
  /** The first endpoint ListEndpoints names, or undefined. */
  find(plan: Plan<ListEndpointsRequest>): Promise<EndpointState | undefined>;
  /** The created endpoint's name. */
  create(plan: Plan<CreateEndpointRequest>): Promise<string>;
  /** The new deployed model's id. */
  deploy(plan: Plan<DeployModelRequest>): Promise<string>;
  undeploy(plan: Plan<UndeployModelRequest>): Promise<void>;
  close(): Promise<void>;
}

/** `endpoint`: an in-test server's host:port; otherwise the region's aiplatform endpoint. */
export async function openEndpointApi(region: string, endpoint?: string, retry?: RetryPolicy): Promise<EndpointApi> {
  const aiplatform = await import("@google-cloud/aiplatform");
  const base = (await grpcClientOptions(endpoint)) as Record<string, unknown>;
  const options = endpoint ? base : { ...base, apiEndpoint: `${region}-aiplatform.googleapis.com` };
  const client = new aiplatform.v1.EndpointServiceClient(
    options as ConstructorParameters<typeof aiplatform.v1.EndpointServiceClient>[0],
  );
  const call = <T>(plan: Plan, send: () => Promise<T>) => callWithRetry(ENDPOINT_SERVICE, plan.method, send, retry);
  return {
    find: (plan) =>
      call(plan, async () => {
        const [endpoints] = await client.listEndpoints(plan.request, { autoPaginate: false });
        const found = endpoints[0];
        if (!found) return undefined;
        return {
          name: found.name ?? "",
          deployedModels: (found.deployedModels ?? []).map((m) => ({ id: m.id ?? "", model: m.model ?? "" })),
          trafficSplit: Object.fromEntries(Object.entries(found.trafficSplit ?? {}).map(([k, v]) => [k, Number(v)])),
        };
      }),
    create: (plan) =>
      call(plan, async () => {
        const [operation] = await client.createEndpoint(plan.request as Parameters<typeof client.createEndpoint>[0]);
        const [created] = await operation.promise();
        return created.name ?? "";
      }),
    deploy: (plan) =>
      call(plan, async () => {
        const [operation] = await client.deployModel(plan.request as Parameters<typeof client.deployModel>[0]);
        const [response] = await operation.promise();
        return response.deployedModel?.id ?? "";
      }),
    undeploy: (plan) =>
      call(plan, async () => {
        const [operation] = await client.undeployModel(plan.request as Parameters<typeof client.undeployModel>[0]);
        await operation.promise();
      }),
    close: () => client.close(),
  };
}
