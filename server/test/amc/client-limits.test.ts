import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { createScaledClock } from "../../src/amc/clock.ts";
import { metricsRegistry } from "../../src/metrics.ts";
import { startScriptedAmcServer, type ScriptedAmcServer } from "../support/scripted-amc-server.ts";
import { manualClock, testAccount, testClient } from "./fixtures.ts";

let server: ScriptedAmcServer;
before(async () => {
  server = await startScriptedAmcServer();
});
beforeEach(() => {
  server.clearScripts();
  server.requests.length = 0;
});
after(() => server.stop());

function list(
  client: ReturnType<typeof testClient>,
  account = testAccount(server),
  instance = "amcA",
) {
  return client.listExecutions(account, { amcInstanceId: instance, workflowId: "w" });
}

/** Reads a counter's value, or a histogram's observation count, for the given labels. */
async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const values = (metric?.values ?? []) as {
    labels: Record<string, unknown>;
    value: number;
    metricName?: string;
  }[];
  const match = values.find(
    (value) =>
      (value.metricName === undefined || value.metricName === `${name}_count`) &&
      Object.entries(labels).every(([key, expected]) => value.labels[key] === expected),
  );
  return match?.value ?? 0;
}

describe("AMC client limits", () => {
  test("rate limit spaces requests", async () => {
    const clock = manualClock();
    const client = testClient({ clock, requestsPerSecond: 5 });
    const startMs = clock.now();
    await Promise.all(Array.from({ length: 20 }, () => list(client)));
    // The bucket starts with 5 tokens; the other 15 come at 200 ms intervals.
    assert.equal(clock.now() - startMs, 3000);
    assert.equal(server.amcRequests().length, 20);
  });

  test("rate limit is per account", async () => {
    const clock = manualClock();
    const client = testClient({ clock, requestsPerSecond: 5 });
    await Promise.all(Array.from({ length: 5 }, () => list(client)));
    const startMs = clock.now();
    await Promise.all(
      Array.from({ length: 5 }, () =>
        list(client, testAccount(server, { accountId: "account-2" })),
      ),
    );
    assert.equal(clock.now() - startMs, 0);
  });

  test("throttled instance waits, others proceed", async () => {
    // 1000 times faster: AMC's Retry-After of 300 s lasts 300 ms here.
    const client = testClient({
      clock: createScaledClock(1000),
      retry: { maxRetryDelayMs: 3_600_000 },
    });
    server.script("GET", /amcSlow\/workflowExecutions$/, {
      status: 429,
      headers: { "retry-after": "300" },
    });
    let slowDone = false;
    const slow = list(client, testAccount(server), "amcSlow").then(() => (slowDone = true));
    while (server.amcRequests().length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const laterSlow = list(client, testAccount(server), "amcSlow");
    await list(client, testAccount(server), "amcFast");
    // The other instance got its response while the throttled one was paused.
    assert.equal(slowDone, false);
    await Promise.all([slow, laterSlow]);

    const slowRequests = server.amcRequests().filter((request) => request.path.includes("amcSlow"));
    assert.equal(slowRequests.length, 3);
    const throttledAtMs = slowRequests[0]!.receivedAtMs;
    // The retry and the call started during the pause both waited it out.
    assert.ok(slowRequests[1]!.receivedAtMs - throttledAtMs >= 290);
    assert.ok(slowRequests[2]!.receivedAtMs - throttledAtMs >= 290);
  });

  test("stats count responses and throttling", async () => {
    const client = testClient();
    server.script(
      "GET",
      /amcStats\/workflowExecutions$/,
      { status: 429, headers: { "retry-after": "0" } },
      {
        status: 503,
      },
    );
    await list(client, testAccount(server), "amcStats");
    await list(client, testAccount(server), "amcStats");
    server.script("GET", /amcStats\/workflowExecutions$/, { status: 404, body: { code: "404" } });
    await assert.rejects(list(client, testAccount(server), "amcStats"));
    const [stats] = client.stats().filter((entry) => entry.amcInstanceId === "amcStats");
    assert.ok(stats);
    assert.equal(stats.accountId, "account-1");
    assert.equal(stats.requestCount, 5);
    assert.equal(stats.throttledCount, 1);
    assert.equal(stats.transientErrorCount, 1);
    assert.equal(stats.permanentErrorCount, 1);
    assert.ok(stats.meanResponseMs > 0);
    assert.ok(stats.p95ResponseMs >= stats.meanResponseMs / 5);
    assert.ok(stats.maxResponseMs >= stats.p95ResponseMs);
  });

  test("prometheus metrics record calls", async () => {
    const client = testClient();
    const throttledBefore = await metricValue("amc_collections_amc_throttled_total", {
      instance: "amcProm",
    });
    const okBefore = await metricValue("amc_collections_amc_request_duration_seconds", {
      operation: "listExecutions",
      status_class: "2xx",
    });
    server.script("GET", /amcProm\/workflowExecutions$/, {
      status: 429,
      headers: { "retry-after": "0" },
    });
    await list(client, testAccount(server), "amcProm");
    assert.equal(
      await metricValue("amc_collections_amc_throttled_total", { instance: "amcProm" }),
      throttledBefore + 1,
    );
    assert.equal(
      await metricValue("amc_collections_amc_request_duration_seconds", {
        operation: "listExecutions",
        status_class: "2xx",
      }),
      okBefore + 1,
    );
    const text = await metricsRegistry.metrics();
    assert.match(
      text,
      /amc_collections_amc_request_duration_seconds_bucket\{.*operation="listExecutions"/,
    );
  });
});
