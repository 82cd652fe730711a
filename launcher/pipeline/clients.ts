/** Vertex AI's ScheduleService for pipeline schedules, loaded lazily like the other Vertex clients (train/clients.ts). */
import { grpcClientOptions } from "../cloud/client-options";
import type { CreateScheduleRequest } from "./submit-plans";

export interface VertexScheduleClient {
  createSchedule(request: CreateScheduleRequest): Promise<{ name: string; state: string }>;
  close(): Promise<void>;
}

export async function openVertexScheduleClient(region: string, endpoint?: string): Promise<VertexScheduleClient> {
  const options = await grpcClientOptions(endpoint);
  const aiplatform = await import("@google-cloud/aiplatform");
  type Options = ConstructorParameters<typeof aiplatform.v1.ScheduleServiceClient>[0];
  const client = new aiplatform.v1.ScheduleServiceClient(
    (endpoint ? options : { ...options, apiEndpoint: `${region}-aiplatform.googleapis.com` }) as Options,
  );
  const states = aiplatform.protos.google.cloud.aiplatform.v1.Schedule.State as unknown as Record<number, string>;
  return {
    createSchedule: async (request) => {
      const [schedule] = await client.createSchedule(request as Parameters<typeof client.createSchedule>[0]);
      return {
        name: schedule.name ?? "",
        state: typeof schedule.state === "number" ? states[schedule.state] : String(schedule.state ?? ""),
      };
    },
    close: () => client.close(),
  };
}
