import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestSandbox, waitForTerminal, weekRequest, type TestSandbox } from "./helpers.ts";

// Execution lifecycle with a manual clock: the sandbox's timers run, but due times are read from
// the clock, so the tests move the clock and then poll.

const MINUTE_MS = 60_000;

async function pollStatus(t: TestSandbox, base: string, id: string): Promise<any> {
  // Lets the sandbox start queued executions and finish queries before reading.
  await new Promise((resolve) => setTimeout(resolve, 30));
  return (await t.call("GET", `${base}/workflowExecutions/${id}`)).body;
}

async function settle(t: TestSandbox, base: string, ids: string[], accept: (s: string) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const statuses = await Promise.all(ids.map((id) => pollStatus(t, base, id)));
    if (statuses.every((body) => accept(body.status))) return statuses;
    if (Date.now() > deadline) throw new Error(`statuses: ${statuses.map((s) => s.status)}`);
  }
}

describe("sandbox lifecycle", () => {
  let t: TestSandbox;
  before(async () => {
    t = await startTestSandbox({ executionDurationMs: 10 * MINUTE_MS });
    await t.sandbox.warmUp();
  });
  after(async () => {
    await t.stop();
  });

  test("execution moves through statuses", async () => {
    const base = "/amc/reporting/lifecycle1";
    const created = await t.call("POST", `${base}/workflowExecutions`, weekRequest("2026-05-04"));
    assert.equal(created.body.status, "PENDING");
    const id = created.body.workflowExecutionId;
    const [running] = await settle(t, base, [id], (s) => s === "RUNNING");
    // The query finishes at once. The status then waits for the clock.
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.clock.advance(9 * MINUTE_MS);
    const publishing = await pollStatus(t, base, id);
    assert.equal(publishing.status, "PUBLISHING");
    assert.ok(Date.parse(publishing.lastUpdatedTime) > Date.parse(running.lastUpdatedTime));
    t.clock.advance(MINUTE_MS);
    const [done] = await settle(t, base, [id], (s) => s === "SUCCEEDED");
    assert.ok(Date.parse(done.lastUpdatedTime) > Date.parse(publishing.lastUpdatedTime));
    assert.equal(typeof done.endTime, "string");
  });

  test("execution fails after its timeout", async () => {
    const base = "/amc/reporting/lifecycle2";
    t.sandbox.setExecutionDurationMs(60 * MINUTE_MS);
    try {
      const created = await t.call("POST", `${base}/workflowExecutions`, {
        ...weekRequest("2026-05-04"),
        workflowExecutionTimeoutSeconds: 900,
      });
      const id = created.body.workflowExecutionId;
      assert.equal((await pollStatus(t, base, id)).status, "RUNNING");
      t.clock.advance(15 * MINUTE_MS);
      const failed = await pollStatus(t, base, id);
      assert.equal(failed.status, "FAILED");
      assert.match(failed.statusReason, /timed out after 900 seconds/);
    } finally {
      t.sandbox.setExecutionDurationMs(10 * MINUTE_MS);
    }
  });

  test("running cap keeps arrival order", async () => {
    const base = "/amc/reporting/lifecycle3";
    const ids: string[] = [];
    for (let week = 0; week < 15; week++) {
      const start = new Date(Date.parse("2025-09-01T00:00:00Z") + week * 7 * 86_400_000);
      const created = await t.call(
        "POST",
        `${base}/workflowExecutions`,
        weekRequest(start.toISOString().slice(0, 10)),
      );
      ids.push(created.body.workflowExecutionId);
    }
    const first = await Promise.all(ids.map((id) => pollStatus(t, base, id)));
    assert.deepEqual(
      first.map((body) => body.status),
      [...Array(10).fill("RUNNING"), ...Array(5).fill("PENDING")],
    );
    assert.equal(t.sandbox.stats().running.lifecycle3, 10);
    t.clock.advance(10 * MINUTE_MS);
    const second = await settle(t, base, ids, (s) => s !== "PENDING" && s !== "PUBLISHING");
    assert.deepEqual(
      second.map((body) => body.status),
      [...Array(10).fill("SUCCEEDED"), ...Array(5).fill("RUNNING")],
    );
    t.clock.advance(10 * MINUTE_MS);
    await settle(t, base, ids, (s) => s === "SUCCEEDED");
    assert.equal(t.sandbox.stats().maxRunning.lifecycle3, 10);
    assert.equal(t.sandbox.stats().executionsCreated.lifecycle3, 15);
  });

  test("recent window waits for data", async () => {
    const base = "/amc/reporting/lifecycle4";
    const created = await t.call("POST", `${base}/workflowExecutions`, {
      ...weekRequest("2026-06-08"),
      timeWindowEnd: "2026-06-15T00:00:00",
    });
    const id = created.body.workflowExecutionId;
    const waiting = await pollStatus(t, base, id);
    assert.equal(waiting.status, "PENDING");
    assert.equal(waiting.waitUntil, "2026-06-17T00:00:00Z");
    t.clock.advance(36 * 60 * MINUTE_MS);
    assert.equal((await pollStatus(t, base, id)).status, "RUNNING");
    t.clock.advance(10 * MINUTE_MS);
    await settle(t, base, [id], (s) => s === "SUCCEEDED");
  });

  test("cancel only while active", async () => {
    const base = "/amc/reporting/lifecycle5";
    const pending = await t.call("POST", `${base}/workflowExecutions`, weekRequest("2026-05-04"));
    const byPut = await t.call(
      "PUT",
      `${base}/workflowExecutions/${pending.body.workflowExecutionId}`,
      { status: "CANCELLED" },
    );
    assert.equal(byPut.status, 200, byPut.text);
    assert.equal(byPut.body.status, "CANCELLED");
    const again = await t.call(
      "DELETE",
      `${base}/workflowExecutions/${pending.body.workflowExecutionId}`,
    );
    assert.equal(again.status, 400);
    assert.match(again.body.details, /CANCELLED and cannot be cancelled/);

    const running = await t.call("POST", `${base}/workflowExecutions`, weekRequest("2026-04-27"));
    const id = running.body.workflowExecutionId;
    assert.equal((await pollStatus(t, base, id)).status, "RUNNING");
    const byDelete = await t.call("DELETE", `${base}/workflowExecutions/${id}`);
    assert.equal(byDelete.body.status, "CANCELLED");
    const badBody = await t.call("PUT", `${base}/workflowExecutions/${id}`, { status: "RUNNING" });
    assert.equal(badBody.status, 400);
  });

  test("list filters and pages", async () => {
    const base = "/amc/reporting/lifecycle6";
    const workflow = { workflowId: "list-me", sqlQuery: "SELECT COUNT(1) AS n FROM dsp_clicks" };
    await t.call("POST", `${base}/workflows`, workflow);
    const createdIds: string[] = [];
    for (let index = 0; index < 7; index++) {
      t.clock.advance(1000);
      const body = { ...weekRequest("2026-03-02"), workflow: undefined, workflowId: "list-me" };
      createdIds.push(
        (await t.call("POST", `${base}/workflowExecutions`, body)).body.workflowExecutionId,
      );
    }
    await t.call("POST", `${base}/workflowExecutions`, weekRequest("2026-03-02"));
    await t.call("DELETE", `${base}/workflowExecutions/${createdIds[6]}`);

    const listPath = `${base}/workflowExecutions?workflowId=list-me&limit=4`;
    const page1 = await t.call("GET", listPath);
    assert.equal(page1.status, 200, page1.text);
    assert.deepEqual(
      page1.body.executions.map((e: any) => e.workflowExecutionId),
      createdIds.slice(2, 6).reverse(),
    );
    const page2 = await t.call("GET", `${listPath}&nextToken=${page1.body.nextToken}`);
    assert.deepEqual(
      page2.body.executions.map((e: any) => e.workflowExecutionId),
      createdIds.slice(0, 2).reverse(),
    );
    assert.equal(page2.body.nextToken, undefined);

    const withCancelled = await t.call(
      "GET",
      `${listPath.replace("limit=4", "limit=100")}&includeCancelled=true&sortAscending=true`,
    );
    assert.deepEqual(
      withCancelled.body.executions.map((e: any) => e.workflowExecutionId),
      createdIds,
    );
    const since = new Date(t.clock.nowMs - 2500).toISOString();
    const recent = await t.call("GET", `${base}/workflowExecutions?minCreationTime=${since}`);
    // The 5th and 6th saved-workflow runs and the ad hoc one. The cancelled 7th is left out.
    assert.equal(recent.body.executions.length, 3);
    const bad = await t.call("GET", `${listPath}&nextToken=garbage`);
    assert.equal(bad.status, 400);
  });
});

