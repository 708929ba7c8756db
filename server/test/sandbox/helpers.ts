import { createLogger } from "../../src/logger.ts";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/index.ts";

// Shared setup of the sandbox tests: a sandbox on a loopback port with a clock the test moves,
// and a small client that sends AMC's headers.

/** A clock that does not move until the test advances it. */
export class ManualClock {
  constructor(public nowMs: number) {}
  readonly now = () => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** A sandbox with a test client. */
export interface TestSandbox {
  sandbox: Sandbox;
  clock: ManualClock;
  token: string;
  /** Sends an AMC call with every required header; `headers` overrides or removes (null) them. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string | null>,
  ): Promise<{ status: number; body: any; headers: Headers; text: string }>;
  stop(): Promise<void>;
}

/** The test's "now": 2026-06-15 12:00 UTC, a Monday. */
export const TEST_NOW_MS = Date.parse("2026-06-15T12:00:00Z");

/** Starts a sandbox with a manual clock and fetches a token. */
export async function startTestSandbox(
  options: Partial<SandboxOptions> = {},
): Promise<TestSandbox> {
  const clock = new ManualClock(TEST_NOW_MS);
  const sandbox = await startSandbox({
    logger: createLogger("silent"),
    executionDurationMs: 0,
    clock: clock.now,
    // Tests move the clock by days. The token must outlive that.
    tokenExpiresInSeconds: 10 * 365 * 86_400,
    ...options,
  });
  const token = await fetchToken(sandbox.tokenUrl);
  const call: TestSandbox["call"] = async (method, path, body, headers = {}) => {
    const merged: Record<string, string | null> = {
      authorization: `Bearer ${token}`,
      "amazon-advertising-api-clientid": "client-1",
      "amazon-advertising-api-advertiserid": "ENTITYTEST1",
      "amazon-advertising-api-marketplaceid": "ATVPDKIKX0DER",
      "content-type": "application/json",
      ...headers,
    };
    const sent = Object.fromEntries(
      Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== null),
    );
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: sent,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, headers: response.headers, text };
  };
  return { sandbox, clock, token, call, stop: () => sandbox.stop() };
}

/** Requests an access token with the refresh-token grant. */
export async function fetchToken(
  tokenUrl: string,
  credentials = { clientId: "client-1", clientSecret: "secret-1", refreshToken: "Atzr|refresh" },
): Promise<string> {
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      refresh_token: credentials.refreshToken,
    }),
  });
  if (response.status !== 200) throw new Error(`token request failed with ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Builds a create body for an ad hoc query over the week starting on `startDate` (yyyy-MM-dd). */
export function weekRequest(startDate: string, sqlQuery = EMPTY_SQL, extra: object = {}) {
  const start = new Date(`${startDate}T00:00:00Z`);
  const end = new Date(start.getTime() + 7 * 86_400_000);
  const local = (date: Date) => date.toISOString().slice(0, 19);
  return {
    workflow: { sqlQuery },
    timeWindowType: "EXPLICIT",
    timeWindowStart: local(start),
    timeWindowEnd: local(end),
    timeWindowTimeZone: "UTC",
    ...extra,
  };
}

/** A valid AMC query that reads no rows, for tests about the lifecycle rather than data. */
export const EMPTY_SQL = "SELECT COUNT(1) AS n FROM dsp_clicks WHERE FALSE";

/** A small valid AMC query. */
export const DELIVERY_SQL = `SELECT campaign, SUM(impressions) AS impressions, COUNT(DISTINCT user_id) AS reach
FROM dsp_impressions GROUP BY campaign`;

/** Polls an execution until it leaves PENDING/RUNNING/PUBLISHING or `timeoutMs` passes. */
export async function waitForTerminal(
  test: TestSandbox,
  instanceId: string,
  executionId: string,
  timeoutMs = 20_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await test.call(
      "GET",
      `/amc/reporting/${instanceId}/workflowExecutions/${executionId}`,
    );
    if (!["PENDING", "RUNNING", "PUBLISHING"].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`execution ${executionId} still ${body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Result of running one query to its end through the HTTP API. */
export interface QueryRun {
  execution: any;
  /** CSV text of every result file, in order. Empty unless SUCCEEDED. */
  parts: string[];
}

/** Creates an execution, waits for its end and downloads every result file. */
export async function runToEnd(
  test: TestSandbox,
  instanceId: string,
  body: object,
): Promise<QueryRun> {
  const base = `/amc/reporting/${instanceId}`;
  const created = await test.call("POST", `${base}/workflowExecutions`, body);
  if (created.status !== 200) throw new Error(`create failed: ${created.status} ${created.text}`);
  const execution = await waitForTerminal(test, instanceId, created.body.workflowExecutionId);
  if (execution.status !== "SUCCEEDED") return { execution, parts: [] };
  const parts: string[] = [];
  let nextToken: string | undefined;
  do {
    const query = nextToken ? `?nextToken=${nextToken}` : "";
    const page = await test.call(
      "GET",
      `${base}/workflowExecutions/${execution.workflowExecutionId}/downloadUrls${query}`,
    );
    for (const url of page.body.downloadUrls as string[]) {
      parts.push(await (await fetch(url)).text());
    }
    nextToken = page.body.nextToken;
  } while (nextToken);
  return { execution, parts };
}
