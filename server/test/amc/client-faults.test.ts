import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { amcRetriesTotal } from "../../src/amc/metrics.ts";
import { AmcApiError } from "../../src/amc/types.ts";
import { startScriptedAmcServer, type ScriptedAmcServer } from "../support/scripted-amc-server.ts";
import { testAccount, testClient, weekRequest } from "./fixtures.ts";

let server: ScriptedAmcServer;
before(async () => {
  server = await startScriptedAmcServer();
});
beforeEach(() => {
  server.clearScripts();
  server.requests.length = 0;
});
after(() => server.stop());

const executionBody = {
  workflowExecutionId: "e-1",
  workflowId: "weekly-delivery",
  status: "RUNNING",
};
const getPath = /workflowExecutions\/e-1$/;

function isAmcError(check: (error: AmcApiError) => boolean) {
  return (error: unknown) => error instanceof AmcApiError && check(error);
}

function countRequests(method: string, path: RegExp): number {
  return server.amcRequests().filter((r) => r.method === method && path.test(r.path)).length;
}

/** Reads amc_collections_amc_retries_total for one instance and kind from the registry. */
async function retryCount(instance: string, kind: string): Promise<number> {
  const metric = await amcRetriesTotal.get();
  const value = metric.values.find(
    (entry) => entry.labels.instance === instance && entry.labels.kind === kind,
  );
  return value?.value ?? 0;
}

