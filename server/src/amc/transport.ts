// One HTTP exchange with a timeout, and the classification of failures that produced no HTTP
// status. Whether the request may have reached the server matters for calls that are not
// idempotent: a refused connection never sent anything, a reset or a timeout may have.

/** Connection error codes that mean the request was never sent. */
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** A request that failed without an HTTP status: a timeout or a network error. */
export class TransportError extends Error {
  override name = "TransportError";
  constructor(
    message: string,
    readonly reason: "timeout" | "network",
    /** False only when the connection failed before any byte of the request was sent. */
    readonly requestMayHaveBeenSent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An HTTP response with its whole body read as text. */
export interface BufferedResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends a request and reads the whole body; the timeout covers both. */
export async function sendRequest(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<BufferedResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    throw toTransportError(error, controller.signal.aborted, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends a GET and returns the response as soon as its headers arrive. The timeout covers only
 * the wait for the headers, so a long download is not cut off.
 */
export async function openStream(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } catch (error) {
    throw toTransportError(error, controller.signal.aborted, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

function toTransportError(error: unknown, timedOut: boolean, timeoutMs: number): TransportError {
  if (timedOut) {
    return new TransportError(`Request timed out after ${timeoutMs} ms.`, "timeout", true, {
      cause: error,
    });
  }
  const code = errorCode(error);
  const sent = code === undefined || !notSentCodes.has(code);
  return new TransportError(`Network error${code ? ` ${code}` : ""}.`, "network", sent, {
    cause: error,
  });
}

/** Finds the system error code in fetch's `TypeError: fetch failed` and its causes. */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const record = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof record.code === "string") return record.code;
    if (Array.isArray(record.errors) && record.errors.length > 0) current = record.errors[0];
    else current = record.cause;
  }
  return undefined;
}
