import * as path from "path";
import { v1 } from "@google-cloud/pubsub";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { openMessageSource } from "../../io/open-message-source";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { runStreamJob } from "../../pipelines/stream-job";
import { startCountingProxy } from "../../bench/counting-proxy";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { itNeeds } from "../support/prerequisites";

// An idle job costs almost nothing: each pull is a long poll that the server holds until a message comes or its wait
// is over, so an idle job sends one request per wait instead of pulling in a busy loop. Counted where the requests
// arrive (a proxy in front of the emulator for the REST source; the client's pull calls for Google's), not timed.
const workspace = useEmulatorWorkspace("idle-cost");
const it_ = itNeeds("pubsub-emulator");
const PROJECT = "rox-test";
const IDLE_SECONDS = 6;
/**
 * The job's long polls wait for what is left of the idle timeout (6 s, then ≥ 2 s): two requests, three if the server
 * answers a poll early. A job that polls without waiting sends hundreds a second.
 */
const MAX_IDLE_PULLS = 4;

async function runIdle(name: string, source: Parameters<typeof runStreamJob>[1]): Promise<number> {
  const warehouse = await DuckDbWarehouse.open(path.join(workspace.dir, `${name}.duckdb`));
  try {
    const options = {
      schema: "flights",
      subscription: `projects/${PROJECT}/subscriptions/${name}-sub`,
      workDir: workspace.dir,
      idleTimeoutSeconds: IDLE_SECONDS,
      log: () => undefined,
    };
    return (await runStreamJob(options, source, warehouse)).read;
  } finally {
    await warehouse.close();
  }
}

it_(
  "an idle job on the REST source sends a handful of pulls, each held by the emulator",
  async () => {
    const proxy = await startCountingProxy(workspace.emulator!.host);
    try {
      const source = await openSubscription({
        host: proxy.host,
        project: PROJECT,
        subscription: "idle-rest-sub",
        topic: "idle-rest",
      });
      expect(await runIdle("idle-rest", source)).toBe(0);
      const pulls = proxy.count(":pull");
      expect(pulls).toBeGreaterThanOrEqual(1);
      expect(pulls).toBeLessThanOrEqual(MAX_IDLE_PULLS);
    } finally {
      await proxy.close();
    }
  },
  60_000,
);

it_(
  "an idle job on Google's client (--source pubsub) sends a handful of pulls too",
  async () => {
    const host = workspace.emulator!.host;
    // The job did not create this subscription, so it also waits out its ack deadline (10 s): still one poll per wait.
    await (
      await openSubscription({
        host,
        project: PROJECT,
        subscription: "idle-client-sub",
        topic: "idle-client",
        ackDeadlineSeconds: 10,
      })
    ).close();
    const pulls = jest.spyOn(v1.SubscriberClient.prototype, "pull");
    const source = await openMessageSource({
      target: "pubsub",
      projectId: PROJECT,
      subscription: "idle-client-sub",
      emulatorHost: host,
    });
    try {
      expect(await runIdle("idle-client", source)).toBe(0);
      expect(pulls.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(pulls.mock.calls.length).toBeLessThanOrEqual(MAX_IDLE_PULLS);
    } finally {
      pulls.mockRestore();
      await source.close();
    }
  },
  60_000,
);
