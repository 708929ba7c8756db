import type { ServerResponse } from "node:http";

/** Raised when the client went away while a response was being streamed. */
export class ClientClosedError extends Error {
  override name = "ClientClosedError";
}

/**
 * Writes a chunk and waits while the socket buffer is full, so that a slow client holds
 * back the database reads instead of making the response pile up in memory.
 */
export async function writeChunk(res: ServerResponse, chunk: string): Promise<void> {
  if (res.destroyed) throw new ClientClosedError("The client closed the connection.");
  if (res.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      res.off("close", onClose);
      resolve();
    };
    const onClose = () => {
      res.off("drain", onDrain);
      reject(new ClientClosedError("The client closed the connection."));
    };
    res.once("drain", onDrain);
    res.once("close", onClose);
  });
}

/** Sends a JSON error body. */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  body: { error: string; [key: string]: unknown },
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(JSON.stringify(body));
}
