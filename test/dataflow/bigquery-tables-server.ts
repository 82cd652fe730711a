import * as https from "https";
import type { AddressInfo } from "net";
import type { BigQueryTableSchema } from "../../schemas/bigquery";
import type { GoogleHostTls } from "./tls-google-host";

/**
 * The BigQuery REST endpoint the expansion service calls while it expands the Storage Write schema transform: Java
 * validates the input rows' schema against `tables.get` of the destination before it builds the write. Answers that
 * one call with the table's schema (404 for any other table) and records every request, at the wire.
 */
export interface BigQueryTablesServer {
  requests: string[];
  close(): Promise<void>;
}

const TABLE_PATH = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/?]+)/;

/** Port 443: the Java client's URL has no port. Rejects when it is taken (the caller skips with the reason). */
export function startBigQueryTablesServer(
  tls: GoogleHostTls,
  tables: Record<string, BigQueryTableSchema>,
): Promise<BigQueryTablesServer> {
  const requests: string[] = [];
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const match = TABLE_PATH.exec(req.url ?? "");
    const table = match && req.method === "GET" ? tables[match[3]] : undefined;
    res.setHeader("content-type", "application/json");
    if (!match || !table) {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: 404, message: `Not found: ${req.url}`, status: "NOT_FOUND" } }));
      return;
    }
    const tableReference = { projectId: match[1], datasetId: match[2], tableId: match[3] };
    res.end(
      JSON.stringify({
        kind: "bigquery#table",
        id: `${match[1]}:${match[2]}.${match[3]}`,
        tableReference,
        schema: { fields: table.fields },
      }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(443, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      if (port !== 443) reject(new Error(`listening on ${port}, not 443`));
      resolve({ requests, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
