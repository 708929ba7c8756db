import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.ts";
import { createTestDatabase } from "../support/database.ts";
import {
  createSandboxCollections,
  startTestScheduler,
  testLogger,
  waitUntil,
  weekStatusCounts,
} from "../support/scheduler-harness.ts";

// A fault that recurs on every call, such as credentials that Login with Amazon rejects, must
// fail the week with the reason instead of leaving it RUNNING while the runner retries forever.

describe("scheduler with rejected credentials", () => {
  let sandbox: Sandbox;
  let db: Database;
  before(async () => {
    sandbox = await startSandbox({
      logger: testLogger,
      port: 0,
      executionDurationMs: 0,
      credentials: {
        clientId: "only-this-client",
        clientSecret: "only-this-secret",
        refreshToken: "Atzr|only-this-token",
      },
    });
    db = await createTestDatabase("pglite");
  });
  after(async () => {
    await db?.close();
    await sandbox?.stop();
  });

  test("week fails with the token error", async () => {
    await createSandboxCollections(db, sandbox.url, { collections: 1, weeksPerCollection: 1 });
    const scheduler = await startTestScheduler(db, { maxAttempts: 1 });
    try {
      await waitUntil("week FAILED", async () => (await weekStatusCounts(db)).FAILED === 1);
    } finally {
      await scheduler.stop();
    }
    const week = await db.prisma.week.findFirstOrThrow({ include: { executions: true } });
    assert.equal(week.status, "FAILED");
    assert.match(week.errorMessage ?? "", /rejected/i);
    assert.equal(week.leaseOwner, null);
    assert.equal(sandbox.stats().executionsCreated["amcfixture0"] ?? 0, 0);
  });
});
