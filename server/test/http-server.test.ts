import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { createTestDatabase } from "./support/database.ts";

describe("HTTP server", () => {
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

  test("foreign Host header is rejected", async () => {
    // A page on a rebinding domain reaches 127.0.0.1 with its own name in the Host header.
    const { request } = await import("node:http");
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        `${app.url}/health`,
        { headers: { host: "rebind.example.test" } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 421);
    const local = await fetch(`${app.url}/health`);
    assert.equal(local.status, 200);
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
    assert.match(body, /amc_collections_scheduler_loop_duration_seconds/);
  });
});
