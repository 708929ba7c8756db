import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { startTestSandbox, waitForTerminal, weekRequest, type TestSandbox } from "./helpers.ts";

// Fault injection, set in process and through the /_sandbox/ control routes.

const BASE = "/amc/reporting/faults1";

describe("sandbox faults", () => {
  let t: TestSandbox;
  before(async () => {
    t = await startTestSandbox();
    await t.sandbox.warmUp();
  });
  afterEach(() => {
    t.sandbox.faults.clear();
  });
  after(async () => {
    await t.stop();
  });

  test("throttle with Retry-After", async () => {
    t.sandbox.faults.add({ kind: "throttle", retryAfterSeconds: 7 });
    const response = await t.call("GET", `${BASE}/workflows`);
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), "7");
    assert.equal(response.body.code, "429");
  });

  test("throttle without Retry-After", async () => {
    t.sandbox.faults.add({ kind: "throttle" });
    const response = await t.call("GET", `${BASE}/workflows`);
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), null);
  });

  test("throttle with HTML body", async () => {
    t.sandbox.faults.add({ kind: "throttle", htmlBody: true });
    const response = await t.call("GET", `${BASE}/workflows`);
    assert.equal(response.status, 429);
    assert.match(response.headers.get("content-type")!, /text\/html/);
    assert.match(response.text, /^<html>/);
    assert.equal(response.body, undefined);
  });

  test("server error answers 500", async () => {
    t.sandbox.faults.add({ kind: "serverError" });
    const response = await t.call("GET", `${BASE}/workflows`);
    assert.equal(response.status, 500);
    assert.equal(response.body.code, "500");
  });

  test("gateway timeout answers 504", async () => {
    t.sandbox.faults.add({ kind: "gatewayTimeout" });
    const response = await t.call("GET", `${BASE}/workflows`);
    assert.equal(response.status, 504);
    assert.deepEqual(response.body, { message: "Endpoint request timed out" });
  });

  test("slow answer is delayed", async () => {
    t.sandbox.faults.add({ kind: "slow", delayMs: 300 });
    const startedMs = Date.now();
    const response = await t.call("GET", `${BASE}/workflows`);
    assert.equal(response.status, 200);
    assert.ok(Date.now() - startedMs >= 290);
  });

  test("dropped connection still creates", async () => {
    t.sandbox.faults.add({ kind: "dropAfterCreate", times: 1 });
    const before = t.sandbox.stats().executionsCreated.faults2 ?? 0;
    await assert.rejects(
      t.call("POST", "/amc/reporting/faults2/workflowExecutions", weekRequest("2026-05-04")),
    );
    assert.equal(t.sandbox.stats().executionsCreated.faults2, before + 1);
    const listed = await t.call(
      "GET",
      "/amc/reporting/faults2/workflowExecutions?minCreationTime=2026-01-01T00:00:00Z",
    );
    assert.equal(listed.body.executions.length, before + 1);
    const next = await t.call(
      "POST",
      "/amc/reporting/faults2/workflowExecutions",
      weekRequest("2026-05-04"),
    );
    assert.equal(next.status, 200);
  });

  test("everyNth and times limit firing", async () => {
    t.sandbox.faults.add({ kind: "serverError", everyNth: 3, times: 2 });
    const statuses: number[] = [];
    for (let index = 0; index < 9; index++) {
      statuses.push((await t.call("GET", `${BASE}/workflows`)).status);
    }
    assert.deepEqual(statuses, [200, 200, 500, 200, 200, 500, 200, 200, 200]);
  });

  test("rules match endpoint and instance", async () => {
    t.sandbox.faults.add({
      kind: "serverError",
      endpoints: ["createExecution"],
      instanceId: "faults3",
    });
    const other = await t.call(
      "POST",
      "/amc/reporting/faults4/workflowExecutions",
      weekRequest("2026-05-04"),
    );
    assert.equal(other.status, 200);
    const matched = await t.call(
      "POST",
      "/amc/reporting/faults3/workflowExecutions",
      weekRequest("2026-05-04"),
    );
    assert.equal(matched.status, 500);
    assert.equal((await t.call("GET", "/amc/reporting/faults3/workflows")).status, 200);
  });

  test("token endpoint can be faulted", async () => {
    t.sandbox.faults.add({ kind: "throttle", endpoints: ["token"], retryAfterSeconds: 1 });
    const response = await fetch(t.sandbox.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token&client_id=a&client_secret=b&refresh_token=c",
    });
    assert.equal(response.status, 429);
  });

  test("failExecution matches SQL text", async () => {
    t.sandbox.faults.add({
      kind: "failExecution",
      sqlContains: "marker_fail",
      reason: "Injected.",
    });
    const sql = "SELECT COUNT(1) AS marker_fail FROM dsp_clicks WHERE FALSE";
    const created = await t.call(
      "POST",
      `${BASE}/workflowExecutions`,
      weekRequest("2026-04-06", sql),
    );
    const failed = await waitForTerminal(t, "faults1", created.body.workflowExecutionId);
    assert.equal(failed.status, "FAILED");
    assert.equal(failed.statusReason, "Injected.");
    const clean = await t.call("POST", `${BASE}/workflowExecutions`, weekRequest("2026-04-06"));
    assert.equal(
      (await waitForTerminal(t, "faults1", clean.body.workflowExecutionId)).status,
      "SUCCEEDED",
    );
  });

  test("rejectExecution every second one", async () => {
    t.sandbox.faults.add({ kind: "rejectExecution", everyNth: 2 });
    const statuses: string[] = [];
    for (let index = 0; index < 4; index++) {
      const created = await t.call("POST", `${BASE}/workflowExecutions`, weekRequest("2026-03-02"));
      statuses.push(created.body.status);
    }
    assert.deepEqual(statuses, ["PENDING", "REJECTED", "PENDING", "REJECTED"]);
  });

  test("repeated window is rejected", async () => {
    t.sandbox.faults.add({ kind: "repeatedWindow", maxRunsPerWindow: 2 });
    const path = "/amc/reporting/faults5/workflowExecutions";
    const first = await t.call("POST", path, weekRequest("2026-02-02"));
    const second = await t.call("POST", path, weekRequest("2026-02-02"));
    const overlapping = await t.call("POST", path, {
      ...weekRequest("2026-02-02"),
      timeWindowStart: "2026-02-05T00:00:00",
      timeWindowEnd: "2026-02-12T00:00:00",
    });
    const elsewhere = await t.call("POST", path, weekRequest("2026-02-16"));
    assert.equal(first.body.status, "PENDING");
    assert.equal(second.body.status, "PENDING");
    assert.equal(overlapping.body.status, "REJECTED");
    assert.match(overlapping.body.statusReason, /same or overlapping time windows/);
    assert.equal(elsewhere.body.status, "PENDING");
  });

  test("counters count requests per endpoint", async () => {
    t.sandbox.resetStats();
    await t.call("GET", `${BASE}/workflows`);
    await t.call("GET", `${BASE}/workflows`);
    await t.call("GET", `${BASE}/workflowExecutions/nope`);
    const stats = t.sandbox.stats();
    assert.equal(stats.requests.listWorkflows, 2);
    assert.equal(stats.requests.getExecution, 1);
  });
});

