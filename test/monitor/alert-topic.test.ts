/**
 * `rox monitor --alert-topic` against the real Pub/Sub emulator: a day of real flights monitored against a registered
 * card, one message per alert published through the official client and pulled back from a subscription; a run
 * without an alert publishes nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { monitorCommand } from "../../launcher/commands/monitor";
import { modelsCommand } from "../../launcher/commands/models";
import type { MonitorResult } from "../../launcher/monitor/monitor-day";
import { PubSubRestClient, type ReceivedMessage } from "../../io/pubsub/rest-client";
import { InvalidIdentifierError } from "../../io/identifiers/project";
import { flightsWarehouse } from "../models/fixture";
import { captureConsole } from "../support/console-capture";
import { describeNeeds } from "../support/prerequisites";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { flightsDelayCard, writeModelFolder } from "./card-fixture";

const PROJECT = "rox-alerts";
const DAY = "2001-01-12";
const TOPIC = `projects/${PROJECT}/topics/monitoring-alerts`;

describeNeeds("pubsub-emulator")("alerts on a Pub/Sub topic (the emulator)", () => {
  const ws = useEmulatorWorkspace("alert-topic");
  let client: PubSubRestClient;
  let warehouse: string;
  beforeAll(async () => {
    warehouse = await flightsWarehouse(ws.dir, [DAY], 2000);
    const folder = writeModelFolder(path.join(ws.dir, "trained"), flightsDelayCard());
    await modelsCommand(["register", "--from", folder, "--alias", "champion", ...where()]);
    client = new PubSubRestClient(ws.emulator!.host, PROJECT);
    await client.createTopic("monitoring-alerts");
    await client.createSubscription("alerts-all", "monitoring-alerts", { ackDeadlineSeconds: 60 });
  }, 300_000);
  captureConsole();

  const where = () => ["--warehouse", warehouse, "--store", path.join(ws.dir, "models")];

  function configWith(monitoring: object): string {
    const file = path.join(ws.dir, "rox.config.json");
    fs.writeFileSync(file, JSON.stringify({ monitoring }));
    return file;
  }

  const monitor = (config: string, ...more: string[]) =>
    monitorCommand([
      ...["--model", "flights-delay@champion", "--on", "flights", "--partition", DAY, "--config", config],
      ...["--alert-topic", TOPIC, "--pubsub-host", ws.emulator!.host, ...where(), ...more],
    ]) as Promise<MonitorResult>;

  async function pullAll(): Promise<ReceivedMessage[]> {
    const received = await client.pull("alerts-all", 100);
    if (received.length > 0)
      await client.acknowledge(
        "alerts-all",
        received.map((r) => r.ackId),
      );
    return received;
  }

  // Everything lenient but the distance's drift: exactly one alert, an ERROR past its error threshold.
  const lenient = { drift: 1, driftError: 1, nullRateIncrease: 1, deadLetterRate: 1, volumeChange: 1000 };

  test("each alert is one message: its JSON body and filterable attributes", async () => {
    const config = configWith({ ...lenient, features: { distance: { threshold: 0.001, errorThreshold: 0.002 } } });
    const result = await monitor(config);
    const alerting = result.rows.filter((r) => r.alert);
    expect(alerting.map((r) => [r.feature, r.metric, r.severity])).toEqual([
      ["distance", "drift.jensen_shannon", "ERROR"],
    ]);
    const received = await pullAll();
    expect(received).toHaveLength(1);
    const { data, attributes, messageId } = received[0].message;
    expect(result.published).toEqual([messageId]);
    expect(JSON.parse(Buffer.from(data!, "base64").toString("utf8"))).toEqual({
      ...{ model: "flights-delay", version: 1, table: "flights", scope: "day", scopeStart: `${DAY}T00:00:00.000Z` },
      ...{ feature: "distance", metric: "drift.jensen_shannon", value: alerting[0].value, threshold: 0.002 },
      ...{ severity: "ERROR", rows: alerting[0].rows, runId: result.runId, time: expect.any(String) as string },
    });
    expect(attributes).toEqual({
      ...{ model: "flights-delay", version: "1", table: "flights", scope: "day" },
      ...{ metric: "drift.jensen_shannon", severity: "ERROR", feature: "distance" },
    });
  });

  test("no alert, no message", async () => {
    const result = await monitor(configWith(lenient));
    expect(result.alerts).toEqual([]);
    expect(result.published).toEqual([]);
    expect(await pullAll()).toEqual([]);
  });

  test("a malformed topic name is refused before anything is read or written", async () => {
    const config = configWith(lenient);
    await expect(monitor(config, "--alert-topic", "monitoring-alerts")).rejects.toThrow(InvalidIdentifierError);
  });
});
