import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { AmcApiError } from "../../src/amc/types.ts";
import { startScriptedAmcServer, type ScriptedAmcServer } from "../support/scripted-amc-server.ts";
import { manualClock, testAccount, testClient } from "./fixtures.ts";

let server: ScriptedAmcServer;
before(async () => {
  server = await startScriptedAmcServer({ tokenDelayMs: 50 });
});
beforeEach(() => {
  server.clearScripts();
  server.requests.length = 0;
  server.setTokenLifetimeSeconds(3600);
});
after(() => server.stop());

const workflow = { workflowId: "w-token", sqlQuery: "SELECT COUNT(DISTINCT user_id) FROM t" };

describe("AMC client tokens", () => {
  test("token request uses refresh grant", async () => {
    const client = testClient();
    const account = testAccount(server);
    await client.createWorkflow(account, "amctok", { ...workflow, workflowId: "w-grant" });
    const [tokenRequest] = server.tokenRequests();
    assert.ok(tokenRequest);
    assert.equal(tokenRequest.headers["content-type"], "application/x-www-form-urlencoded");
    const form = new URLSearchParams(tokenRequest.body);
    assert.equal(form.get("grant_type"), "refresh_token");
    assert.equal(form.get("refresh_token"), account.refreshToken);
    assert.equal(form.get("client_id"), account.clientId);
    assert.equal(form.get("client_secret"), account.clientSecret);
  });

  test("token is cached until near expiry", async () => {
    const clock = manualClock();
    const client = testClient({ clock, tokenRefreshMarginMs: 60_000 });
    const account = testAccount(server);
    server.setTokenLifetimeSeconds(600);
    await client.listExecutions(account, { amcInstanceId: "amctok", workflowId: "w" });
    clock.advance(500_000);
    await client.listExecutions(account, { amcInstanceId: "amctok", workflowId: "w" });
    assert.equal(server.tokenRequests().length, 1);
    // 540 s after the refresh the token is within the 60 s margin of its 600 s lifetime.
    clock.advance(40_000);
    await client.listExecutions(account, { amcInstanceId: "amctok", workflowId: "w" });
    assert.equal(server.tokenRequests().length, 2);
    const [first, second] = server.amcRequests().slice(-2);
    assert.notEqual(first?.headers.authorization, second?.headers.authorization);
  });

  test("401 refreshes and retries once", async () => {
    const client = testClient();
    const account = testAccount(server);
    await client.listExecutions(account, { amcInstanceId: "amctok", workflowId: "w" });
    server.expireAccessTokens();
    const listed = await client.listExecutions(account, {
      amcInstanceId: "amctok",
      workflowId: "w",
    });
    assert.deepEqual(listed.executions, []);
    assert.equal(server.tokenRequests().length, 2);
    const statuses = server.amcRequests().map((request) => request.headers.authorization);
    assert.equal(statuses.length, 3);
    assert.notEqual(statuses[1], statuses[2]);
  });

  test("second 401 is permanent", async () => {
    const client = testClient();
    const account = testAccount(server);
    server.script(
      "GET",
      /workflowExecutions$/,
      { status: 401, body: { code: "401", details: "Unauthorized" } },
      { status: 401, body: { code: "401", details: "Unauthorized" } },
    );
    await assert.rejects(
      client.listExecutions(account, { amcInstanceId: "amctok", workflowId: "w" }),
      (error: unknown) =>
        error instanceof AmcApiError && error.kind === "permanent" && error.httpStatus === 401,
    );
    assert.equal(server.amcRequests().length, 2);
  });

  test("401 on create is resent", async () => {
    const client = testClient();
    const account = testAccount(server);
    server.script("POST", /workflowExecutions$/, { status: 401, body: { code: "401" } });
    const execution = await client.createExecution(account, {
      amcInstanceId: "amctok401",
      workflowId: "w",
      timeWindowStart: "2026-03-02T00:00:00",
      timeWindowEnd: "2026-03-09T00:00:00",
      timeWindowTimeZone: "UTC",
    });
    assert.equal(execution.status, "PENDING");
    assert.equal(server.executionCount("amctok401"), 1);
  });

  test("concurrent calls share one refresh", async () => {
    const client = testClient();
    const account = testAccount(server, { accountId: "account-concurrent" });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        client.listExecutions(account, { amcInstanceId: "amctok", workflowId: "w" }),
      ),
    );
    assert.equal(server.tokenRequests().length, 1);
    server.expireAccessTokens();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        client.listExecutions(account, { amcInstanceId: "amctok", workflowId: "w" }),
      ),
    );
    assert.equal(server.tokenRequests().length, 2);
  });

  test("changed refresh token gets new token", async () => {
    const client = testClient();
    await client.listExecutions(testAccount(server), { amcInstanceId: "amctok", workflowId: "w" });
    await client.listExecutions(
      testAccount(server, { refreshToken: "Atzr|rotated-token-77aa11" }),
      {
        amcInstanceId: "amctok",
        workflowId: "w",
      },
    );
    assert.equal(server.tokenRequests().length, 2);
  });

  test("revoked refresh token is permanent", async () => {
    const client = testClient();
    const account = testAccount(server, { refreshToken: "revoked-refresh-token-0000" });
    await assert.rejects(
      client.listExecutions(account, { amcInstanceId: "amctok", workflowId: "w" }),
      (error: unknown) =>
        error instanceof AmcApiError &&
        error.kind === "permanent" &&
        error.httpStatus === 400 &&
        error.code === "invalid_grant" &&
        !error.message.includes("revoked-refresh-token-0000"),
    );
    assert.equal(server.amcRequests().length, 0);
  });

  test("token endpoint 500 is retried", async () => {
    const client = testClient({ retry: { maxAttempts: 3 } });
    server.script("POST", /\/auth\/o2\/token$/, { status: 500, body: "upstream error" });
    const listed = await client.listExecutions(testAccount(server, { accountId: "account-500" }), {
      amcInstanceId: "amctok",
      workflowId: "w",
    });
    assert.deepEqual(listed.executions, []);
    assert.equal(server.tokenRequests().length, 2);
  });

  test("token response without access_token", async () => {
    const client = testClient({ retry: { maxAttempts: 1 } });
    server.script("POST", /\/auth\/o2\/token$/, { status: 200, body: { token_type: "bearer" } });
    await assert.rejects(
      client.listExecutions(testAccount(server, { accountId: "account-bad" }), {
        amcInstanceId: "amctok",
        workflowId: "w",
      }),
      (error: unknown) => error instanceof AmcApiError && error.code === "InvalidTokenResponse",
    );
  });
});
