import assert from "node:assert/strict";
import { inspect } from "node:util";
import { after, before, describe, test } from "node:test";
import { startScriptedAmcServer, type ScriptedAmcServer } from "../support/scripted-amc-server.ts";
import { captureLogger, testAccount, testClient, testSecrets, weekRequest } from "./fixtures.ts";

let server: ScriptedAmcServer;
before(async () => {
  server = await startScriptedAmcServer();
});
after(() => server.stop());

/** Joins every text a secret could leak through: message, fields, stack and causes. */
function errorText(error: unknown): string {
  return [
    String(error),
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
    (error as Error).stack ?? "",
  ].join("\n");
}

describe("AMC client secrets", () => {
  test("secrets absent from logs and errors", async () => {
    const { logger, lines } = captureLogger();
    const client = testClient({ logger, requestTimeoutMs: 200, retry: { maxAttempts: 2 } });
    const account = testAccount(server);
    const errors: unknown[] = [];
    const capture = (promise: Promise<unknown>) =>
      promise.catch((error) => void errors.push(error));

    await client.createExecution(account, weekRequest);
    // Responses that repeat the request, with its Authorization header, back to the client.
    server.script("GET", /workflowExecutions\/e-echo$/, { status: 400, echoRequest: true });
    await capture(client.getExecution(account, "amcabc123", "e-echo"));
    server.script(
      "GET",
      /workflowExecutions\/e-html$/,
      { status: 503, echoRequest: true },
      { status: 500, body: `<html><body>${testSecrets.clientSecret}</body></html>` },
    );
    await capture(client.getExecution(account, "amcabc123", "e-html"));
    server.script("POST", /workflowExecutions$/, { status: 200, echoRequest: true });
    server.script("POST", /workflowExecutions$/, { drop: "after" });
    await capture(client.createExecution(account, weekRequest));
    await capture(client.createExecution(account, weekRequest));
    server.script(
      "GET",
      /workflowExecutions\/e-slow$/,
      { delayMs: 400, status: 200 },
      { delayMs: 400, status: 200 },
    );
    await capture(client.getExecution(account, "amcabc123", "e-slow"));
    server.script(
      "GET",
      /workflowExecutions\/e-401$/,
      { status: 401, echoRequest: true },
      {
        status: 401,
        echoRequest: true,
      },
    );
    await capture(client.getExecution(account, "amcabc123", "e-401"));
    // The token endpoint echoing the form, with client secret and refresh token, in its error.
    server.script(
      "POST",
      /\/auth\/o2\/token$/,
      { status: 400, echoRequest: true },
      { status: 200, echoRequest: true },
      { status: 200, echoRequest: true },
    );
    const other = testAccount(server, { accountId: "account-echo" });
    await capture(client.listExecutions(other, { amcInstanceId: "amcabc123", workflowId: "w" }));
    await capture(client.listExecutions(other, { amcInstanceId: "amcabc123", workflowId: "w" }));

    const accessTokens = [
      ...new Set(
        server.amcRequests().map((request) => String(request.headers.authorization).slice(7)),
      ),
    ];
    assert.ok(accessTokens.length >= 2, "a refresh should have issued a second access token");
    assert.equal(errors.length, 8);
    assert.ok(lines.length > 10);
    const secrets = [testSecrets.clientSecret, testSecrets.refreshToken, ...accessTokens];
    const texts = [...errors.map(errorText), lines.join("\n")];
    for (const secret of secrets) {
      for (const text of texts) {
        assert.equal(text.includes(secret), false, `secret found in: ${text.slice(0, 300)}`);
      }
    }
    // The echoed details are still there, with the secrets replaced.
    assert.match(errorText(errors[0]), /\[redacted\]/);
  });

  test("download URL signature not logged", async () => {
    const { logger, lines } = captureLogger();
    const client = testClient({ logger, retry: { maxAttempts: 2 } });
    const error = await client
      .downloadResult(`${server.url}/files/missing/part-0.csv?X-Amz-Signature=sig-abc123def456`)
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof Error);
    assert.equal(errorText(error).includes("sig-abc123def456"), false);
    assert.equal(lines.join("\n").includes("sig-abc123def456"), false);
    assert.match(error.message, /files\/missing\/part-0\.csv/);
  });
});
