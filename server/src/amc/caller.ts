import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { Clock } from "./clock.ts";
import {
  backoffDelayMs,
  httpError,
  parseErrorBody,
  parseRetryAfterMs,
  redactSecrets,
  type BackoffPolicy,
} from "./faults.ts";
import type { InstanceThrottle } from "./instance-throttle.ts";
import {
  amcRequestDuration,
  amcRetriesTotal,
  amcRetryWaitSecondsTotal,
  amcThrottledTotal,
} from "./metrics.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import type { AmcStats } from "./stats.ts";
import type { TokenCache } from "./tokens.ts";
import {
  sendRequest,
  TransportError,
  type BufferedResponse,
  type HttpRequest,
} from "./transport.ts";
import { AmcApiError, type AmcAccountConnection } from "./types.ts";

// The path every AMC call takes: wait out the instance's throttling, take a rate-limit token,
// attach a fresh access token, send, classify the response, and retry what is safe to retry.

/** One call to AMC's reporting API. */
export interface AmcCall {
  /** Name of the client method, used in logs, errors and metrics. */
  operation: string;
  account: AmcAccountConnection;
  amcInstanceId: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path below `/amc/reporting/{instanceId}`, starting with a slash. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /**
   * False for a call that must not be sent twice after an ambiguous failure (creating an
   * execution): only failures that certainly did not reach AMC, and 429s, are retried.
   */
  idempotent: boolean;
}

/** Retry limits of the client. */
export interface RetryPolicy extends BackoffPolicy {
  /** Attempts per call, the first one included. */
  maxAttempts: number;
  /** A longer Retry-After or backoff is not waited out inside the call but thrown. */
  maxRetryDelayMs: number;
}

/** Client settings and services that the caller uses. */
export interface CallerDependencies {
  clock: Clock;
  logger: Logger;
  random: () => number;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  rateLimiter: RateLimiter;
  throttle: InstanceThrottle;
  tokens: TokenCache;
  stats: AmcStats;
}

/** Sends AMC calls with authentication, rate limiting, throttling and retries. */
export class AmcCaller {
  constructor(private readonly deps: CallerDependencies) {}

