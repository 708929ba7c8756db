import { AmcApiError, type AmcFaultKind } from "./types.ts";

// Turning HTTP responses into AmcApiError: the fault kind, AMC's `{code, details}` and the delay
// before a retry. Error bodies may be JSON, an HTML page from a proxy or empty, and none of
// these may crash the parser.

/** Exponential backoff with jitter. */
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

const maxDetailsLength = 500;

/** Returns the fault kind of an HTTP error status. 401 is handled before this by a refresh. */
export function faultKindOfStatus(status: number): AmcFaultKind {
  if (status === 429) return "throttled";
  if (status >= 500 || status === 408) return "transient";
  return "permanent";
}

/**
 * Parses Retry-After as delay-seconds or an HTTP date into milliseconds from `nowMs`; returns
 * undefined when the header is missing or invalid.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}

/**
 * Returns the delay before retry number `attempt` (1 for the first retry): a random value
 * between half and all of `baseDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`.
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const ceilingMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceilingMs * (0.5 + random() / 2));
}

/** AMC's error fields, read from a JSON body when there is one. */
export interface ErrorBody {
  code?: string;
  details?: string;
}

/** Reads `{code, details}` (or `{message}`) from an error body; other bodies give a summary. */
export function parseErrorBody(text: string): ErrorBody {
  const trimmed = text.trim();
  if (trimmed === "") return {};
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === "object") {
      const fields = parsed as Record<string, unknown>;
      const code = stringField(fields.code) ?? stringField(fields.error);
      const details =
        stringField(fields.details) ??
        stringField(fields.message) ??
        stringField(fields.error_description);
      return { code, details: details?.slice(0, maxDetailsLength) };
    }
  } catch {
    // Not JSON: an HTML error page or plain text, summarised below.
  }
  const withoutTags = trimmed
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return { details: withoutTags.slice(0, maxDetailsLength) || undefined };
}

function stringField(value: unknown): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** Replaces every occurrence of the given secrets in `text` with "[redacted]". */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Short values would redact ordinary words; real tokens and secrets are long.
    if (secret.length >= 8) result = result.split(secret).join("[redacted]");
  }
  return result;
}

/** Builds the AmcApiError of an HTTP error response. */
export function httpError(
  operation: string,
  status: number,
  body: ErrorBody,
  retryAfterMs: number | undefined,
  outcomeUnknown: boolean,
): AmcApiError {
  const kind = faultKindOfStatus(status);
  const reason = [body.code, body.details].filter(Boolean).join(": ") || "no error details";
  const advice = {
    throttled: "AMC is throttling this instance; retry after the delay.",
    transient: outcomeUnknown
      ? "The request may have taken effect: list the workflow's executions before submitting again."
      : "Retry later.",
    permanent: "Fix the request or the account's settings before retrying.",
  }[kind];
  return new AmcApiError(
    `AMC ${operation} failed with HTTP ${status} (${reason}). ${advice}`,
    kind,
    status,
    body.code,
    body.details,
    retryAfterMs,
    { outcomeUnknown },
  );
}
