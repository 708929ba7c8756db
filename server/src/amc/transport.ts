import http, { type ClientRequest, type IncomingMessage } from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

// One HTTP exchange with a timeout, and the classification of failures that produced no HTTP
// status. Whether the request may have reached the server matters for calls that are not
// idempotent: a refused connection never sent anything, a reset or a timeout may have.
//
// Requests go through node:http with keep-alive agents rather than fetch, because the scheduler
// makes five or more calls per week and fetch's web streams and header objects add CPU time to
// each of them. For the same reason a timeout destroys the request from a plain timer instead
// of through an AbortSignal, whose listeners took about 6% of the scheduler's CPU time.

/** Connection error codes that mean the request was never sent. */
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * Idle sockets are closed after this long. It is below Node.js servers' default keep-alive
 * timeout of 5 s, so a request is never written to a socket the server is closing.
 */
const idleSocketTimeoutMs = 4_000;

const agents = {
  "http:": new http.Agent({ keepAlive: true, timeout: idleSocketTimeoutMs }),
  "https:": new https.Agent({ keepAlive: true, timeout: idleSocketTimeoutMs }),
};

/** A request: method, headers and an optional text body. */
export interface HttpRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Response headers, looked up by lower-case name. */
export interface ResponseHeaders {
  get(name: string): string | null;
}

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
  headers: ResponseHeaders;
  text: string;
}

/** A response whose body is still to be read. */
export interface StreamedResponse {
  status: number;
  ok: boolean;
  headers: ResponseHeaders;
  body: Readable;
  /** Reads the whole body as text. */
  text(): Promise<string>;
}

function headersOf(message: IncomingMessage): ResponseHeaders {
  return {
    get(name) {
      const value = message.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

function readText(message: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on("data", (chunk: Buffer) => chunks.push(chunk));
    message.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    message.once("error", reject);
    message.once("aborted", () => reject(new Error("response aborted")));
  });
}

/** The timer of one exchange; when it fires, the request in flight is destroyed. */
class Deadline {
  expired = false;
  private request?: ClientRequest;
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.request?.destroy(new Error(`Request timed out after ${timeoutMs} ms.`));
    }, timeoutMs);
  }

  watch(request: ClientRequest): void {
    this.request = request;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** Sends the request and resolves with the response once its headers arrive. */
function send(url: string, request: HttpRequest, deadline: Deadline): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      reject(error);
      return;
    }
    const protocol = parsed.protocol as keyof typeof agents;
    const module = protocol === "https:" ? https : http;
    if (!(protocol in agents)) {
      reject(new Error(`Unsupported URL scheme "${parsed.protocol}": expected http: or https:.`));
      return;
    }
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body);
    const outgoing = module.request(parsed, {
      method: request.method,
      headers,
      agent: agents[protocol],
    });
    deadline.watch(outgoing);
    outgoing.once("response", resolve);
    outgoing.once("error", reject);
    outgoing.end(request.body);
  });
}

/** Runs `exchange` with a deadline that destroys its request after `timeoutMs`. */
async function withTimeout<T>(
  timeoutMs: number,
  exchange: (deadline: Deadline) => Promise<T>,
): Promise<T> {
  const deadline = new Deadline(timeoutMs);
  try {
    return await exchange(deadline);
  } catch (error) {
    throw toTransportError(error, deadline.expired, timeoutMs);
  } finally {
    deadline.clear();
  }
}

/** Sends a request and reads the whole body; the timeout covers both. */
export function sendRequest(
  url: string,
  request: HttpRequest,
  timeoutMs: number,
): Promise<BufferedResponse> {
  return withTimeout(timeoutMs, async (deadline) => {
    const message = await send(url, request, deadline);
    const text = await readText(message);
    return { status: message.statusCode ?? 0, headers: headersOf(message), text };
  });
}

/**
 * Sends a GET and returns the response as soon as its headers arrive. The timeout covers only
 * the wait for the headers, so a long download is not cut off.
 */
export async function openStream(url: string, timeoutMs: number): Promise<StreamedResponse> {
  const message = await withTimeout(timeoutMs, (deadline) =>
    send(url, { method: "GET" }, deadline),
  );
  const status = message.statusCode ?? 0;
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: headersOf(message),
    body: message,
    text: () => readText(message),
  };
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

/** Finds the system error code in an error or its causes (AggregateError for multiple addresses). */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const record = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof record.code === "string") return record.code;
    if (Array.isArray(record.errors) && record.errors.length > 0) current = record.errors[0];
    else current = record.cause;
  }
  return undefined;
}
