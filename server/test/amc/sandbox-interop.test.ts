import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { Readable } from "node:stream";
import { inspect } from "node:util";
import { createScaledClock } from "../../src/amc/clock.ts";
import {
  AmcApiError,
  terminalAmcStatuses,
  type AmcAccountConnection,
  type AmcExecution,
} from "../../src/amc/types.ts";
import { createLogger } from "../../src/logger.ts";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.ts";
import { captureLogger, testClient } from "./fixtures.ts";

// The client against the real local sandbox over loopback HTTP: every operation, injected
// faults, token expiry and a streamed multi-part result.

/** The sandbox's "now": Monday 2026-06-15 12:00 UTC, so May's weeks have complete data. */
const sandboxNowMs = Date.parse("2026-06-15T12:00:00Z");
let sandboxClockMs = sandboxNowMs;

const deliverySql =
  "SELECT campaign, SUM(impressions) AS impressions, COUNT(DISTINCT user_id) AS reach " +
  "FROM dsp_impressions GROUP BY campaign";

let sandbox: Sandbox;
let account: AmcAccountConnection;

before(async () => {
  sandbox = await startSandbox({
    logger: createLogger("silent"),
    executionDurationMs: 0,
    clock: () => sandboxClockMs,
    resultPartMaxBytes: 4096,
  });
  account = {
    accountId: "sandbox-account",
    apiBaseUrl: sandbox.url,
    tokenUrl: sandbox.tokenUrl,
    entityId: "ENTITYSANDBOX1",
    marketplaceId: "ATVPDKIKX0DER",
    clientId: "amzn1.application-oa2-client.sandbox",
    clientSecret: "sandbox-client-secret-9d8c7b",
    refreshToken: "Atzr|sandbox-refresh-token-6a5f4e",
  };
});
beforeEach(() => {
  sandbox.faults.clear();
  sandboxClockMs = sandboxNowMs;
});
after(() => sandbox.stop());

function week(startDate: string, instance = "amcsandbox1") {
  const startMs = Date.parse(`${startDate}T00:00:00Z`);
  const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  return {
    amcInstanceId: instance,
    timeWindowStart: local(startMs),
    timeWindowEnd: local(startMs + 7 * 86_400_000),
    timeWindowTimeZone: "UTC",
  };
}

