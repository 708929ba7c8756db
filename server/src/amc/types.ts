// Types shared by the AMC API client, the local AMC sandbox and the scheduler. Field names follow
// AMC's workflow-execution API (the "reporting" API under /amc/reporting/{instanceId}).

import type { Readable } from "node:stream";

/** Execution status as AMC reports it. REJECTED is terminal; PUBLISHING is still in progress. */
export type AmcExecutionStatus =
  "PENDING" | "RUNNING" | "PUBLISHING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | "REJECTED";

export const terminalAmcStatuses: ReadonlySet<AmcExecutionStatus> = new Set([
  "SUCCEEDED",
  "FAILED",
  "CANCELLED",
  "REJECTED",
]);

/** Connection details of one AMC advertiser account, with decrypted credentials. */
export interface AmcAccountConnection {
  // Read-only: the token cache keys each connection object once.
  /** Our database id of the account; keys the token cache and the rate limiter. */
  readonly accountId: string;
  /** Base URL such as https://advertising-api.amazon.com, or the sandbox's URL. */
  readonly apiBaseUrl: string;
  /** Login with Amazon token URL such as https://api.amazon.com/auth/o2/token. */
  readonly tokenUrl: string;
  /** Amazon-Advertising-API-AdvertiserId header value (the AMC entity id). */
  readonly entityId: string;
  /** Amazon-Advertising-API-MarketplaceId header value. */
  readonly marketplaceId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
}

/** Request to create an execution with an EXPLICIT time window. */
export interface CreateExecutionRequest {
  /** AMC's instance id, used in the path. */
  amcInstanceId: string;
  /** A saved workflow to run; exactly one of workflowId and sqlQuery is set. */
  workflowId?: string;
  /** Ad hoc SQL to run; AMC returns a `transient_<uuid>` workflow id for it. */
  sqlQuery?: string;
  /** `yyyy-MM-ddTHH:mm:ss`, local to timeWindowTimeZone. */
  timeWindowStart: string;
  /** `yyyy-MM-ddTHH:mm:ss`, local to timeWindowTimeZone, exclusive. */
  timeWindowEnd: string;
  /** IANA time zone of the window. */
  timeWindowTimeZone: string;
  /** Values for CUSTOM_PARAMETER('name') references. */
  parameterValues?: Record<string, unknown>;
  /** 900 to 86400 seconds. */
  workflowExecutionTimeoutSeconds?: number;
}

/** An execution as AMC returns it, normalised from the flat or wrapped response shape. */
export interface AmcExecution {
  workflowExecutionId: string;
  workflowId: string;
  status: AmcExecutionStatus;
  statusReason?: string;
  createTime?: string;
  lastUpdatedTime?: string;
  expireTime?: string;
  timeWindowStart?: string;
  timeWindowEnd?: string;
  timeWindowTimeZone?: string;
}

/** Filters of the list call; AMC requires workflowId or minCreationTime. */
export interface ListExecutionsRequest {
  amcInstanceId: string;
  workflowId?: string;
  minCreationTime?: string;
  maxCreationTime?: string;
  limit?: number;
  nextToken?: string;
  includeCancelled?: boolean;
  sortAscending?: boolean;
}

export interface ListExecutionsResponse {
  executions: AmcExecution[];
  nextToken?: string;
}

export interface DownloadUrlsResponse {
  downloadUrls: string[];
  metadataDownloadUrls?: string[];
  nextToken?: string;
}

/** Declared input parameter of a saved AMC workflow. */
export interface AmcInputParameter {
  name: string;
  dataType: string;
  defaultValue?: unknown;
}

/** A saved AMC workflow. */
export interface AmcWorkflow {
  workflowId: string;
  sqlQuery: string;
  inputParameters?: AmcInputParameter[];
  privacyFilteringBehavior?: "REMOVE_ROWS" | "REMOVE_VALUES";
}

/**
 * Fault class of a failed call, from which the scheduler picks its reaction:
 * - throttled: 429; wait `retryAfterMs` (or back off) and retry, slowing only that instance;
 * - transient: 5xx, timeouts and network errors; retry with backoff;
 * - permanent: 400, 403, 404, 422 and other client errors; do not retry the same request.
 * 401 is handled inside the client by refreshing the token once.
 */
export type AmcFaultKind = "throttled" | "transient" | "permanent";

/** Error of an AMC call, with AMC's `{code, details}` when it sent them. Never contains secrets. */
export class AmcApiError extends Error {
  override name = "AmcApiError";
  /**
   * True when the failed request may still have taken effect on AMC's side: a create that timed
   * out, got a 5xx or lost its connection after sending. Before submitting again, list the
   * workflow's executions and match them by time window.
   */
  readonly outcomeUnknown: boolean;
  constructor(
    message: string,
    readonly kind: AmcFaultKind,
    readonly httpStatus?: number,
    readonly code?: string,
    readonly details?: string,
    /** Milliseconds to wait before retrying, from Retry-After or the backoff policy. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; outcomeUnknown?: boolean },
  ) {
    super(message, options);
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}

/** The AMC operations the scheduler and the API use. */
export interface AmcClient {
  createExecution(
    account: AmcAccountConnection,
    request: CreateExecutionRequest,
  ): Promise<AmcExecution>;
  getExecution(
    account: AmcAccountConnection,
    amcInstanceId: string,
    executionId: string,
  ): Promise<AmcExecution>;
  cancelExecution(
    account: AmcAccountConnection,
    amcInstanceId: string,
    executionId: string,
  ): Promise<AmcExecution>;
  listExecutions(
    account: AmcAccountConnection,
    request: ListExecutionsRequest,
  ): Promise<ListExecutionsResponse>;
  /**
   * Returns the presigned URLs of every result file. AMC pages them (up to 5 per page); the
   * client follows `nextToken` itself, so the returned `nextToken` is always unset.
   */
  getDownloadUrls(
    account: AmcAccountConnection,
    amcInstanceId: string,
    executionId: string,
  ): Promise<DownloadUrlsResponse>;
  createWorkflow(
    account: AmcAccountConnection,
    amcInstanceId: string,
    workflow: AmcWorkflow,
  ): Promise<AmcWorkflow>;
  updateWorkflow(
    account: AmcAccountConnection,
    amcInstanceId: string,
    workflow: AmcWorkflow,
  ): Promise<AmcWorkflow>;
  getWorkflow(
    account: AmcAccountConnection,
    amcInstanceId: string,
    workflowId: string,
  ): Promise<AmcWorkflow>;
  deleteWorkflow(
    account: AmcAccountConnection,
    amcInstanceId: string,
    workflowId: string,
  ): Promise<void>;
  /** Streams one result file (CSV) from a presigned download URL. */
  downloadResult(url: string): Promise<Readable>;
}
