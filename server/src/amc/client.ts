import { pino, type Logger } from "pino";
import type { Config } from "../config.ts";
import { AmcCaller, type AmcCall, type RetryPolicy } from "./caller.ts";
import { systemClock, type Clock } from "./clock.ts";
import { downloadResult } from "./download.ts";
import { InstanceThrottle } from "./instance-throttle.ts";
import { amcTokenRefreshesTotal } from "./metrics.ts";
import {
  AmcResponseError,
  parseDownloadUrls,
  parseExecution,
  parseExecutionList,
  parseWorkflow,
} from "./parse.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { AmcStats, type AmcInstanceStats } from "./stats.ts";
import { TokenCache } from "./tokens.ts";
import {
  AmcApiError,
  type AmcClient,
  type AmcWorkflow,
  type CreateExecutionRequest,
  type DownloadUrlsResponse,
} from "./types.ts";

// HTTP client of AMC's reporting API (workflow executions and saved workflows), with Login with
// Amazon tokens, a client-side rate limit per account, per-instance throttling and retries.

/** Settings of the AMC client. */
export interface AmcClientOptions {
  logger?: Logger;
  /** Timeout of each HTTP request, covering the whole response (for downloads, the headers). */
  requestTimeoutMs: number;
  /** Client-side limit of AMC calls per account. */
  requestsPerSecond: number;
  /** Time source of waits and token expiry; tests pass a faster clock. */
  clock?: Clock;
  /** Random numbers in [0, 1) for backoff jitter. */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Access tokens are refreshed this long before they expire; default 60 s. */
  tokenRefreshMarginMs?: number;
}

/** The AMC client with its operator figures. */
export interface AmcHttpClient extends AmcClient {
  /** Response times and fault counts per AMC instance. */
  stats(): AmcInstanceStats[];
}

const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRetryDelayMs: 120_000,
};

/** Returns the client options that the server's configuration sets. */
export function amcClientOptionsFromConfig(config: Config, logger: Logger): AmcClientOptions {
  return {
    logger,
    requestTimeoutMs: config.scheduler.amcRequestTimeoutMs,
    requestsPerSecond: config.scheduler.amcRequestsPerSecond,
  };
}