async function waitForTerminal(
  client: ReturnType<typeof testClient>,
  instance: string,
  executionId: string,
): Promise<AmcExecution> {
  const deadlineMs = Date.now() + 20_000;
  for (;;) {
    const execution = await client.getExecution(account, instance, executionId);
    if (terminalAmcStatuses.has(execution.status)) return execution;
    if (Date.now() > deadlineMs)
      throw new Error(`Execution ${executionId} is still ${execution.status}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function isAmcError(check: (error: AmcApiError) => boolean) {
  return (error: unknown) => error instanceof AmcApiError && check(error);
}

describe("AMC client against sandbox", () => {
  test("saved workflow lifecycle", async () => {
    const client = testClient();
    const workflow = {
      workflowId: "interop-delivery",
      sqlQuery: deliverySql,
      inputParameters: [],
      privacyFilteringBehavior: "REMOVE_ROWS" as const,
    };
    const created = await client.createWorkflow(account, "amcsandbox1", workflow);
    assert.equal(created.workflowId, "interop-delivery");
    await assert.rejects(
      client.createWorkflow(account, "amcsandbox1", workflow),
      isAmcError((error) => error.kind === "permanent" && /already exists/.test(error.message)),
    );
    const fetched = await client.getWorkflow(account, "amcsandbox1", "interop-delivery");
    assert.equal(fetched.sqlQuery, deliverySql);
    const updatedSql = deliverySql.replace("impressions)", "impressions) ");
    const updated = await client.updateWorkflow(account, "amcsandbox1", {
      ...workflow,
      sqlQuery: updatedSql,
    });
    assert.equal(updated.sqlQuery, updatedSql);
    await client.deleteWorkflow(account, "amcsandbox1", "interop-delivery");
    await assert.rejects(
      client.getWorkflow(account, "amcsandbox1", "interop-delivery"),
      isAmcError((error) => error.kind === "permanent" && error.httpStatus === 404),
    );
  });

  test("saved workflow execution succeeds", async () => {
    const client = testClient();
    await client.createWorkflow(account, "amcsandbox1", {
      workflowId: "interop-run",
      sqlQuery: deliverySql,
    });
    const created = await client.createExecution(account, {
      ...week("2026-05-04"),
      workflowId: "interop-run",
    });
    assert.equal(created.status, "PENDING");
    assert.equal(created.workflowId, "interop-run");
    const finished = await waitForTerminal(client, "amcsandbox1", created.workflowExecutionId);
    assert.equal(finished.status, "SUCCEEDED");
    const listed = await client.listExecutions(account, {
      amcInstanceId: "amcsandbox1",
      workflowId: "interop-run",
    });
    assert.deepEqual(
      listed.executions.map((execution) => execution.workflowExecutionId),
      [created.workflowExecutionId],
    );
    const urls = await client.getDownloadUrls(account, "amcsandbox1", created.workflowExecutionId);
    assert.ok(urls.downloadUrls.length >= 1);
    const csv = await readAll(await client.downloadResult(urls.downloadUrls[0]!));
    assert.equal(csv.split("\n")[0], "campaign,impressions,reach");
  });

  test("large multi-part result streams", async () => {
    const client = testClient();
    // One row per impression second and campaign gives thousands of rows a week; REMOVE_VALUES
    // keeps the rows below the user threshold, so the result is large.
    await client.createWorkflow(account, "amclarge", {
      workflowId: "per-second",
      sqlQuery:
        "SELECT impression_dt, campaign, SUM(impressions) AS impressions, " +
        "COUNT(DISTINCT user_id) AS users FROM dsp_impressions GROUP BY impression_dt, campaign",
      privacyFilteringBehavior: "REMOVE_VALUES",
    });
    const created = await client.createExecution(account, {
      ...week("2026-05-04", "amclarge"),
      workflowId: "per-second",
    });
    const finished = await waitForTerminal(client, "amclarge", created.workflowExecutionId);
    assert.equal(finished.status, "SUCCEEDED", finished.statusReason);
    const urls = await client.getDownloadUrls(account, "amclarge", created.workflowExecutionId);
    assert.ok(urls.downloadUrls.length >= 3, `${urls.downloadUrls.length} parts`);

    let header: string | undefined;
    let dataRows = 0;
    let bytes = 0;
    for (const url of urls.downloadUrls) {
      const text = await readAll(await client.downloadResult(url));
      bytes += Buffer.byteLength(text);
      const lines = text.split("\n").filter((line) => line !== "");
      // Each part is a complete CSV file with the same header row.
      header ??= lines[0];
      assert.equal(lines[0], header);
      dataRows += lines.length - 1;
    }
    assert.match(header ?? "", /impression_dt/);
    assert.match(header ?? "", /filtered/);
    const metadataUrl = urls.metadataDownloadUrls?.[0];
    assert.ok(metadataUrl);
    const metadata = JSON.parse(await readAll(await client.downloadResult(metadataUrl)));
    assert.equal(metadata.rowCount, dataRows);
    assert.ok(bytes > 100_000, `${bytes} bytes`);
  });

  test("expired download URL rejected", async () => {
    const client = testClient();
    const created = await client.createExecution(account, {
      ...week("2026-05-04"),
      sqlQuery: deliverySql,
    });
    await waitForTerminal(client, "amcsandbox1", created.workflowExecutionId);
    const urls = await client.getDownloadUrls(account, "amcsandbox1", created.workflowExecutionId);
    const metadata = JSON.parse(
      await readAll(await client.downloadResult(urls.metadataDownloadUrls![0]!)),
    );
    assert.equal(metadata.partCount, urls.downloadUrls.length);
    // Presigned URLs last 10 minutes.
    sandboxClockMs += 11 * 60_000;
    await assert.rejects(
      client.downloadResult(urls.downloadUrls[0]!),
      isAmcError(
        (error) =>
          error.kind === "permanent" && error.httpStatus === 403 && /expired/.test(error.message),
      ),
    );
  });

  test("ad hoc SQL execution", async () => {
    const client = testClient();
    const created = await client.createExecution(account, {
      ...week("2026-05-11"),
      sqlQuery: deliverySql,
    });
    assert.match(created.workflowId, /^transient_/);
    const finished = await waitForTerminal(client, "amcsandbox1", created.workflowExecutionId);
    assert.equal(finished.status, "SUCCEEDED");
  });

  test("list pages by nextToken", async () => {
    const client = testClient();
    await client.createWorkflow(account, "amcpaging", {
      workflowId: "paged",
      sqlQuery: deliverySql,
    });
    const createdIds = new Set<string>();
    for (const startDate of ["2026-04-06", "2026-04-13", "2026-04-20"]) {
      const created = await client.createExecution(account, {
        ...week(startDate, "amcpaging"),
        workflowId: "paged",
      });
      createdIds.add(created.workflowExecutionId);
    }
    const seenIds = new Set<string>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.listExecutions(account, {
        amcInstanceId: "amcpaging",
        workflowId: "paged",
        limit: 2,
        nextToken,
      });
      for (const execution of page.executions) seenIds.add(execution.workflowExecutionId);
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    assert.equal(pages, 2);
    assert.deepEqual(seenIds, createdIds);
  });

  test("cancel pending execution", async () => {
    const client = testClient();
    // A window that ends inside the last 48 hours stays PENDING until its data is complete.
    const created = await client.createExecution(account, {
      ...week("2026-06-08"),
      sqlQuery: deliverySql,
    });
    const cancelled = await client.cancelExecution(
      account,
      "amcsandbox1",
      created.workflowExecutionId,
    );
    assert.equal(cancelled.status, "CANCELLED");
    await assert.rejects(
      client.cancelExecution(account, "amcsandbox1", created.workflowExecutionId),
      isAmcError((error) => error.kind === "permanent"),
    );
  });

  test("download URLs before success", async () => {
    const client = testClient();
    const created = await client.createExecution(account, {
      ...week("2026-06-08"),
      sqlQuery: deliverySql,
    });
    await assert.rejects(
      client.getDownloadUrls(account, "amcsandbox1", created.workflowExecutionId),
      isAmcError(
        (error) =>
          error.kind === "permanent" &&
          error.httpStatus === 400 &&
          /unavailable for download/.test(error.message),
      ),
    );
  });

  test("validation errors are permanent", async () => {
    const client = testClient();
    await assert.rejects(
      client.createExecution(account, {
        ...week("2026-05-04"),
        timeWindowStart: "2026-05-04T00:30:00",
        sqlQuery: deliverySql,
      }),
      isAmcError((error) => error.kind === "permanent" && error.httpStatus === 400),
    );
    await assert.rejects(
      client.createExecution(account, { ...week("2026-05-04"), workflowId: "no-such-workflow" }),
      isAmcError((error) => error.kind === "permanent" && error.details !== undefined),
    );
  });

  test("missing marketplace header rejected", async () => {
    const client = testClient();
    await assert.rejects(
      client.listExecutions(
        { ...account, marketplaceId: "" },
        { amcInstanceId: "amcsandbox1", workflowId: "w" },
      ),
      isAmcError((error) => error.kind === "permanent" && error.httpStatus === 400),
    );
  });

  test("other advertiser gets 403", async () => {
    const client = testClient();
    await client.listExecutions(account, { amcInstanceId: "amcowned", workflowId: "w" });
    await assert.rejects(
      client.listExecutions(
        { ...account, accountId: "intruder", entityId: "ENTITYOTHER2" },
        { amcInstanceId: "amcowned", workflowId: "w" },
      ),
      isAmcError(
        (error) => error.kind === "permanent" && error.httpStatus === 403 && !!error.details,
      ),
    );
  });

  test("wrapped execution responses parsed", async () => {
    const wrapping = await startSandbox({
      logger: createLogger("silent"),
      executionDurationMs: 0,
      clock: () => sandboxClockMs,
      wrapExecutionResponses: true,
    });
    try {
      const client = testClient();
      const wrappedAccount = { ...account, apiBaseUrl: wrapping.url, tokenUrl: wrapping.tokenUrl };
      const created = await client.createExecution(wrappedAccount, {
        ...week("2026-05-04"),
        sqlQuery: deliverySql,
      });
      assert.equal(created.status, "PENDING");
      const fetched = await client.getExecution(
        wrappedAccount,
        "amcsandbox1",
        created.workflowExecutionId,
      );
      assert.equal(fetched.workflowExecutionId, created.workflowExecutionId);
      const listed = await client.listExecutions(wrappedAccount, {
        amcInstanceId: "amcsandbox1",
        minCreationTime: "2026-01-01T00:00:00Z",
      });
      assert.equal(listed.executions.length, 1);
    } finally {
      await wrapping.stop();
    }
  });

  test("wrong credentials are permanent", async () => {
    const strict = await startSandbox({
      logger: createLogger("silent"),
      credentials: {
        clientId: account.clientId,
        clientSecret: "another-client-secret-1",
        refreshToken: account.refreshToken,
      },
    });
    try {
      const client = testClient();
      const error = await client
        .listExecutions(
          { ...account, apiBaseUrl: strict.url, tokenUrl: strict.tokenUrl },
          { amcInstanceId: "amcsandbox1", workflowId: "w" },
        )
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof AmcApiError);
      assert.equal(error.kind, "permanent");
      assert.equal(error.message.includes(account.clientSecret), false);
    } finally {
      await strict.stop();
    }
  });
});

describe("AMC client against sandbox faults", () => {
  test("throttle with Retry-After retried", async () => {
    // 1000 times faster: the 60 s Retry-After lasts 60 ms.
    const client = testClient({ clock: createScaledClock(1000) });
    const created = await client.createExecution(account, {
      ...week("2026-05-18", "amcthrottle"),
      sqlQuery: deliverySql,
    });
    sandbox.faults.add({
      kind: "throttle",
      retryAfterSeconds: 60,
      endpoints: ["getExecution"],
      instanceId: "amcthrottle",
      times: 2,
    });
    const startedMs = Date.now();
    const execution = await client.getExecution(
      account,
      "amcthrottle",
      created.workflowExecutionId,
    );
    assert.equal(execution.workflowExecutionId, created.workflowExecutionId);
    assert.ok(Date.now() - startedMs >= 110, "two 60 s pauses at 1000x take at least 120 ms");
    const stats = client.stats().find((entry) => entry.amcInstanceId === "amcthrottle");
    assert.equal(stats?.throttledCount, 2);
  });

  test("throttled instance leaves others alone", async () => {
    const client = testClient({
      clock: createScaledClock(1000),
      retry: { maxRetryDelayMs: 3_600_000 },
    });
    sandbox.faults.add({
      kind: "throttle",
      retryAfterSeconds: 600,
      endpoints: ["listExecutions"],
      instanceId: "amcbusy",
      times: 1,
    });
    let busyDone = false;
    const busy = client
      .listExecutions(account, { amcInstanceId: "amcbusy", workflowId: "w" })
      .then(() => (busyDone = true));
    while (!client.stats().some((entry) => entry.amcInstanceId === "amcbusy")) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await client.listExecutions(account, { amcInstanceId: "amcquiet", workflowId: "w" });
    // The busy instance pauses 600 ms (600 s at 1000x); the quiet one did not wait for it.
    assert.equal(busyDone, false);
    await busy;
    const stats = client.stats();
    assert.equal(stats.find((entry) => entry.amcInstanceId === "amcbusy")?.throttledCount, 1);
    assert.equal(stats.find((entry) => entry.amcInstanceId === "amcquiet")?.throttledCount, 0);
  });

  test("throttle HTML without Retry-After", async () => {
    const client = testClient({ retry: { maxAttempts: 1 } });
    sandbox.faults.add({
      kind: "throttle",
      htmlBody: true,
      endpoints: ["listExecutions"],
      times: 1,
    });
    await assert.rejects(
      client.listExecutions(account, { amcInstanceId: "amcsandbox1", workflowId: "w" }),
      isAmcError(
        (error) =>
          error.kind === "throttled" &&
          error.httpStatus === 429 &&
          error.retryAfterMs !== undefined,
      ),
    );
  });

  test("throttle on create is retried", async () => {
    const client = testClient();
    const before = sandbox.stats().executionsCreated.amccreate429 ?? 0;
    sandbox.faults.add({
      kind: "throttle",
      retryAfterSeconds: 0,
      endpoints: ["createExecution"],
      times: 1,
    });
    const created = await client.createExecution(account, {
      ...week("2026-05-18", "amccreate429"),
      sqlQuery: deliverySql,
    });
    assert.equal(created.status, "PENDING");
    assert.equal(sandbox.stats().executionsCreated.amccreate429, before + 1);
  });

  for (const kind of ["serverError", "gatewayTimeout"] as const) {
    test(`${kind} on get is retried`, async () => {
      const client = testClient();
      const created = await client.createExecution(account, {
        ...week("2026-05-18"),
        sqlQuery: deliverySql,
      });
      sandbox.faults.add({ kind, endpoints: ["getExecution"], times: 2 });
      const execution = await client.getExecution(
        account,
        "amcsandbox1",
        created.workflowExecutionId,
      );
      assert.equal(execution.workflowExecutionId, created.workflowExecutionId);
    });

    test(`${kind} on create is ambiguous`, async () => {
      const client = testClient();
      sandbox.faults.add({ kind, endpoints: ["createExecution"], times: 1 });
      await assert.rejects(
        client.createExecution(account, { ...week("2026-05-18"), sqlQuery: deliverySql }),
        isAmcError(
          (error) =>
            error.kind === "transient" && error.outcomeUnknown && (error.httpStatus ?? 0) >= 500,
        ),
      );
    });
  }

  test("dropped create found by listing", async () => {
    const client = testClient();
    await client.createWorkflow(account, "amcdrop", {
      workflowId: "drop-week",
      sqlQuery: deliverySql,
    });
    sandbox.faults.add({ kind: "dropAfterCreate", times: 1 });
    const request = { ...week("2026-05-25", "amcdrop"), workflowId: "drop-week" };
    await assert.rejects(
      client.createExecution(account, request),
      isAmcError((error) => error.kind === "transient" && error.outcomeUnknown),
    );
    assert.equal(sandbox.stats().executionsCreated.amcdrop, 1);
    const listed = await client.listExecutions(account, {
      amcInstanceId: "amcdrop",
      workflowId: "drop-week",
    });
    assert.equal(listed.executions.length, 1);
    // AMC echoes the window in UTC with a "Z"; the request was local time in UTC.
    assert.equal(
      Date.parse(listed.executions[0]?.timeWindowStart ?? ""),
      Date.parse(`${request.timeWindowStart}Z`),
    );
  });

  test("slow response times out", async () => {
    const client = testClient({ requestTimeoutMs: 150, retry: { maxAttempts: 2 } });
    sandbox.faults.add({ kind: "slow", delayMs: 400, endpoints: ["listExecutions"] });
    await assert.rejects(
      client.listExecutions(account, { amcInstanceId: "amcsandbox1", workflowId: "w" }),
      isAmcError((error) => error.kind === "transient" && error.code === "RequestTimeout"),
    );
  });

  for (const [kind, status] of [
    ["failExecution", "FAILED"],
    ["rejectExecution", "REJECTED"],
  ] as const) {
    test(`${kind} ends ${status}`, async () => {
      const client = testClient();
      sandbox.faults.add({ kind, reason: `injected ${status}`, times: 1 });
      const created = await client.createExecution(account, {
        ...week("2026-05-04"),
        sqlQuery: deliverySql,
      });
      const finished = await waitForTerminal(client, "amcsandbox1", created.workflowExecutionId);
      assert.equal(finished.status, status);
      assert.equal(finished.statusReason, `injected ${status}`);
    });
  }

  test("repeated window rejected", async () => {
    const client = testClient();
    sandbox.faults.add({ kind: "repeatedWindow", maxRunsPerWindow: 1, instanceId: "amcrepeat" });
    const request = { ...week("2026-05-04", "amcrepeat"), sqlQuery: deliverySql };
    const first = await client.createExecution(account, request);
    assert.equal(
      (await waitForTerminal(client, "amcrepeat", first.workflowExecutionId)).status,
      "SUCCEEDED",
    );
    const second = await client.createExecution(account, request);
    const finished = await waitForTerminal(client, "amcrepeat", second.workflowExecutionId);
    assert.equal(finished.status, "REJECTED");
    assert.match(finished.statusReason ?? "", /too many workflows/i);
  });
  test("faults leak no secrets", async () => {
    const { logger, lines } = captureLogger();
    const client = testClient({ logger, requestTimeoutMs: 150, retry: { maxAttempts: 2 } });
    sandbox.faults.add({ kind: "throttle", htmlBody: true, times: 1 });
    sandbox.faults.add({ kind: "serverError", endpoints: ["getExecution"], times: 2 });
    sandbox.faults.add({ kind: "gatewayTimeout", endpoints: ["createExecution"], times: 1 });
    sandbox.faults.add({ kind: "slow", delayMs: 300, endpoints: ["listExecutions"], times: 2 });

    const errors: unknown[] = [];
    const capture = (promise: Promise<unknown>) =>
      promise.catch((error) => void errors.push(error));
    await capture(client.getExecution(account, "amcsandbox1", "no-such-execution"));
    await capture(client.getExecution(account, "amcsandbox1", "no-such-execution"));
    await capture(
      client.createExecution(account, { ...week("2026-05-18"), sqlQuery: deliverySql }),
    );
    await capture(
      client.listExecutions(account, { amcInstanceId: "amcsandbox1", workflowId: "w" }),
    );
    await capture(
      client.listExecutions(
        { ...account, marketplaceId: "" },
        {
          amcInstanceId: "amcsandbox1",
          workflowId: "w",
        },
      ),
    );

    assert.equal(errors.length, 5);
    const texts = [...errors.map((error) => inspect(error, { depth: 10 })), lines.join("\n")];
    for (const secret of [account.clientSecret, account.refreshToken]) {
      for (const text of texts) assert.equal(text.includes(secret), false, text.slice(0, 300));
    }
  });
});

describe("AMC client against sandbox tokens", () => {
  test("expired token refreshed once", async () => {
    const client = testClient({ tokenRefreshMarginMs: 0 });
    const tokenAccount = { ...account, accountId: "token-expiry" };
    await client.listExecutions(tokenAccount, { amcInstanceId: "amcsandbox1", workflowId: "w" });
    const issuedBefore = sandbox.stats().tokensIssued;
    // Two hours later on the sandbox's clock the one-hour token has expired, while the
    // client's clock still trusts it, so only the 401 reveals the expiry.
    sandboxClockMs += 2 * 3600_000;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        client.listExecutions(tokenAccount, { amcInstanceId: "amcsandbox1", workflowId: "w" }),
      ),
    );
    assert.equal(sandbox.stats().tokensIssued, issuedBefore + 1);
  });

  test("short-lived token refreshed early", async () => {
    const client = testClient({ tokenRefreshMarginMs: 60_000 });
    const tokenAccount = { ...account, accountId: "token-short" };
    sandbox.setTokenExpiresInSeconds(30);
    try {
      const issuedBefore = sandbox.stats().tokensIssued;
      await client.listExecutions(tokenAccount, { amcInstanceId: "amcsandbox1", workflowId: "w" });
      await client.listExecutions(tokenAccount, { amcInstanceId: "amcsandbox1", workflowId: "w" });
      // A 30 s token is inside the 60 s margin at once, so every call refreshes it.
      assert.equal(sandbox.stats().tokensIssued, issuedBefore + 2);
    } finally {
      sandbox.setTokenExpiresInSeconds(3600);
    }
  });
});
