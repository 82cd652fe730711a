import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import type { AddressInfo, Socket } from "net";
import * as path from "path";

/**
 * A forward proxy that stands in for Google's API hosts: clients that honour `https_proxy` (Python's httplib2) or
 * `-Dhttps.proxyHost` (Java) send it `CONNECT <host>:443`; it terminates TLS with a certificate for those hosts
 * (from a test CA the clients are told to trust) and serves each request itself: Cloud Storage's JSON and upload
 * API forwarded to fake-gcs-server (whose resumable-upload URLs then point at itself, reached directly); BigQuery's
 * REST API forwarded to bqemulator when one is given, else every BigQuery call answered 404 (Java then skips its
 * schema check); Node's OAuth token requests answered with a test token.
 * Every request is recorded as `METHOD host path`.
 */
export interface GoogleProxy {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export interface GoogleHostsTls {
  key: Buffer;
  cert: Buffer;
  /** The certificate as a PEM file (Python: HTTPLIB2_CA_CERTS). */
  certFile: string;
  /** A classpath folder with the trust store Google's Java HTTP client loads (`google.p12`). */
  trustClasspath: string;
}

export const GOOGLE_HOSTS = [
  "www.googleapis.com",
  "storage.googleapis.com",
  "bigquery.googleapis.com",
  "oauth2.googleapis.com",
];
/** Google's fixed token URLs, which Node's google-auth-library asks instead of the key's `token_uri`. */
const TOKEN_URLS = ["www.googleapis.com /oauth2/v4/token", "oauth2.googleapis.com /token"];

export function makeGoogleHostsTls(dir: string): GoogleHostsTls {
  const key = path.join(dir, "proxy-key.pem");
  const certFile = path.join(dir, "proxy-cert.pem");
  const san = GOOGLE_HOSTS.map((host) => `DNS:${host}`).join(",");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=www.googleapis.com",
      "-addext",
      `subjectAltName=${san}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  const trustClasspath = path.join(dir, "trust");
  const store = path.join(trustClasspath, "com", "google", "api", "client", "googleapis", "google.p12");
  fs.mkdirSync(path.dirname(store), { recursive: true });
  execFileSync(
    "keytool",
    [
      "-importcert",
      "-noprompt",
      "-alias",
      "test",
      "-file",
      certFile,
      "-keystore",
      store,
      "-storetype",
      "PKCS12",
      "-storepass",
      "notasecret",
    ],
    { stdio: "ignore" },
  );
  return { key: fs.readFileSync(key), cert: fs.readFileSync(certFile), certFile, trustClasspath };
}

export async function startGoogleProxy(
  tls: GoogleHostsTls,
  storageEndpoint: string,
  bigQueryEndpoint?: string,
): Promise<GoogleProxy> {
  const requests: string[] = [];
  const inner = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    requests.push(`${req.method} ${host} ${req.url}`);
    if (TOKEN_URLS.includes(`${host} ${req.url}`)) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ access_token: "wire-test-token", expires_in: 3600, token_type: "Bearer" }));
    }
    if (host === "bigquery.googleapis.com" && bigQueryEndpoint) return forward(req, res, bigQueryEndpoint);
    if (host === "bigquery.googleapis.com") {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { code: 404, message: `Not found: ${req.url}`, status: "NOT_FOUND" } }));
    }
    forward(req, res, storageEndpoint);
  });
  const proxy = http.createServer((_req, res) => res.writeHead(405).end("CONNECT only"));
  proxy.on("connect", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const host = (req.url ?? "").replace(/:\d+$/, "");
    if (GOOGLE_HOSTS.includes(host)) tunnel(inner, socket, head);
    else {
      requests.push(`CONNECT ${req.url} refused`);
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((done) => {
        proxy.closeAllConnections();
        inner.closeAllConnections();
        proxy.close(() => done());
      }),
  };
}

/**
 * Google serves resumable uploads under `/resumable/upload/storage/v1/…` too (Python's apitools client uses it);
 * fake-gcs-server only under `/upload/storage/v1/…`, with the same protocol.
 */
function forward(req: http.IncomingMessage, res: http.ServerResponse, endpoint: string): void {
  const target = new URL((req.url ?? "/").replace(/^\/resumable\/upload\//, "/upload/"), endpoint);
  const upstream = http.request(
    target,
    { method: req.method, headers: { ...req.headers, host: target.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.once("error", (err) => res.writeHead(502).end(err.message));
  req.pipe(upstream);
}

/** Hands a CONNECT tunnel to the TLS server, which then sees the client's handshake as a new connection. */
function tunnel(inner: { emit(event: "connection", socket: Socket): boolean }, socket: Socket, head: Buffer): void {
  socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
  if (head.length > 0) socket.unshift(head);
  inner.emit("connection", socket);
}
