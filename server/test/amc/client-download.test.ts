import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { AmcApiError } from "../../src/amc/types.ts";
import { testClient } from "./fixtures.ts";

// A file server that writes its body slowly, chunk by chunk, so the test can see whether the
// client hands out the stream before the whole file was sent.

const chunkBytes = 64 * 1024;
const chunkCount = 40;
const chunkPauseMs = 10;

let server: Server;
let baseUrl: string;
let finished = false;
const seenHeaders: Record<string, unknown>[] = [];
let failuresLeft = 0;

before(async () => {
  server = createServer((req, res) => {
    seenHeaders.push({ ...req.headers });
    if (req.url?.startsWith("/expired")) {
      res.writeHead(403, { "content-type": "application/xml" });
      res.end("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
      return;
    }
    if (req.url?.startsWith("/flaky") && failuresLeft > 0) {
      failuresLeft -= 1;
      res.writeHead(503).end("Slow Down");
      return;
    }
    finished = false;
    res.writeHead(200, { "content-type": "text/csv" });
    let sent = 0;
    const writeNext = () => {
      if (sent === chunkCount) {
        finished = true;
        res.end();
        return;
      }
      res.write(Buffer.alloc(chunkBytes, sent % 2 ? "a" : "b"));
      sent += 1;
      setTimeout(writeNext, chunkPauseMs);
    };
    writeNext();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("AMC client downloads", () => {
  test("download streams before body ends", async () => {
    // The 200 ms timeout is shorter than the 400 ms body: only the headers are timed.
    const client = testClient({ requestTimeoutMs: 200 });
    const stream = await client.downloadResult(`${baseUrl}/result/part-0.csv?X-Amz-Signature=abc`);
    let bytes = 0;
    let finishedAtFirstChunk: boolean | undefined;
    for await (const chunk of stream) {
      finishedAtFirstChunk ??= finished;
      bytes += (chunk as Buffer).length;
    }
    assert.equal(finishedAtFirstChunk, false);
    assert.equal(bytes, chunkBytes * chunkCount);
    assert.equal(seenHeaders.at(-1)?.authorization, undefined);
    assert.equal(seenHeaders.at(-1)?.["amazon-advertising-api-clientid"], undefined);
  });

  test("expired URL is permanent", async () => {
    const client = testClient();
    await assert.rejects(
      client.downloadResult(`${baseUrl}/expired/part-0.csv?X-Amz-Expires=600`),
      (error: unknown) =>
        error instanceof AmcApiError &&
        error.kind === "permanent" &&
        error.httpStatus === 403 &&
        /expired/.test(error.message) &&
        error.details === "AccessDenied Request has expired",
    );
  });

  test("transient download failure is retried", async () => {
    const client = testClient();
    failuresLeft = 2;
    const stream = await client.downloadResult(`${baseUrl}/flaky/part-1.csv`);
    let bytes = 0;
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    assert.equal(bytes, chunkBytes * chunkCount);
    assert.equal(failuresLeft, 0);
  });

  test("non-HTTP download URL rejected", async () => {
    const client = testClient();
    await assert.rejects(
      client.downloadResult("file:///etc/passwd"),
      (error: unknown) => error instanceof AmcApiError && error.kind === "permanent",
    );
  });
});
