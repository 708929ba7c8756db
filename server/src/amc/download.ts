import type { Readable } from "node:stream";
import type { Logger } from "pino";
import type { RetryPolicy } from "./caller.ts";
import type { Clock } from "./clock.ts";
import { backoffDelayMs, faultKindOfStatus, parseErrorBody } from "./faults.ts";
import { amcRequestDuration } from "./metrics.ts";
import { openStream, TransportError, type StreamedResponse } from "./transport.ts";
import { AmcApiError } from "./types.ts";

// Result files come from presigned URLs (S3 in AMC), which carry their own signature in the
// query string: they get no Authorization header, and the query never reaches logs or errors.

/** Client settings and services that a download uses. */
export interface DownloadDependencies {
  clock: Clock;
  logger: Logger;
  random: () => number;
  requestTimeoutMs: number;
  retry: RetryPolicy;
}

/**
 * Opens a result file and returns its body as a stream. Failures before the body starts are
 * retried like any idempotent call; the stream itself is never buffered.
 */
export async function downloadResult(url: string, deps: DownloadDependencies): Promise<Readable> {
  const parsed = parseDownloadUrl(url);
  const shownUrl = `${parsed.origin}${parsed.pathname}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openOnce(parsed, shownUrl, attempt, deps);
    } catch (error) {
      if (!(error instanceof AmcApiError)) throw error;
      const delayMs = error.retryAfterMs ?? 0;
      const retryable = error.kind !== "permanent";
      if (!retryable || attempt >= deps.retry.maxAttempts || delayMs > deps.retry.maxRetryDelayMs) {
        throw error;
      }
      deps.logger.warn(
        { url: shownUrl, kind: error.kind, httpStatus: error.httpStatus, delayMs },
        `Download of ${shownUrl} failed (${error.kind}); retry ${attempt} of ` +
          `${deps.retry.maxAttempts - 1} in ${delayMs} ms`,
      );
      await deps.clock.sleep(delayMs);
    }
  }
}

function parseDownloadUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AmcApiError(
      "Download URL is not a valid URL: request new download URLs.",
      "permanent",
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new AmcApiError(
      `Download URL has the unsupported scheme "${parsed.protocol}": expected https or http.`,
      "permanent",
    );
  }
  return parsed;
}

async function openOnce(
  url: URL,
  shownUrl: string,
  attempt: number,
  deps: DownloadDependencies,
): Promise<Readable> {
  const startedMs = performance.now();

  let response: StreamedResponse;
  try {
    response = await openStream(url.toString(), deps.requestTimeoutMs);
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    observe(error.reason, startedMs);
    throw new AmcApiError(
      `Download of ${shownUrl} failed: ${error.message} Retry later.`,
      "transient",
      undefined,
      error.reason === "timeout" ? "RequestTimeout" : "NetworkError",
      undefined,
      backoffDelayMs(attempt, deps.retry, deps.random),
      { cause: error },
    );
  }
  observe(`${Math.floor(response.status / 100)}xx`, startedMs);
  if (response.ok) return response.body;

  const text = await response.text().catch(() => "");
  const body = parseErrorBody(text);
  const kind = faultKindOfStatus(response.status);
  // S3 returns 403 for an expired or tampered signature; presigned URLs last 10 minutes.
  const advice =
    response.status === 403
      ? "The presigned URL may have expired: request new download URLs."
      : kind === "permanent"
        ? "Request new download URLs."
        : "Retry later.";
  const reason = [body.code, body.details].filter(Boolean).join(": ") || "no error details";
  throw new AmcApiError(
    `Download of ${shownUrl} failed with HTTP ${response.status} (${reason}). ${advice}`,
    kind,
    response.status,
    body.code,
    body.details,
    kind === "permanent" ? undefined : backoffDelayMs(attempt, deps.retry, deps.random),
  );
}

function observe(statusClass: string, startedMs: number): void {
  amcRequestDuration.observe(
    { operation: "downloadResult", status_class: statusClass },
    (performance.now() - startedMs) / 1000,
  );
}
