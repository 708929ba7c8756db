import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { startSandbox } from "../../src/sandbox/index.ts";
import { fetchToken, startTestSandbox, weekRequest, type TestSandbox } from "./helpers.ts";

const BASE = "/amc/reporting/amcapitest";

describe("sandbox API", () => {
  let t: TestSandbox;
  before(async () => {
    t = await startTestSandbox();
  });
  after(async () => {
    await t.stop();
  });

  test("token grant issues bearer token", async () => {
    const response = await fetch(t.sandbox.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token&client_id=a&client_secret=b&refresh_token=c",
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.token_type, "bearer");
    assert.equal(typeof body.expires_in, "number");
    assert.equal(typeof body.access_token, "string");
  });

  test("token grant rejects other grant types", async () => {
    const response = await fetch(t.sandbox.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=a&client_secret=b",
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, "unsupported_grant_type");
  });

  test("missing or unknown token gets 401", async () => {
    const missing = await t.call("GET", `${BASE}/workflows`, undefined, { authorization: null });
    assert.equal(missing.status, 401);
    assert.equal(missing.body.code, "401");
    const unknown = await t.call("GET", `${BASE}/workflows`, undefined, {
      authorization: "Bearer nope",
    });
    assert.equal(unknown.status, 401);
  });

  test("expired token gets 401", async () => {
    t.sandbox.setTokenExpiresInSeconds(60);
    const token = await fetchToken(t.sandbox.tokenUrl);
    t.sandbox.setTokenExpiresInSeconds(3600);
    const headers = { authorization: `Bearer ${token}` };
    assert.equal((await t.call("GET", `${BASE}/workflows`, undefined, headers)).status, 200);
    t.clock.advance(61_000);
    const expired = await t.call("GET", `${BASE}/workflows`, undefined, headers);
    assert.equal(expired.status, 401);
    assert.match(expired.body.details, /expired/);
  });

  test("missing advertiser header gets 400", async () => {
    const response = await t.call("GET", `${BASE}/workflows`, undefined, {
      "amazon-advertising-api-advertiserid": null,
    });
    assert.equal(response.status, 400);
    assert.match(response.body.details, /AdvertiserId/);
  });

  test("missing marketplace header gets 400", async () => {
    const response = await t.call("GET", `${BASE}/workflows`, undefined, {
      "amazon-advertising-api-marketplaceid": null,
    });
    assert.equal(response.status, 400);
    assert.match(response.body.details, /MarketplaceId/);
  });

  test("other advertiser on instance gets 403", async () => {
    const response = await t.call("GET", `${BASE}/workflows`, undefined, {
      "amazon-advertising-api-advertiserid": "ENTITYOTHER",
    });
    assert.equal(response.status, 403);
  });

  test("unknown path gets 404 error shape", async () => {
    const response = await t.call("GET", "/amc/reporting/x/nothing");
    assert.equal(response.status, 404);
    assert.equal(response.body.code, "404");
    assert.equal(typeof response.body.details, "string");
  });

  const invalidCases: [string, object, RegExp][] = [
    ["both workflow and workflowId", { ...weekRequest("2026-05-04"), workflowId: "w" }, /not both/],
    [
      "neither workflow nor workflowId",
      { ...weekRequest("2026-05-04"), workflow: undefined },
      /required/,
    ],
    [
      "EXPLICIT without window",
      { workflow: { sqlQuery: "SELECT 1" } },
      /required for timeWindowType EXPLICIT/,
    ],
    [
      "date-only start",
      { ...weekRequest("2026-05-04"), timeWindowStart: "2026-05-04" },
      /yyyy-MM-ddTHH:mm:ss/,
    ],
    [
      "non-hour-aligned end",
      { ...weekRequest("2026-05-04"), timeWindowEnd: "2026-05-11T00:30:00" },
      /whole hours/,
    ],
    [
      "end before start",
      { ...weekRequest("2026-05-04"), timeWindowEnd: "2026-05-01T00:00:00" },
      /must be after/,
    ],
    [
      "timeout below 900",
      { ...weekRequest("2026-05-04"), workflowExecutionTimeoutSeconds: 899 },
      /900 to 86400/,
    ],
    [
      "timeout above 86400",
      { ...weekRequest("2026-05-04"), workflowExecutionTimeoutSeconds: 86401 },
      /900 to 86400/,
    ],
    [
      "unknown time zone",
      { ...weekRequest("2026-05-04"), timeWindowTimeZone: "Mars/Olympus" },
      /IANA/,
    ],
    [
      "unknown window type",
      { ...weekRequest("2026-05-04"), timeWindowType: "LAST_YEAR" },
      /timeWindowType/,
    ],
    [
      "unknown workflowId",
      { ...weekRequest("2026-05-04"), workflow: undefined, workflowId: "missing" },
      /does not exist/,
    ],
    ["empty sqlQuery", { ...weekRequest("2026-05-04"), workflow: { sqlQuery: " " } }, /sqlQuery/],
  ];
  for (const [name, body, details] of invalidCases) {
    test(`create rejects ${name}`, async () => {
      const response = await t.call("POST", `${BASE}/workflowExecutions`, body);
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.code, "400");
      assert.match(response.body.details, details);
    });
  }

  test("create rejects malformed JSON", async () => {
    const response = await fetch(`${t.sandbox.url}${BASE}/workflowExecutions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${t.token}`,
        "amazon-advertising-api-clientid": "c",
        "amazon-advertising-api-advertiserid": "ENTITYTEST1",
        "amazon-advertising-api-marketplaceid": "m",
      },
      body: "{not json",
    });
    assert.equal(response.status, 400);
  });

  test("create echoes window in UTC", async () => {
    const response = await t.call("POST", `${BASE}/workflowExecutions`, {
      ...weekRequest("2026-05-04"),
      timeWindowTimeZone: "America/New_York",
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.status, "PENDING");
    assert.match(response.body.workflowId, /^transient_[0-9a-f-]{36}$/);
    assert.equal(response.body.timeWindowStart, "2026-05-04T04:00:00Z");
    assert.equal(response.body.timeWindowEnd, "2026-05-11T04:00:00Z");
    assert.equal(response.body.timeWindowTimeZone, "America/New_York");
    const created = Date.parse(response.body.createTime);
    assert.equal(Date.parse(response.body.expireTime) - created, 24 * 3_600_000);
  });

  test("relative window type resolves", async () => {
    const response = await t.call("POST", `${BASE}/workflowExecutions`, {
      workflow: { sqlQuery: "SELECT COUNT(1) AS n FROM dsp_clicks" },
      timeWindowType: "PREVIOUS_MONTH",
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.timeWindowStart, "2026-05-01T00:00:00Z");
    assert.equal(response.body.timeWindowEnd, "2026-06-01T00:00:00Z");
  });

  test("workflow CRUD round trip", async () => {
    const workflow = {
      workflowId: "weekly-delivery",
      sqlQuery:
        "SELECT campaign, SUM(impressions) AS impressions FROM dsp_impressions GROUP BY campaign",
      inputParameters: [{ name: "min", dataType: "INTEGER", defaultValue: 1 }],
    };
    const created = await t.call("POST", `${BASE}/workflows`, workflow);
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.workflowId, "weekly-delivery");

    const duplicate = await t.call("POST", `${BASE}/workflows`, workflow);
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.details, "Workflow with ID weekly-delivery already exists.");
    const updated = await t.call("PUT", `${BASE}/workflows/weekly-delivery`, {
      ...workflow,
      sqlQuery: "SELECT COUNT(1) AS n FROM dsp_clicks",
    });
    assert.equal(updated.status, 200, updated.text);
    const fetched = await t.call("GET", `${BASE}/workflows/weekly-delivery`);
    assert.equal(fetched.body.sqlQuery, "SELECT COUNT(1) AS n FROM dsp_clicks");
    assert.equal(fetched.body.privacyFilteringBehavior, "REMOVE_ROWS");

    const execution = await t.call("POST", `${BASE}/workflowExecutions`, {
      ...weekRequest("2026-05-04"),
      workflow: undefined,
      workflowId: "weekly-delivery",
    });
    assert.equal(execution.status, 200, execution.text);
    assert.equal(execution.body.workflowId, "weekly-delivery");

    assert.equal((await t.call("DELETE", `${BASE}/workflows/weekly-delivery`)).status, 200);
    assert.equal((await t.call("GET", `${BASE}/workflows/weekly-delivery`)).status, 404);
    assert.equal((await t.call("DELETE", `${BASE}/workflows/weekly-delivery`)).status, 404);
  });

  test("unknown execution gets 404", async () => {
    const response = await t.call("GET", `${BASE}/workflowExecutions/does-not-exist`);
    assert.equal(response.status, 404);
    assert.equal(response.body.code, "404");
  });

  test("list requires workflowId or minCreationTime", async () => {
    const response = await t.call("GET", `${BASE}/workflowExecutions`);
    assert.equal(response.status, 400);
  });

  test("list rejects limit above 100", async () => {
    const response = await t.call(
      "GET",
      `${BASE}/workflowExecutions?minCreationTime=2026-01-01T00:00:00Z&limit=101`,
    );
    assert.equal(response.status, 400);
  });
});