describe("AMC client faults", () => {
  test("429 with seconds is retried", async () => {
    const client = testClient();
    server.script(
      "GET",
      getPath,
      {
        status: 429,
        headers: { "retry-after": "0" },
        body: { code: "429", details: "Too Many Requests" },
      },
      { status: 200, body: executionBody },
    );
    const retriesBefore = await retryCount("amcabc123", "throttled");
    const execution = await client.getExecution(testAccount(server), "amcabc123", "e-1");
    assert.equal(execution.status, "RUNNING");
    assert.equal(countRequests("GET", getPath), 2);
    assert.equal(await retryCount("amcabc123", "throttled"), retriesBefore + 1);
  });

  test("429 Retry-After seconds sets delay", async () => {
    const client = testClient({ retry: { maxAttempts: 1 } });
    server.script("GET", getPath, { status: 429, headers: { "retry-after": "60" }, body: "" });
    await assert.rejects(
      client.getExecution(testAccount(server), "amcabc123", "e-1"),
      isAmcError((error) => error.kind === "throttled" && error.retryAfterMs === 60_000),
    );
  });

  test("429 Retry-After HTTP date", async () => {
    const client = testClient({ retry: { maxAttempts: 1 } });
    const retryAt = new Date(Date.now() + 30_000).toUTCString();
    server.script("GET", getPath, { status: 429, headers: { "retry-after": retryAt } });
    await assert.rejects(
      client.getExecution(testAccount(server), "amcabc123", "e-1"),
      isAmcError(
        (error) =>
          error.kind === "throttled" &&
          error.retryAfterMs !== undefined &&
          error.retryAfterMs > 25_000 &&
          error.retryAfterMs <= 30_000,
      ),
    );
  });

  test("429 HTML body without header", async () => {
    const client = testClient({ retry: { maxAttempts: 1, baseDelayMs: 400, maxDelayMs: 10_000 } });
    server.script("GET", getPath, {
      status: 429,
      headers: { "content-type": "text/html" },
      body: "<html><head><title>429</title></head><body><h1>Too Many Requests</h1></body></html>",
    });
    await assert.rejects(
      client.getExecution(testAccount(server), "amcabc123", "e-1"),
      isAmcError(
        (error) =>
          error.kind === "throttled" &&
          error.httpStatus === 429 &&
          // random() is 0.5 in tests: three quarters of the 400 ms base delay.
          error.retryAfterMs === 300 &&
          error.details === "429 Too Many Requests",
      ),
    );
  });

  test("429 backoff grows per attempt", async () => {
    const client = testClient({ retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 1000 } });
    server.script("GET", getPath, { status: 429 }, { status: 429 }, { status: 429 });
    const startedMs = Date.now();
    await assert.rejects(
      client.getExecution(testAccount(server), "amcabc123", "e-1"),
      isAmcError((error) => error.kind === "throttled" && error.retryAfterMs === 60),
    );
    // Waits of 15 ms and 30 ms come before the second and third attempts.
    assert.ok(Date.now() - startedMs >= 45);
    assert.equal(countRequests("GET", getPath), 3);
  });

  test("429 on create is retried", async () => {
    const client = testClient();
    server.script("POST", /workflowExecutions$/, { status: 429, headers: { "retry-after": "0" } });
    const before = server.executionCount("amc429");
    const execution = await client.createExecution(testAccount(server), {
      ...weekRequest,
      amcInstanceId: "amc429",
    });
    assert.equal(execution.status, "PENDING");
    assert.equal(server.executionCount("amc429"), before + 1);
  });

  for (const status of [500, 502, 503, 504]) {
    test(`${status} on get is retried`, async () => {
      const client = testClient();
      server.script(
        "GET",
        getPath,
        { status, body: { message: "Endpoint request timed out" } },
        { status: 200, body: executionBody },
      );
      const execution = await client.getExecution(testAccount(server), "amcabc123", "e-1");
      assert.equal(execution.workflowExecutionId, "e-1");
    });
  }

  test("5xx exhausts retries as transient", async () => {
    const client = testClient({ retry: { maxAttempts: 2 } });
    server.script(
      "GET",
      getPath,
      { status: 504, body: { message: "Endpoint request timed out" } },
      { status: 504, body: { message: "Endpoint request timed out" } },
    );
    await assert.rejects(
      client.getExecution(testAccount(server), "amcabc123", "e-1"),
      isAmcError(
        (error) =>
          error.kind === "transient" &&
          error.httpStatus === 504 &&
          error.details === "Endpoint request timed out" &&
          !error.outcomeUnknown &&
          error.retryAfterMs !== undefined,
      ),
    );
  });

  for (const status of [400, 403, 404, 422]) {
    test(`${status} is permanent with details`, async () => {
      const client = testClient();
      server.script("GET", getPath, {
        status,
        body: { code: String(status), details: `AMC said ${status}` },
      });
      await assert.rejects(
        client.getExecution(testAccount(server), "amcabc123", "e-1"),
        isAmcError(
          (error) =>
            error.kind === "permanent" &&
            error.httpStatus === status &&
            error.code === String(status) &&
            error.details === `AMC said ${status}` &&
            error.message.includes(`AMC said ${status}`),
        ),
      );
      assert.equal(countRequests("GET", getPath), 1);
    });
  }

  test("5xx on create is ambiguous", async () => {
    const client = testClient();
    server.script("POST", /workflowExecutions$/, {
      status: 500,
      body: { code: "500", details: "Internal" },
    });
    const before = server.amcRequests().length;
    await assert.rejects(
      client.createExecution(testAccount(server), weekRequest),
      isAmcError((error) => error.kind === "transient" && error.outcomeUnknown),
    );
    assert.equal(server.amcRequests().length, before + 1);
  });

  test("dropped connection on create", async () => {
    const client = testClient();
    server.script("POST", /workflowExecutions$/, { drop: "after" });
    const before = server.executionCount("amcdrop");
    await assert.rejects(
      client.createExecution(testAccount(server), { ...weekRequest, amcInstanceId: "amcdrop" }),
      isAmcError(
        (error) =>
          error.kind === "transient" && error.outcomeUnknown && error.code === "NetworkError",
      ),
    );
    // The execution exists although the client got no response, and it was not created twice.
    assert.equal(server.executionCount("amcdrop"), before + 1);
    const listed = await client.listExecutions(testAccount(server), {
      amcInstanceId: "amcdrop",
      workflowId: weekRequest.workflowId,
    });
    assert.equal(listed.executions.length, 1);
    assert.equal(listed.executions[0]?.timeWindowStart, weekRequest.timeWindowStart);
  });

  test("timeout on create is ambiguous", async () => {
    const client = testClient({ requestTimeoutMs: 100 });
    server.script("POST", /workflowExecutions$/, {
      delayMs: 300,
      status: 200,
      body: executionBody,
    });
    const before = server.amcRequests().length;
    await assert.rejects(
      client.createExecution(testAccount(server), weekRequest),
      isAmcError(
        (error) =>
          error.kind === "transient" && error.outcomeUnknown && error.code === "RequestTimeout",
      ),
    );
    assert.equal(server.amcRequests().length, before + 1);
  });

  test("timeout on get is retried", async () => {
    const client = testClient({ requestTimeoutMs: 100 });
    server.script(
      "GET",
      getPath,
      { delayMs: 300, status: 200, body: executionBody },
      {
        status: 200,
        body: executionBody,
      },
    );
    const execution = await client.getExecution(testAccount(server), "amcabc123", "e-1");
    assert.equal(execution.status, "RUNNING");
    assert.equal(countRequests("GET", getPath), 2);
  });

  test("dropped connection on get", async () => {
    const client = testClient();
    server.script("GET", getPath, { drop: "before" }, { status: 200, body: executionBody });
    const execution = await client.getExecution(testAccount(server), "amcabc123", "e-1");
    assert.equal(execution.status, "RUNNING");
  });

  test("refused connection on create is retried", async () => {
    // A port that was free a moment ago refuses connections, so the request was never sent.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = testClient({ retry: { maxAttempts: 2 } });
    const account = testAccount(server, { apiBaseUrl: `http://127.0.0.1:${port}` });
    await assert.rejects(
      client.createExecution(account, weekRequest),
      isAmcError(
        (error) =>
          error.kind === "transient" && !error.outcomeUnknown && error.code === "NetworkError",
      ),
    );
  });

  test("invalid JSON success body", async () => {
    const client = testClient({ retry: { maxAttempts: 1 } });
    server.script("POST", /workflowExecutions$/, { status: 200, body: "<html>ok</html>" });
    await assert.rejects(
      client.createExecution(testAccount(server), weekRequest),
      isAmcError((error) => error.code === "InvalidResponse" && error.outcomeUnknown),
    );
  });

  test("long Retry-After is not waited", async () => {
    const client = testClient({ retry: { maxRetryDelayMs: 1000 } });
    server.script("GET", getPath, { status: 429, headers: { "retry-after": "3600" } });
    const startedMs = Date.now();
    await assert.rejects(
      client.getExecution(testAccount(server), "amcabc123", "e-1"),
      isAmcError((error) => error.kind === "throttled" && error.retryAfterMs === 3_600_000),
    );
    assert.ok(Date.now() - startedMs < 1000);
    assert.equal(countRequests("GET", getPath), 1);
  });
});
