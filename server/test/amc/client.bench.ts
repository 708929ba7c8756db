import { performance } from "node:perf_hooks";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startScriptedAmcServer } from "../support/scripted-amc-server.ts";
import { testAccount, testClient, weekRequest } from "./fixtures.ts";

// Prints figures of the AMC client against loopback servers: latency of a polling call,
// throughput of concurrent polling under the client-side rate limit, and download speed.
// Run: cd server && node --import tsx test/amc/client.bench.ts

function percentile(sortedMs: number[], fraction: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(sortedMs.length * fraction) - 1)] ?? 0;
}

async function measurePolling(): Promise<void> {
  const server = await startScriptedAmcServer();
  try {
    const client = testClient({ requestsPerSecond: 10_000 });
    const account = testAccount(server);
    const created = await client.createExecution(account, weekRequest);
    const durationsMs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const startedMs = performance.now();
      await client.getExecution(account, weekRequest.amcInstanceId, created.workflowExecutionId);
      durationsMs.push(performance.now() - startedMs);
    }
    durationsMs.sort((a, b) => a - b);
    console.log(
      `getExecution, 2000 sequential calls: p50 ${percentile(durationsMs, 0.5).toFixed(2)} ms, ` +
        `p95 ${percentile(durationsMs, 0.95).toFixed(2)} ms, ` +
        `max ${durationsMs.at(-1)!.toFixed(2)} ms`,
    );

    const limited = testClient({ requestsPerSecond: 50 });
    const startedMs = performance.now();
    await Promise.all(
      Array.from({ length: 200 }, () =>
        limited.getExecution(account, weekRequest.amcInstanceId, created.workflowExecutionId),
      ),
    );
    const seconds = (performance.now() - startedMs) / 1000;
    console.log(
      `getExecution, 200 concurrent calls at a 50/s limit: ${seconds.toFixed(2)} s, ` +
        `${(200 / seconds).toFixed(1)} requests/s`,
    );
  } finally {
    await server.stop();
  }
}

async function measureDownload(): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, "x");
  const chunkCount = 256;
  const fileServer = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/csv" });
    let sent = 0;
    const writeMore = () => {
      while (sent < chunkCount) {
        sent += 1;
        if (!res.write(chunk)) return void res.once("drain", writeMore);
      }
      res.end();
    };
    writeMore();
  });
  await new Promise<void>((resolve) => fileServer.listen(0, "127.0.0.1", resolve));
  try {
    const port = (fileServer.address() as AddressInfo).port;
    const client = testClient();
    const rssBeforeBytes = process.memoryUsage().rss;
    const startedMs = performance.now();
    const stream = await client.downloadResult(`http://127.0.0.1:${port}/part-0.csv`);
    let bytes = 0;
    let peakRssBytes = rssBeforeBytes;
    for await (const piece of stream) {
      bytes += (piece as Buffer).length;
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
    }
    const seconds = (performance.now() - startedMs) / 1000;
    const mebibytes = bytes / 1024 / 1024;
    console.log(
      `downloadResult, ${mebibytes} MiB: ${(mebibytes / seconds).toFixed(0)} MiB/s, ` +
        `resident memory grew by at most ${((peakRssBytes - rssBeforeBytes) / 1024 / 1024).toFixed(0)} MiB`,
    );
  } finally {
    await new Promise<void>((resolve) => fileServer.close(() => resolve()));
  }
}

await measurePolling();
await measureDownload();
