import { clampWait, FILL_CONCURRENCY, FILL_WAIT_SECONDS, pullInPolls } from "../../io/pubsub/long-poll";

/** A subscription holding `backlog` messages, served by requests of at most `perRequest`; it records every request. */
function subscription(backlog: number, failOnRequest?: number) {
  const requests: { size: number; wait: number }[] = [];
  let left = backlog;
  const poll = async (size: number, wait: number): Promise<number[]> => {
    requests.push({ size, wait });
    if (requests.length === failOnRequest) throw Object.assign(new Error("CANCELLED"), { status: "CANCELLED" });
    const taken = Math.min(size, left);
    left -= taken;
    return Array.from({ length: taken }, (_, i) => i);
  };
  return { poll, requests };
}

describe("pullInPolls: how both sources pull", () => {
  test("an idle subscription costs one request, holding the job's wait", async () => {
    const { poll, requests } = subscription(0);
    expect(await pullInPolls(5000, 100, 7, poll)).toEqual([]);
    expect(requests).toEqual([{ size: 100, wait: 7 }]);
  });

  test("a first answer short of full ends the pull: no backlog to fill from", async () => {
    const { poll, requests } = subscription(40);
    expect(await pullInPolls(5000, 100, 10, poll)).toHaveLength(40);
    expect(requests).toHaveLength(1);
  });

  test.each([
    [5000, 100, 50], // 1 + rounds of 10 requests
    [250, 100, 3],
    [5000, 1000, 5],
  ])("a backlog fills a batch of %i at %i a request in %i requests", async (max, perRequest, count) => {
    const { poll, requests } = subscription(100_000);
    expect(await pullInPolls(max, perRequest, 3, poll)).toHaveLength(max);
    expect(requests).toHaveLength(count);
    expect(requests.slice(1).every((r) => r.wait === FILL_WAIT_SECONDS)).toBe(true); // a backlog answers at once
  });

  test("filling stops after the round in which the backlog ran short", async () => {
    const { poll, requests } = subscription(100 + 350);
    expect(await pullInPolls(5000, 100, 10, poll)).toHaveLength(450);
    expect(requests).toHaveLength(1 + FILL_CONCURRENCY);
  });

  test("stopFilling, asked before each fill round once messages came, ends the pull with what it has", async () => {
    const { poll, requests } = subscription(100_000);
    let asked = 0;
    const pulled = await pullInPolls(5000, 100, 10, poll, undefined, () => ++asked > 2);
    expect(pulled).toHaveLength(100 + 2 * FILL_CONCURRENCY * 100);
    expect(requests).toHaveLength(1 + 2 * FILL_CONCURRENCY);
    expect(asked).toBe(3);
  });

  test("stopFilling is not asked for an idle subscription", async () => {
    const { poll } = subscription(0);
    const stop = jest.fn(() => true);
    expect(await pullInPolls(5000, 100, 10, poll, undefined, stop)).toEqual([]);
    expect(stop).not.toHaveBeenCalled();
  });

  test("a request that fails after others brought messages keeps what came and is reported", async () => {
    const { poll } = subscription(100_000, 3);
    const lost: unknown[] = [];
    const pulled = await pullInPolls(1000, 100, 10, poll, (err) => lost.push(err));
    expect(pulled).toHaveLength(900);
    expect(lost).toEqual([expect.objectContaining({ status: "CANCELLED" })]);
  });

  test("a first request that fails rejects: nothing was pulled", async () => {
    const { poll } = subscription(100_000, 1);
    await expect(pullInPolls(1000, 100, 10, poll)).rejects.toMatchObject({ status: "CANCELLED" });
  });

  test.each([
    [0, 2],
    [1.2, 2],
    [2.1, 3],
    [60, 10],
  ])("a wait of %d s is sent as %d s", (seconds, sent) => {
    expect(clampWait(seconds)).toBe(sent);
  });
});