/** Creates an AMC client; its caches and limits live as long as the returned object. */
export function createAmcClient(options: AmcClientOptions): AmcHttpClient {
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? pino({ level: "silent" })).child({ component: "amc-client" });
  const retry = { ...defaultRetryPolicy, ...options.retry };
  const stats = new AmcStats();
  const caller = new AmcCaller({
    clock,
    logger,
    random: options.random ?? Math.random,
    requestTimeoutMs: options.requestTimeoutMs,
    retry,
    rateLimiter: new RateLimiter(clock, options.requestsPerSecond),
    throttle: new InstanceThrottle(clock),
    tokens: new TokenCache({
      clock,
      logger,
      requestTimeoutMs: options.requestTimeoutMs,
      refreshMarginMs: options.tokenRefreshMarginMs ?? 60_000,
      onRefresh: () => amcTokenRefreshesTotal.inc(),
    }),
    stats,
  });

  async function call<T>(spec: AmcCall, parse: (body: unknown) => T): Promise<T> {
    const body = await caller.send(spec);
    try {
      return parse(body);
    } catch (error) {
      if (!(error instanceof AmcResponseError)) throw error;
      throw new AmcApiError(
        `AMC ${spec.operation} on instance ${spec.amcInstanceId} returned an unexpected ` +
          `body: ${error.message}`,
        "permanent",
        undefined,
        "InvalidResponse",
        error.message,
        undefined,
        { cause: error, outcomeUnknown: !spec.idempotent },
      );
    }
  }

  const executionPath = (id: string) => `/workflowExecutions/${encodeURIComponent(id)}`;
  const workflowPath = (id: string) => `/workflows/${encodeURIComponent(id)}`;

  return {
    stats: () => stats.snapshot(),

    createExecution: async (account, request) =>
      call(
        {
          operation: "createExecution",
          account,
          amcInstanceId: request.amcInstanceId,
          method: "POST",
          path: "/workflowExecutions",
          body: createExecutionBody(request),
          idempotent: false,
        },
        parseExecution,
      ),

    getExecution: (account, amcInstanceId, executionId) =>
      call(
        {
          operation: "getExecution",
          account,
          amcInstanceId,
          method: "GET",
          path: executionPath(executionId),
          idempotent: true,
        },
        parseExecution,
      ),

    cancelExecution: async (account, amcInstanceId, executionId) => {
      const body = await call(
        {
          operation: "cancelExecution",
          account,
          amcInstanceId,
          method: "PUT",
          path: executionPath(executionId),
          body: { status: "CANCELLED" },
          // Setting the status to CANCELLED twice has the same effect as once.
          idempotent: true,
        },
        (response) => response,
      );
      if (body !== undefined) return parseExecutionOrThrow(body, amcInstanceId);
      // AMC may return an empty body for a cancel; fetch the execution's new state.
      return call(
        {
          operation: "getExecution",
          account,
          amcInstanceId,
          method: "GET",
          path: executionPath(executionId),
          idempotent: true,
        },
        parseExecution,
      );
    },

    listExecutions: async (account, request) => {
      if (!request.workflowId && !request.minCreationTime) {
        throw new AmcApiError(
          "listExecutions needs workflowId or minCreationTime: AMC rejects a list without either.",
          "permanent",
        );
      }
      return call(
        {
          operation: "listExecutions",
          account,
          amcInstanceId: request.amcInstanceId,
          method: "GET",
          path: "/workflowExecutions",
          query: {
            workflowId: request.workflowId,
            minCreationTime: request.minCreationTime,
            maxCreationTime: request.maxCreationTime,
            limit: request.limit,
            nextToken: request.nextToken,
            includeCancelled: request.includeCancelled,
            sortAscending: request.sortAscending,
          },
          idempotent: true,
        },
        parseExecutionList,
      );
    },

    getDownloadUrls: async (account, amcInstanceId, executionId) => {
      const all: Required<Omit<DownloadUrlsResponse, "nextToken">> = {
        downloadUrls: [],
        metadataDownloadUrls: [],
      };
      const seenTokens = new Set<string>();
      let nextToken: string | undefined;
      do {
        const page = await call(
          {
            operation: "getDownloadUrls",
            account,
            amcInstanceId,
            method: "GET",
            path: `${executionPath(executionId)}/downloadUrls`,
            query: { nextToken },
            idempotent: true,
          },
          parseDownloadUrls,
        );
        all.downloadUrls.push(...page.downloadUrls);
        all.metadataDownloadUrls.push(...(page.metadataDownloadUrls ?? []));
        nextToken = page.nextToken;
        // A token seen before would page forever.
        if (nextToken !== undefined && seenTokens.has(nextToken)) {
          throw new AmcApiError(
            `AMC getDownloadUrls on instance ${amcInstanceId} returned nextToken ` +
              `"${nextToken}" twice for execution ${executionId}.`,
            "transient",
            undefined,
            "InvalidResponse",
          );
        }
        if (nextToken !== undefined) seenTokens.add(nextToken);
      } while (nextToken !== undefined);
      return all;
    },

    createWorkflow: (account, amcInstanceId, workflow) =>
      call(
        {
          operation: "createWorkflow",
          account,
          amcInstanceId,
          method: "POST",
          path: "/workflows",
          body: workflowBody(workflow),
          // Sent twice, a create that did succeed fails with "already exists", so an ambiguous
          // failure is reported for the caller to check with getWorkflow instead.
          idempotent: false,
        },
        (body) => (body === undefined ? workflow : parseWorkflow(body)),
      ),

    updateWorkflow: (account, amcInstanceId, workflow) =>
      call(
        {
          operation: "updateWorkflow",
          account,
          amcInstanceId,
          method: "PUT",
          path: workflowPath(workflow.workflowId),
          body: workflowBody(workflow),
          idempotent: true,
        },
        (body) => (body === undefined ? workflow : parseWorkflow(body)),
      ),

    getWorkflow: (account, amcInstanceId, workflowId) =>
      call(
        {
          operation: "getWorkflow",
          account,
          amcInstanceId,
          method: "GET",
          path: workflowPath(workflowId),
          idempotent: true,
        },
        parseWorkflow,
      ),

    deleteWorkflow: async (account, amcInstanceId, workflowId) => {
      await call(
        {
          operation: "deleteWorkflow",
          account,
          amcInstanceId,
          method: "DELETE",
          path: workflowPath(workflowId),
          idempotent: true,
        },
        () => undefined,
      );
    },

    downloadResult: (url) =>
      downloadResult(url, {
        clock,
        logger,
        random: options.random ?? Math.random,
        requestTimeoutMs: options.requestTimeoutMs,
        retry,
      }),
  };
}

function parseExecutionOrThrow(body: unknown, amcInstanceId: string) {
  try {
    return parseExecution(body);
  } catch (error) {
    if (!(error instanceof AmcResponseError)) throw error;
    throw new AmcApiError(
      `AMC cancelExecution on instance ${amcInstanceId} returned an unexpected body: ${error.message}`,
      "permanent",
      undefined,
      "InvalidResponse",
      error.message,
      undefined,
      { cause: error },
    );
  }
}

/** Builds the POST body; AMC rejects a request that has both or neither of workflow and id. */
function createExecutionBody(request: CreateExecutionRequest): Record<string, unknown> {
  const hasWorkflowId = request.workflowId !== undefined && request.workflowId !== "";
  const hasSql = request.sqlQuery !== undefined && request.sqlQuery !== "";
  if (hasWorkflowId === hasSql) {
    throw new AmcApiError(
      "createExecution needs exactly one of workflowId and sqlQuery, " +
        `got ${hasWorkflowId ? "both" : "neither"}.`,
      "permanent",
    );
  }
  return {
    ...(hasWorkflowId
      ? { workflowId: request.workflowId }
      : { workflow: { sqlQuery: request.sqlQuery } }),
    timeWindowType: "EXPLICIT",
    timeWindowStart: request.timeWindowStart,
    timeWindowEnd: request.timeWindowEnd,
    timeWindowTimeZone: request.timeWindowTimeZone,
    ...(request.parameterValues ? { parameterValues: request.parameterValues } : {}),
    ...(request.workflowExecutionTimeoutSeconds !== undefined
      ? { workflowExecutionTimeoutSeconds: request.workflowExecutionTimeoutSeconds }
      : {}),
  };
}

function workflowBody(workflow: AmcWorkflow): Record<string, unknown> {
  return {
    workflowId: workflow.workflowId,
    sqlQuery: workflow.sqlQuery,
    ...(workflow.inputParameters ? { inputParameters: workflow.inputParameters } : {}),
    ...(workflow.privacyFilteringBehavior
      ? { privacyFilteringBehavior: workflow.privacyFilteringBehavior }
      : {}),
  };
}