describe("sandbox start", () => {
  test("fixed credentials reject others", async () => {
    const sandbox = await startSandbox({
      logger: createLogger("silent"),
      credentials: { clientId: "id", clientSecret: "secret", refreshToken: "refresh" },
    });
    try {
      await assert.rejects(fetchToken(sandbox.tokenUrl), /401/);
      const response = await fetch(sandbox.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=refresh_token&client_id=id&client_secret=secret&refresh_token=refresh",
      });
      assert.equal(((await response.json()) as { expires_in: number }).expires_in, 3600);
      const token = await fetchToken(sandbox.tokenUrl, {
        clientId: "id",
        clientSecret: "secret",
        refreshToken: "refresh",
      });
      assert.ok(token.length > 10);
    } finally {
      await sandbox.stop();
    }
  });

  test("non-loopback host is rejected", async () => {
    await assert.rejects(
      startSandbox({ logger: createLogger("silent"), host: "0.0.0.0" }),
      /not a loopback address/,
    );
  });

  test("wrapped response shape", async () => {
    const t = await startTestSandbox({ wrapExecutionResponses: true });
    try {
      const response = await t.call(
        "POST",
        "/amc/reporting/wrap/workflowExecutions",
        weekRequest("2026-05-04"),
      );
      assert.equal(response.status, 200);
      assert.equal(response.body.workflowExecution.status, "PENDING");
    } finally {
      await t.stop();
    }
  });
});
