import assert from "node:assert/strict";
import { test } from "node:test";
import { startApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { demoAccountName } from "../../src/demo/seed.ts";
import { createLogger } from "../../src/logger.ts";
import { createTestDatabase } from "../support/database.ts";

test("server starts sandbox and seeds", async () => {
  const config = loadConfig({
    PORT: "0",
    DATABASE_URL: "memory:",
    AMC_SANDBOX: "on",
    AMC_SANDBOX_PORT: "0",
    SCHEDULER: "off",
  });
  const app = await startApp({
    config,
    logger: createLogger("silent"),
    database: await createTestDatabase("pglite"),
  });
  try {
    const account = await app.database.prisma.account.findUniqueOrThrow({
      where: { name: demoAccountName },
    });
    assert.equal(account.isSandbox, true);
    assert.match(account.apiBaseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await fetch(account.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token&client_id=a&client_secret=b&refresh_token=c",
    });
    assert.equal(token.status, 200);
  } finally {
    await app.stop();
  }
});
