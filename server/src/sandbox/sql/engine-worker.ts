import { parentPort } from "node:worker_threads";
import { PGlite, types } from "@electric-sql/pglite";
import { buildDatasetSql, queryRole } from "./dataset.ts";
import type { EngineRequest, EngineResponse } from "./engine-protocol.ts";

// Worker thread that owns the sandbox's PGlite. PGlite runs queries synchronously in WebAssembly
// and ignores statement_timeout (checked with PGlite 0.5.17), so a runaway query is stopped by
// terminating this thread, and the sandbox's HTTP server stays responsive meanwhile.

const port = parentPort!;

// Values stay as PostgreSQL's text for the types whose JavaScript form loses information
// (bigint, numeric) or time zone meaning (timestamp, date). The runner formats them.
const textParsers = Object.fromEntries(
  [types.INT8, types.NUMERIC, types.TIMESTAMP, types.TIMESTAMPTZ, types.DATE].map((oid) => [
    oid,
    (value: string) => value,
  ]),
);

async function start(): Promise<PGlite> {
  const db = await PGlite.create();
  await db.exec(buildDatasetSql());
  return db;
}

async function runQuery(db: PGlite, request: EngineRequest): Promise<EngineResponse> {
  try {
    return await db.transaction(async (tx) => {
      await tx.query(
        "SELECT set_config('amc.window_start', $1, true), set_config('amc.window_end', $2, true), " +
          "set_config('amc.retention_start', $3, true)",
        [request.windowStart, request.windowEnd, request.retentionStart],
      );
      await tx.exec(
        `SET TRANSACTION READ ONLY; SET LOCAL ROLE ${queryRole}; SET LOCAL search_path = amc;`,
      );
      const result = await tx.query<unknown[]>(request.sql, [], {
        rowMode: "array",
        parsers: textParsers,
      });
      await tx.rollback();
      return {
        id: request.id,
        ok: true as const,
        fields: result.fields.map((field) => ({ name: field.name, dataTypeId: field.dataTypeID })),
        rows: result.rows,
      };
    });
  } catch (error) {
    const { message, code } = error as { message: string; code?: string };
    return { id: request.id, ok: false, message, ...(code ? { sqlState: code } : {}) };
  }
}

start().then(
  (db) => {
    port.on("message", (request: EngineRequest) => {
      void runQuery(db, request).then((response) => port.postMessage(response));
    });
    port.postMessage({ ready: true });
  },
  (error: unknown) => port.postMessage({ ready: false, message: (error as Error).message }),
);
