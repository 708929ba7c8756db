import type { AmcExecutionStatus, AmcInputParameter } from "../amc/types.ts";
import type { Logger } from "../logger.ts";
import type { FaultRule } from "./faults.ts";

/** Options of a local AMC sandbox. */
export interface SandboxOptions {
  /** Interface to listen on. Only loopback addresses are accepted. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Minimum wall-clock time from RUNNING to a terminal status. Default 3000. */
  executionDurationMs?: number;
  logger: Logger;
  /** When set, the token endpoint accepts only these credentials. */
  credentials?: { clientId: string; clientSecret: string; refreshToken: string };
  /** Lifetime of issued access tokens. Default 3600, as Login with Amazon. */
  tokenExpiresInSeconds?: number;
  /** Current time in epoch milliseconds. Tests pass a controllable clock. */
  clock?: () => number;
  /** Executions RUNNING at once per instance. The rest stay PENDING. Default 10, as AMC. */
  maxRunningPerInstance?: number;
  /** A result larger than this is split into several CSV files. Default 1 MiB. */
  resultPartMaxBytes?: number;
  /** Lifetime of presigned download URLs. Default 600 (10 minutes), as AMC. */
  downloadUrlExpiresInSeconds?: number;
  /** Wall-clock limit of one SQL query inside the sandbox's database. Default 30000. */
  queryTimeoutMs?: number;
  /** Fault rules active from the start. */
  faults?: FaultRule[];
  /** Wrap execution responses in `{workflowExecution: …}` instead of the flat shape. */
  wrapExecutionResponses?: boolean;
}

/** Counters that tests and benchmarks read. */
export interface SandboxStats {
  /** Requests per endpoint name, faulted ones included. */
  requests: Record<string, number>;
  /** Executions created per AMC instance id. */
  executionsCreated: Record<string, number>;
  /** Executions RUNNING now per instance id. */
  running: Record<string, number>;
  /** Highest number of executions RUNNING at once per instance id. */
  maxRunning: Record<string, number>;
  /** Executions per terminal status. */
  finished: Record<string, number>;
  /** Injected faults per fault kind. */
  faultsInjected: Record<string, number>;
  tokensIssued: number;
  queryCache: { hits: number; misses: number };
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL of the AMC API, for example http://127.0.0.1:4010. */
  readonly url: string;
  /** Login with Amazon token URL of the sandbox. */
  readonly tokenUrl: string;
  readonly faults: import("./faults.ts").FaultInjector;
  stats(): SandboxStats;
  /** Zeroes the counters. Executions and workflows are kept. */
  resetStats(): void;
  setExecutionDurationMs(durationMs: number): void;
  /** Starts the SQL engine (about 2 to 6 s) now. Otherwise the first execution starts it. */
  warmUp(): Promise<void>;
  setTokenExpiresInSeconds(seconds: number): void;
  /** Stops listening and drops every execution. Calling it again is safe. */
  stop(): Promise<void>;
}

/** A saved workflow as the sandbox stores it. */
export interface StoredWorkflow {
  workflowId: string;
  sqlQuery: string;
  inputParameters: AmcInputParameter[];
  privacyFilteringBehavior: "REMOVE_ROWS" | "REMOVE_VALUES";
}

/** Column of a result file. */
export interface ResultColumn {
  name: string;
  /** AMC-style type name: STRING, LONG, DOUBLE, DECIMAL, BOOLEAN, DATE or TIMESTAMP. */
  type: string;
}

/** Result of one execution, split into CSV parts. */
export interface StoredResult {
  columns: ResultColumn[];
  rowCount: number;
  parts: Buffer[];
}

/** One execution inside the sandbox. */
export interface SandboxExecution {
  workflowExecutionId: string;
  instanceId: string;
  workflowId: string;
  sqlQuery: string;
  inputParameters: AmcInputParameter[];
  privacyFilteringBehavior: "REMOVE_ROWS" | "REMOVE_VALUES";
  parameterValues: Record<string, unknown>;
  status: AmcExecutionStatus;
  statusReason?: string;
  /** Arrival order within the instance; PENDING executions start in this order. */
  sequence: number;
  createTimeMs: number;
  lastUpdatedTimeMs: number;
  startTimeMs?: number;
  endTimeMs?: number;
  /** Window in UTC epoch milliseconds. The end is exclusive. */
  windowStartMs: number;
  windowEndMs: number;
  /** The window as the request gave it, local to timeWindowTimeZone. */
  timeWindowStart: string;
  timeWindowEnd: string;
  timeWindowTimeZone: string;
  timeoutSeconds: number;
  /** AMC's data for the window is complete at this time. The execution waits until then. */
  waitUntilMs: number;
  /** Set by a fault rule at creation: the execution ends this way instead of running SQL. */
  forcedOutcome?: { status: "FAILED" | "REJECTED"; reason: string };
  /** Outcome of the SQL, set once the query finished. */
  outcome?: QueryOutcome;
  result?: StoredResult;
}

/** Outcome of one execution's query. */
export type QueryOutcome =
  | { status: "SUCCEEDED"; columns: ResultColumn[]; rows: unknown[][] }
  | { status: "FAILED" | "REJECTED"; reason: string };

/** Input of the query runner. */
export interface QueryRequest {
  sql: string;
  windowStartMs: number;
  windowEndMs: number;
  /** Events before this time are outside AMC's 13-month retention. */
  retentionStartMs: number;
  inputParameters: AmcInputParameter[];
  parameterValues: Record<string, unknown>;
  privacyFilteringBehavior: "REMOVE_ROWS" | "REMOVE_VALUES";
}

/** Runs an execution's SQL. Never rejects, failures come back as FAILED or REJECTED. */
export type QueryRunner = (request: QueryRequest) => Promise<QueryOutcome>;
