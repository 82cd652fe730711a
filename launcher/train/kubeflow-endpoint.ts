import { ConfigError } from "../config";

const SETTING = '"train.kubeflow.endpoint"';

/**
 * The Kubeflow Pipelines API's base URL as `train.kubeflow` gives it, checked before a request (or a token) is made:
 * http(s) only, no credentials in the URL, and with `auth: "adc"` TLS unless the host is this machine — a Google
 * access token sent over plain http can be read by anyone on the path and used against every API the account reaches.
 */
export function checkKubeflowEndpoint(endpoint: string, auth: "none" | "adc"): string {
  const url = parseUrl(endpoint);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`config: ${SETTING} must be an https:// URL (got ${JSON.stringify(endpoint)})`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new ConfigError(`config: ${SETTING} must not hold a user name or password`);
  }
  if (auth === "adc" && url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(
      `config: ${SETTING} is ${url.origin}: with "auth": "adc" a Google access token would cross the network ` +
        "unencrypted; " +
        "use https://, or a loopback address (127.0.0.1, ::1, localhost) such as a kubectl port-forward",
    );
  }
  return endpoint;
}

/** 127.0.0.0/8, ::1 or localhost, as the WHATWG URL parser normalizes them (`127.1` and `0x7f.1` become 127.0.0.1). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function parseUrl(endpoint: string): URL {
  try {
    return new URL(endpoint);
  } catch {
    throw new ConfigError(`config: ${SETTING} must be a URL, e.g. https://<host> (got ${JSON.stringify(endpoint)})`);
  }
}
