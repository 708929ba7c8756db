// Messages between the sandbox and its query worker thread.

/** Request to run one query. Times are `yyyy-MM-dd HH:mm:ss` in UTC. */
export interface EngineRequest {
  id: number;
  sql: string;
  windowStart: string;
  windowEnd: string;
  retentionStart: string;
}

/** A result column: name and PostgreSQL type OID. */
export interface EngineField {
  name: string;
  dataTypeId: number;
}

/** Response to one request. */
export type EngineResponse =
  | { id: number; ok: true; fields: EngineField[]; rows: unknown[][] }
  | { id: number; ok: false; message: string; sqlState?: string };

/** First message of the worker once its database is ready, or its start-up failure. */
export type EngineReady = { ready: true } | { ready: false; message: string };