describe("sandbox control routes", () => {
  let t: TestSandbox;
  before(async () => {
    t = await startTestSandbox();
  });
  after(async () => {
    await t.stop();
  });

  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${t.sandbox.url}/_sandbox/${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  test("faults set over HTTP", async () => {
    const put = await control("PUT", "faults", [{ kind: "gatewayTimeout", times: 1 }]);
    assert.equal(put.status, 200);
    assert.equal(put.body.length, 1);
    assert.equal((await t.call("GET", "/amc/reporting/c1/workflows")).status, 504);
    assert.equal((await t.call("GET", "/amc/reporting/c1/workflows")).status, 200);
    const listed = await control("GET", "faults");
    assert.equal(listed.body[0].fired, 1);

    const added = await control("POST", "faults", { kind: "serverError" });
    assert.equal(typeof added.body.id, "string");
    assert.equal((await t.call("GET", "/amc/reporting/c1/workflows")).status, 500);
    assert.equal((await control("DELETE", `faults/${added.body.id}`)).status, 200);
    assert.equal((await t.call("GET", "/amc/reporting/c1/workflows")).status, 200);
    await control("DELETE", "faults");
    assert.deepEqual((await control("GET", "faults")).body, []);
  });

  test("invalid fault rule gets 400", async () => {
    const response = await control("POST", "faults", { kind: "meteorStrike" });
    assert.equal(response.status, 400);
    assert.match(response.body.details, /meteorStrike/);
  });

  test("stats and config over HTTP", async () => {
    await control("POST", "stats/reset");
    await t.call("POST", "/amc/reporting/c2/workflowExecutions", weekRequest("2026-05-04"));
    const stats = await control("GET", "stats");
    assert.equal(stats.body.executionsCreated.c2, 1);
    assert.equal(stats.body.requests.createExecution, 1);
    const config = await control("PUT", "config", { executionDurationMs: 1234 });
    assert.equal(config.body.executionDurationMs, 1234);
    const bad = await control("PUT", "config", { executionDurationMs: -1 });
    assert.equal(bad.status, 400);
  });
});
