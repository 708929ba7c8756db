import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AmcApiError } from "../../src/amc/types.ts";
import { startScriptedAmcServer, type ScriptedAmcServer } from "../support/scripted-amc-server.ts";
import { testAccount, testClient, weekRequest } from "./fixtures.ts";

let server: ScriptedAmcServer;
before(async () => {
  server = await startScriptedAmcServer();
});
after(() => server.stop());

describe("AMC client operations", () => {
  test("createExecution sends headers and body", async () => {
    const client = testClient();
    const account = testAccount(server);
    const execution = await client.createExecution(account, {
      ...weekRequest,
      parameterValues: { campaign: "x" },
      workflowExecutionTimeoutSeconds: 3600,
    });
    assert.equal(execution.status, "PENDING");
    assert.equal(execution.workflowId, "weekly-delivery");
    const request = server.amcRequests().at(-1)!;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/amc/reporting/amcabc123/workflowExecutions");
    assert.match(String(request.headers.authorization), /^Bearer Atza\|access-/);
    assert.equal(request.headers["amazon-advertising-api-clientid"], account.clientId);
    assert.equal(request.headers["amazon-advertising-api-advertiserid"], account.entityId);
    assert.equal(request.headers["amazon-advertising-api-marketplaceid"], account.marketplaceId);
    assert.equal(request.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(request.body), {
      workflowId: "weekly-delivery",
      timeWindowType: "EXPLICIT",
      timeWindowStart: "2026-03-02T00:00:00",
      timeWindowEnd: "2026-03-09T00:00:00",
      timeWindowTimeZone: "UTC",
      parameterValues: { campaign: "x" },
      workflowExecutionTimeoutSeconds: 3600,
    });
  });

  test("createExecution sends ad hoc SQL", async () => {
    const client = testClient();
    const { workflowId: _unused, ...window } = weekRequest;
    const execution = await client.createExecution(testAccount(server), {
      ...window,
      sqlQuery: "SELECT campaign, COUNT(DISTINCT user_id) FROM dsp_impressions GROUP BY 1",
    });
    assert.match(execution.workflowId, /^transient_/);
    const body = JSON.parse(server.amcRequests().at(-1)!.body);
    assert.deepEqual(body.workflow, {
      sqlQuery: "SELECT campaign, COUNT(DISTINCT user_id) FROM dsp_impressions GROUP BY 1",
    });
    assert.equal(body.workflowId, undefined);
  });

  test("createExecution rejects both workflow kinds", async () => {
    const client = testClient();
    const before = server.amcRequests().length;
    await assert.rejects(
      client.createExecution(testAccount(server), { ...weekRequest, sqlQuery: "SELECT 1" }),
      (error: unknown) => error instanceof AmcApiError && error.kind === "permanent",
    );
    assert.equal(server.amcRequests().length, before);
  });

  test("createExecution parses wrapped response", async () => {
    const client = testClient();
    server.script("POST", /workflowExecutions$/, { wrapIn: "workflowExecution" });
    const execution = await client.createExecution(testAccount(server), weekRequest);
    assert.equal(execution.status, "PENDING");
    assert.equal(execution.timeWindowStart, "2026-03-02T00:00:00");
  });

  test("getExecution reads every status", async () => {
    const client = testClient();
    const account = testAccount(server);
    const created = await client.createExecution(account, weekRequest);
    for (const status of ["RUNNING", "PUBLISHING", "SUCCEEDED", "FAILED", "REJECTED"] as const) {
      server.setStatus("amcabc123", created.workflowExecutionId, status);
      const execution = await client.getExecution(
        account,
        "amcabc123",
        created.workflowExecutionId,
      );
      assert.equal(execution.status, status);
    }
    const request = server.amcRequests().at(-1)!;
    assert.equal(request.method, "GET");
    assert.equal(
      request.path,
      `/amc/reporting/amcabc123/workflowExecutions/${created.workflowExecutionId}`,
    );
  });

  test("getExecution parses wrapped status reason", async () => {
    const client = testClient();
    server.script("GET", /workflowExecutions\/e-1$/, {
      status: 200,
      body: {
        workflowExecution: {
          workflowExecutionId: "e-1",
          workflowId: "w",
          status: "REJECTED",
          statusReason: "too many workflows have already been run",
        },
      },
    });
    const execution = await client.getExecution(testAccount(server), "amcabc123", "e-1");
    assert.equal(execution.status, "REJECTED");
    assert.equal(execution.statusReason, "too many workflows have already been run");
  });

  test("getExecution rejects unknown status", async () => {
    const client = testClient();
    server.script("GET", /workflowExecutions\/e-2$/, {
      status: 200,
      body: { workflowExecutionId: "e-2", workflowId: "w", status: "EXPLODED" },
    });
    await assert.rejects(
      client.getExecution(testAccount(server), "amcabc123", "e-2"),
      (error: unknown) =>
        error instanceof AmcApiError &&
        error.code === "InvalidResponse" &&
        /EXPLODED/.test(error.message),
    );
  });

  test("cancelExecution puts CANCELLED status", async () => {
    const client = testClient();
    const account = testAccount(server);
    const created = await client.createExecution(account, weekRequest);
    const cancelled = await client.cancelExecution(
      account,
      "amcabc123",
      created.workflowExecutionId,
    );
    assert.equal(cancelled.status, "CANCELLED");
    const request = server.amcRequests().at(-1)!;
    assert.equal(request.method, "PUT");
    assert.deepEqual(JSON.parse(request.body), { status: "CANCELLED" });
  });

  test("cancelExecution with empty body", async () => {
    const client = testClient();
    const account = testAccount(server);
    const created = await client.createExecution(account, weekRequest);
    server.script("PUT", /workflowExecutions\/[^/]+$/, { status: 200, body: "" });
    server.setStatus("amcabc123", created.workflowExecutionId, "CANCELLED");
    const cancelled = await client.cancelExecution(
      account,
      "amcabc123",
      created.workflowExecutionId,
    );
    assert.equal(cancelled.status, "CANCELLED");
    assert.equal(server.amcRequests().at(-1)!.method, "GET");
  });

  test("listExecutions filters and pages", async () => {
    const client = testClient();
    const account = testAccount(server);
    for (let i = 0; i < 3; i++) {
      await client.createExecution(account, {
        ...weekRequest,
        amcInstanceId: "amclist",
        workflowId: "paged",
      });
    }
    await client.createExecution(account, {
      ...weekRequest,
      amcInstanceId: "amclist",
      workflowId: "other",
    });
    const first = await client.listExecutions(account, {
      amcInstanceId: "amclist",
      workflowId: "paged",
      limit: 2,
      includeCancelled: true,
      sortAscending: false,
    });

    assert.equal(first.executions.length, 2);
    assert.equal(first.nextToken, "2");
    const query = server.amcRequests().at(-1)!.query;
    assert.equal(query.get("workflowId"), "paged");
    assert.equal(query.get("limit"), "2");
    assert.equal(query.get("includeCancelled"), "true");
    assert.equal(query.get("sortAscending"), "false");
    assert.equal(query.has("minCreationTime"), false);

    const second = await client.listExecutions(account, {
      amcInstanceId: "amclist",
      workflowId: "paged",
      limit: 2,
      nextToken: first.nextToken,
    });
    assert.equal(second.executions.length, 1);
    assert.equal(second.nextToken, undefined);
    assert.ok(second.executions.every((execution) => execution.workflowId === "paged"));
  });

  test("listExecutions requires a filter", async () => {
    const client = testClient();
    await assert.rejects(
      client.listExecutions(testAccount(server), { amcInstanceId: "amclist" }),
      (error: unknown) => error instanceof AmcApiError && error.kind === "permanent",
    );
  });

  test("getDownloadUrls before and after success", async () => {
    const client = testClient();
    const account = testAccount(server);
    const created = await client.createExecution(account, weekRequest);
    await assert.rejects(
      client.getDownloadUrls(account, "amcabc123", created.workflowExecutionId),
      (error: unknown) =>
        error instanceof AmcApiError &&
        error.kind === "permanent" &&
        error.httpStatus === 400 &&
        /unavailable for download/.test(error.details ?? ""),
    );
    server.setStatus("amcabc123", created.workflowExecutionId, "SUCCEEDED");
    server.addResultFile(created.workflowExecutionId, "part-0.csv", "a,b\n1,2\n");
    const urls = await client.getDownloadUrls(account, "amcabc123", created.workflowExecutionId);
    assert.equal(urls.downloadUrls.length, 1);
    assert.deepEqual(urls.metadataDownloadUrls, []);
    assert.equal(
      server.amcRequests().at(-1)!.path,
      `/amc/reporting/amcabc123/workflowExecutions/${created.workflowExecutionId}/downloadUrls`,
    );
  });

  test("getDownloadUrls follows nextToken pages", async () => {
    const client = testClient();
    const path = /workflowExecutions\/e-paged\/downloadUrls$/;
    server.script(
      "GET",
      path,
      { status: 200, body: { downloadUrls: ["u1", "u2"], nextToken: "page-2" } },
      { status: 200, body: { downloadUrls: ["u3"], metadataDownloadUrls: ["m1"] } },
    );
    const urls = await client.getDownloadUrls(testAccount(server), "amcabc123", "e-paged");
    assert.deepEqual(urls.downloadUrls, ["u1", "u2", "u3"]);
    assert.deepEqual(urls.metadataDownloadUrls, ["m1"]);
    assert.equal(urls.nextToken, undefined);
    const pageRequests = server.amcRequests().filter((request) => path.test(request.path));
    assert.equal(pageRequests.length, 2);
    assert.equal(pageRequests[0]?.query.has("nextToken"), false);
    assert.equal(pageRequests[1]?.query.get("nextToken"), "page-2");
  });

  test("getDownloadUrls rejects repeated nextToken", async () => {
    const client = testClient({ retry: { maxAttempts: 1 } });
    const page = { status: 200, body: { downloadUrls: ["u1"], nextToken: "same" } };
    server.script("GET", /workflowExecutions\/e-loop\/downloadUrls$/, page, page, page);
    await assert.rejects(
      client.getDownloadUrls(testAccount(server), "amcabc123", "e-loop"),
      (error: unknown) => error instanceof AmcApiError && error.code === "InvalidResponse",
    );
  });

  test("workflow create, get, update, delete", async () => {
    const client = testClient();
    const account = testAccount(server);
    const workflow = {
      workflowId: "collection-42",
      sqlQuery: "SELECT COUNT(DISTINCT user_id) AS users FROM dsp_impressions",
      inputParameters: [{ name: "campaign", dataType: "STRING", defaultValue: "all" }],
      privacyFilteringBehavior: "REMOVE_VALUES" as const,
    };
    assert.deepEqual(await client.createWorkflow(account, "amcabc123", workflow), workflow);
    assert.deepEqual(JSON.parse(server.amcRequests().at(-1)!.body), workflow);
    await assert.rejects(
      client.createWorkflow(account, "amcabc123", workflow),
      (error: unknown) =>
        error instanceof AmcApiError &&
        error.kind === "permanent" &&
        error.details === "Workflow with ID collection-42 already exists.",
    );

    assert.deepEqual(await client.getWorkflow(account, "amcabc123", "collection-42"), workflow);
    const updated = { ...workflow, sqlQuery: `${workflow.sqlQuery} WHERE 1 = 1` };
    assert.deepEqual(await client.updateWorkflow(account, "amcabc123", updated), updated);
    assert.equal(server.amcRequests().at(-1)!.method, "PUT");
    assert.equal(
      server.amcRequests().at(-1)!.path,
      "/amc/reporting/amcabc123/workflows/collection-42",
    );

    await client.deleteWorkflow(account, "amcabc123", "collection-42");
    assert.equal(server.amcRequests().at(-1)!.method, "DELETE");
    await assert.rejects(
      client.getWorkflow(account, "amcabc123", "collection-42"),
      (error: unknown) =>
        error instanceof AmcApiError && error.kind === "permanent" && error.httpStatus === 404,
    );
  });

  test("instance id is escaped in path", async () => {
    const client = testClient();
    await assert.rejects(client.getExecution(testAccount(server), "a/b", "x?y"));
    assert.equal(
      server.amcRequests().at(-1)!.path,
      "/amc/reporting/a%2Fb/workflowExecutions/x%3Fy",
    );
  });
});