  /** Sends the call, retrying what is safe, and returns the parsed JSON body (or undefined). */
  async send(call: AmcCall): Promise<unknown> {
    const { retry, logger, clock, throttle, random } = this.deps;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(call, attempt);
      } catch (error) {
        if (!(error instanceof AmcApiError)) throw error;
        const delayMs = error.retryAfterMs ?? backoffDelayMs(attempt, retry, random);
        const retryable = error.kind !== "permanent" && !error.outcomeUnknown;
        if (!retryable || attempt >= retry.maxAttempts || delayMs > retry.maxRetryDelayMs) {
          throw error;
        }
        logger.warn(
          {
            operation: call.operation,
            amcInstanceId: call.amcInstanceId,
            kind: error.kind,
            httpStatus: error.httpStatus,
            code: error.code,
            delayMs,
          },
          `AMC ${call.operation} failed (${error.kind}); retry ${attempt} of ` +
            `${retry.maxAttempts - 1} in ${delayMs} ms`,
        );
        const labels = { instance: call.amcInstanceId, kind: error.kind };
        amcRetriesTotal.inc(labels);
        amcRetryWaitSecondsTotal.inc(labels, delayMs / 1000);
        // After a 429 from AMC the instance is already paused, and the next attempt waits for
        // that pause, so sleeping here as well would double the wait.
        if (throttle.remainingMs(instanceKeyOf(call)) === 0) await clock.sleep(delayMs);
      }
    }
  }

  private async attempt(call: AmcCall, attempt: number): Promise<unknown> {
    const { throttle, rateLimiter, tokens } = this.deps;
    const instanceKey = instanceKeyOf(call);
    await throttle.wait(instanceKey);
    await rateLimiter.take(call.account.accountId);
    let accessToken = await tokens.accessToken(call.account);
    let response = await this.exchange(call, accessToken, attempt);
    if (response.status === 401) {
      // An access token can be revoked or expire early: refresh once and send once more.
      tokens.invalidate(call.account, accessToken);
      accessToken = await tokens.accessToken(call.account);
      await rateLimiter.take(call.account.accountId);
      response = await this.exchange(call, accessToken, attempt);
    }
    if (response.status >= 200 && response.status < 300) {
      return this.parseBody(call, response, accessToken);
    }
    throw this.responseError(call, response, accessToken, attempt, instanceKey);
  }

  /** Sends one HTTP request and records its duration; network failures become AmcApiError. */
  private async exchange(
    call: AmcCall,
    accessToken: string,
    attempt: number,
  ): Promise<BufferedResponse> {
    const { requestTimeoutMs, stats, logger } = this.deps;
    const { account } = call;
    const headers: Record<string, string> = {
      authorization: `Bearer ${accessToken}`,
      "amazon-advertising-api-clientid": account.clientId,
      "amazon-advertising-api-advertiserid": account.entityId,
      "amazon-advertising-api-marketplaceid": account.marketplaceId,
      accept: "application/json",
    };
    const init: HttpRequest = { method: call.method, headers };
    if (call.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(call.body);
    }
    const startedMs = performance.now();
    try {
      const response = await sendRequest(requestUrl(call), init, requestTimeoutMs);
      const durationMs = performance.now() - startedMs;
      this.recordResponse(call, response.status, durationMs);
      logger.debug(
        {
          operation: call.operation,
          amcInstanceId: call.amcInstanceId,
          status: response.status,
          durationMs: Math.round(durationMs),
          attempt,
        },
        `AMC ${call.operation} returned HTTP ${response.status} in ${Math.round(durationMs)} ms`,
      );
      return response;
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      const durationMs = performance.now() - startedMs;
      amcRequestDuration.observe(
        { operation: call.operation, status_class: error.reason },
        durationMs / 1000,
      );
      stats.record(account.accountId, call.amcInstanceId, durationMs, "transient");
      const outcomeUnknown = !call.idempotent && error.requestMayHaveBeenSent;
      const advice = outcomeUnknown
        ? "The request may have taken effect: list the workflow's executions before submitting again."
        : "Retry later.";
      throw new AmcApiError(
        `AMC ${call.operation} on instance ${call.amcInstanceId} failed: ${error.message} ${advice}`,
        "transient",
        undefined,
        error.reason === "timeout" ? "RequestTimeout" : "NetworkError",
        undefined,
        backoffDelayMs(attempt, this.deps.retry, this.deps.random),
        { cause: error, outcomeUnknown },
      );
    }
  }

  private recordResponse(call: AmcCall, status: number, durationMs: number): void {
    const statusClass = `${Math.floor(status / 100)}xx`;
    amcRequestDuration.observe(
      { operation: call.operation, status_class: statusClass },
      durationMs / 1000,
    );
    let outcome: "ok" | "throttled" | "transient" | "permanent" = "ok";
    if (status === 429) outcome = "throttled";
    else if (status >= 500) outcome = "transient";
    else if (status >= 400) outcome = "permanent";
    this.deps.stats.record(call.account.accountId, call.amcInstanceId, durationMs, outcome);
  }

  private parseBody(call: AmcCall, response: BufferedResponse, accessToken: string): unknown {
    if (response.text.trim() === "") return undefined;
    try {
      return JSON.parse(response.text);
    } catch (error) {
      const redacted = redactSecrets(response.text, secretsOf(call.account, accessToken));
      const excerpt = redacted.slice(0, 200);
      throw new AmcApiError(
        `AMC ${call.operation} returned HTTP ${response.status} with a body that is not JSON ` +
          `(starts: ${JSON.stringify(excerpt)}).`,
        "transient",
        response.status,
        "InvalidResponse",
        undefined,
        undefined,
        { cause: error, outcomeUnknown: !call.idempotent },
      );
    }
  }

  private responseError(
    call: AmcCall,
    response: BufferedResponse,
    accessToken: string,
    attempt: number,
    instanceKey: string,
  ): AmcApiError {
    const { clock, retry, random, throttle } = this.deps;
    const body = parseErrorBody(redactSecrets(response.text, secretsOf(call.account, accessToken)));
    if (response.status === 429) {
      const retryAfterMs =
        parseRetryAfterMs(response.headers.get("retry-after"), clock.now()) ??
        backoffDelayMs(attempt, retry, random);
      throttle.throttle(instanceKey, retryAfterMs);
      amcThrottledTotal.inc({ instance: call.amcInstanceId });
      // A 429 means AMC did not process the request, so even a create may be sent again.
      return httpError(call.operation, 429, body, retryAfterMs, false);
    }
    if (response.status >= 500 || response.status === 408) {
      return httpError(
        call.operation,
        response.status,
        body,
        backoffDelayMs(attempt, retry, random),
        !call.idempotent,
      );
    }
    if (response.status === 401) {
      const details = body.details ? `: ${body.details}` : "";
      const refreshedBody = {
        code: body.code ?? "Unauthorized",
        details: `AMC rejected a freshly refreshed access token${details}`,
      };
      return httpError(call.operation, 401, refreshedBody, undefined, false);
    }
    return httpError(call.operation, response.status, body, undefined, false);
  }
}

function instanceKeyOf(call: AmcCall): string {
  return `${call.account.accountId}\n${call.amcInstanceId}`;
}

function secretsOf(account: AmcAccountConnection, accessToken: string): string[] {
  return [accessToken, account.clientSecret, account.refreshToken];
}

function requestUrl(call: AmcCall): string {
  const base = call.account.apiBaseUrl.replace(/\/+$/, "");
  const url = new URL(
    `${base}/amc/reporting/${encodeURIComponent(call.amcInstanceId)}${call.path}`,
  );
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url.toString();
}
