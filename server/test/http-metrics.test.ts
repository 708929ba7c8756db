import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { createTestDatabase } from "./support/database.ts";

describe("metrics route", () => {
  let app: App;
  before(async () => {
    const config = loadConfig({
      PORT: "0",
      DATABASE_URL: "memory:",
      AMC_SANDBOX: "off",
      SCHEDULER: "off",
    });
    app = await startApp({
      config,
      logger: createLogger("silent"),
      database: await createTestDatabase("pglite"),
    });
  });
  after(async () => {
    await app?.stop();
  });

  test("serves Prometheus text with week counts", async () => {
    const response = await fetch(`${app.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/plain/);
    const body = await response.text();
    assert.match(body, /amc_collections_weeks\{status="PENDING"\} 0/);
    assert.match(body, /amc_collections_process_cpu_seconds_total/);
    assert.match(body, /amc_collections_graphql_subscriptions 0/);
    assert.match(body, /amc_collections_amc_request_duration_seconds/);
  });
});
