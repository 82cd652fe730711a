import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * What makes a JVM reach a test server for one Google API host, and trust it: a certificate for the host, a hosts
 * file mapping it to 127.0.0.1 (`-Djdk.net.hosts.file`), and a classpath folder holding the trust store Google's Java
 * HTTP client loads as a resource (`com/google/api/client/googleapis/google.p12`, password `notasecret`; it ignores
 * `javax.net.ssl.trustStore`). Put the folder before the JAR on the classpath.
 */
export interface GoogleHostTls {
  host: string;
  key: Buffer;
  cert: Buffer;
  hostsFile: string;
  trustClasspath: string;
}

export function makeGoogleHostTls(dir: string, host: string): GoogleHostTls {
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${host}`,
      "-addext",
      `subjectAltName=DNS:${host}`,
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
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
      cert,
      "-keystore",
      store,
      "-storetype",
      "PKCS12",
      "-storepass",
      "notasecret",
    ],
    { stdio: "ignore" },
  );
  const hostsFile = path.join(dir, "hosts");
  fs.writeFileSync(hostsFile, `127.0.0.1 ${host}\n`);
  return { host, key: fs.readFileSync(key), cert: fs.readFileSync(cert), hostsFile, trustClasspath };
}
