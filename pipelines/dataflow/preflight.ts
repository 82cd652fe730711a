import * as net from "net";
import { GCP_EXPANSION_SERVICE_TARGET } from "../beam-services";
import { RoxError } from "../../errors/rox-error";

/** A Google API (or a stand-in of it) this machine cannot reach: said at once, instead of a client retrying for minutes. */
export class ServiceUnreachableError extends RoxError {
  readonly kind = "cloud";
  constructor(message: string) {
    super(message);
    this.name = "ServiceUnreachableError";
  }
}

const CONNECT_TIMEOUT_MS = 5_000;

/** Opens (and closes) a TCP connection to the URL's host and port; throws ServiceUnreachableError when it cannot. */
export async function checkReachable(url: string, what: string): Promise<void> {
  const { hostname, port, protocol } = new URL(url);
  const target = { host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || (protocol === "http:" ? 80 : 443)) };
  const problem = await connectProblem(target.host, target.port);
  if (problem)
    throw new ServiceUnreachableError(
      `cannot reach ${what} at ${target.host}:${target.port} (${problem}): check the network, or the endpoint given`,
    );
}

/**
 * Java's BigQuery Storage Write reads the destination table (`tables.get`) while the graph is built, and offline its
 * client retries for minutes. When this process starts the expansion service itself (the override is a JAR, not an
 * address), it must reach BigQuery: checked first. An expansion service given by address is the caller's business.
 */
export async function checkExpansionReachesBigQuery(env = process.env): Promise<void> {
  const overrides = env.BEAM_SERVICE_OVERRIDES
    ? (JSON.parse(env.BEAM_SERVICE_OVERRIDES) as Record<string, string>)
    : {};
  if (/^[a-zA-Z0-9.]+:[0-9]+$/.test(overrides[GCP_EXPANSION_SERVICE_TARGET] ?? "")) return;
  await checkReachable(
    "https://bigquery.googleapis.com",
    "BigQuery (the graph's BigQuery write reads the table's schema while it is built)",
  );
}

function connectProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`));
    socket.once("connect", () => done(undefined));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