describe("sandbox downloads", () => {
  let t: TestSandbox;
  before(async () => {
    t = await startTestSandbox({ resultPartMaxBytes: 200 });
    await t.sandbox.warmUp();
  });
  after(async () => {
    await t.stop();
  });

  test("download refused before success", async () => {
    t.sandbox.setExecutionDurationMs(MINUTE_MS);
    try {
      const base = "/amc/reporting/download1";
      const created = await t.call("POST", `${base}/workflowExecutions`, weekRequest("2026-05-04"));
      const response = await t.call(
        "GET",
        `${base}/workflowExecutions/${created.body.workflowExecutionId}/downloadUrls`,
      );
      assert.equal(response.status, 400);
      assert.equal(
        response.body.details,
        `Execution with ID ${created.body.workflowExecutionId} is unavailable for download.`,
      );
    } finally {
      t.sandbox.setExecutionDurationMs(0);
    }
  });

  test("download URLs expire after ten minutes", async () => {
    const base = "/amc/reporting/download2";
    const created = await t.call("POST", `${base}/workflowExecutions`, weekRequest("2026-05-04"));
    const id = created.body.workflowExecutionId;
    await waitForTerminal(t, "download2", id);
    const urls = await t.call("GET", `${base}/workflowExecutions/${id}/downloadUrls`);
    assert.equal(urls.status, 200, urls.text);
    const [url] = urls.body.downloadUrls as string[];
    assert.ok(url!.startsWith(t.sandbox.url));
    assert.equal((await fetch(url!)).status, 200);
    const tampered = url!.replace(/signature=[0-9a-f]/, "signature=g");
    assert.equal((await fetch(tampered)).status, 403);
    t.clock.advance(10 * MINUTE_MS);
    const expired = await fetch(url!);
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /expired/);
  });
});
