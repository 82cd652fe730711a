import { InvalidIdentifierError } from "../../io/identifiers/project";
import { openSubscription } from "../../io/pubsub/open-subscription";
import * as requests from "../../io/pubsub/requests";
import { PubSubRestClient } from "../../io/pubsub/rest-client";
import { main } from "../../launcher/main";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { captureConsole } from "../support/console-capture";
import { itNeeds } from "../support/prerequisites";

// The emulator's REST source checks names by the Google path's rules (io/identifiers) before anything is sent: a
// name is an id, never a piece of a URL path.
const it_ = itNeeds("pubsub-emulator");

test.each([
  [
    "a subscription that climbs out of its collection",
    () => requests.pullRequest("rox-local", "../topics/x", 1, 10),
    'invalid Pub/Sub subscription id "../topics/x"',
  ],
  [
    "a subscription with a slash",
    () => requests.pullRequest("rox-local", "a/b/c", 1, 10),
    'invalid Pub/Sub subscription id "a/b/c"',
  ],
  [
    "a subscription with a query",
    () => requests.acknowledgeRequests("rox-local", "sub?x=1", ["a"]),
    "may contain only letters, digits",
  ],
  [
    "a topic with a fragment",
    () => requests.publishRequests("rox-local", "t#x", [{ data: "" }]),
    "may contain only letters, digits",
  ],
  [
    "a topic that is too short",
    () => requests.createTopicRequest("rox-local", "t"),
    "must be 3 to 255 characters long",
  ],
  ["a reserved prefix", () => requests.createTopicRequest("rox-local", "goog-topic"), 'must not start with "goog"'],
  ["a project that is a path", () => requests.createTopicRequest("../admin", "topic"), 'invalid project id "../admin"'],
  [
    "a full name of the wrong collection",
    () => requests.pullRequest("rox-local", "projects/rox-local/topics/abc", 1, 10),
    "must be projects/<project>/subscriptions/<id>",
  ],
  [
    "a full name with more segments",
    () => requests.deleteTopicRequest("rox-local", "projects/rox-local/topics/a/b"),
    "must be projects/<project>/topics/<id>",
  ],
  [
    "a full name with a bad project",
    () => requests.deleteTopicRequest("rox-local", "projects/P/topics/abc"),
    'invalid project id "P"',
  ],
  [
    "a dead-letter topic of a bad topic",
    () =>
      requests.createSubscriptionRequest("rox-local", "sub", "topic", {
        ackDeadlineSeconds: 60,
        deadLetterPolicy: { deadLetterTopic: "..", maxDeliveryAttempts: 5 },
      }),
    'invalid Pub/Sub topic id ".."',
  ],
])("%s is refused before a request exists", (_what, build, message) => {
  expect(build).toThrow(InvalidIdentifierError);
  expect(build).toThrow(message);
});

test("ids with % and + are valid and travel percent-encoded; the body keeps the name", () => {
  expect(requests.pullRequest("rox-local", "a%2F..%2Fx", 1, 10).path).toBe(
    "projects/rox-local/subscriptions/a%252F..%252Fx:pull",
  );
  const create = requests.createSubscriptionRequest("rox-local", "sub+1", "topic~1", { ackDeadlineSeconds: 60 });
  expect(create).toMatchObject({
    path: "projects/rox-local/subscriptions/sub%2B1",
    body: { topic: "projects/rox-local/topics/topic~1" },
  });
});

test("opening the source checks the subscription, the topic and its dead-letter topic before any call", async () => {
  const nowhere = { host: "127.0.0.1:9", project: "rox-local" };
  await expect(openSubscription({ ...nowhere, subscription: "../topics/x" })).rejects.toThrow(InvalidIdentifierError);
  await expect(openSubscription({ ...nowhere, subscription: "sub", topic: "../x" })).rejects.toThrow(
    InvalidIdentifierError,
  );
  // 244 characters is a valid topic, but its dead-letter topic (+ "-dead-letter") would pass Pub/Sub's 255.
  await expect(openSubscription({ ...nowhere, subscription: "sub", topic: "t".repeat(244) })).rejects.toThrow(
    "must be 3 to 255 characters long",
  );
});

describe("rox stream and rox publish", () => {
  const { errors } = captureConsole();

  test.each([
    [
      ["stream", "--subscription", "../topics/x", "--schema", "flights"],
      'invalid Pub/Sub subscription id "../topics/x"',
    ],
    [
      ["stream", "--subscription", "flights-sub", "--topic", "../topics/y", "--schema", "flights"],
      'invalid Pub/Sub topic id "../topics/y"',
    ],
    [
      ["stream", "--subscription", "flights-sub", "--project", "../x", "--schema", "flights"],
      'invalid project id "../x"',
    ],
    [
      ["publish", "--topic", "../../v1/projects/x", "--from", "nowhere"],
      'invalid Pub/Sub topic id "../../v1/projects/x"',
    ],
  ])("%j exits 3 without reaching the emulator", async (argv, message) => {
    // Port 9 (discard) refuses: had a request been sent, this would be exit 5.
    expect(await main([...argv, "--host", "127.0.0.1:9"])).toBe(3);
    expect(errors.join("\n")).toContain(message);
  });
  test.each([
    "evil.example:80/v1/x?",
    "127.0.0.1",
    "127.0.0.1:0",
    "127.0.0.1:65536",
    "http://127.0.0.1:8085",
    "user@127.0.0.1:8085",
  ])("--host %j is not host:port: exit 2", async (host) => {
    expect(await main(["stream", "--subscription", "flights-sub", "--schema", "flights", "--host", host])).toBe(2);
    expect(errors.join("\n")).toContain("--host must be host:port");
  });
});

describe("against the emulator", () => {
  const workspace = useEmulatorWorkspace("rest-names");

  it_("names with + ~ . % _ round-trip: create, publish, pull, ack", async () => {
    const client = new PubSubRestClient(workspace.emulator!.host, "rox-test");
    const [topic, subscription] = ["t+1~a.b%x_y", "s+1~a.b%2Fx_y"];
    expect(await client.createTopic(topic)).toBe("created");
    expect(await client.createSubscription(subscription, topic, { ackDeadlineSeconds: 60 })).toBe("created");
    expect(await client.listTopicSubscriptions(topic)).toEqual([`projects/rox-test/subscriptions/${subscription}`]);
    await client.publish(topic, [{ data: Buffer.from("x").toString("base64") }]);
    const pulled = await client.pull(subscription, 10);
    expect(pulled).toHaveLength(1);
    await client.acknowledge(
      subscription,
      pulled.map((m) => m.ackId),
    );
  });
});
