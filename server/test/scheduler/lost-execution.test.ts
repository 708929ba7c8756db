import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import {
  createSandboxCollections,
  startTestSandbox,
  startTestScheduler,
  testLogger,
  waitUntil,
} from "../support/scheduler-harness.ts";

// The local sandbox keeps executions in memory, so restarting it with the server loses those in
// flight. The scheduler that takes the week over gets a 404 for the execution it resumes, and
// the week runs again without that attempt counting against the retry budget.

for (const backend of backends) {
  describe(`lost execution on ${backend}`, () => {
    let sandbox: Sandbox | undefined;
    after(async () => {
      await sandbox?.stop();
    });

    test("restart does not use up attempts", async () => {
      const db = await createTestDatabase(backend);
      try {
        sandbox = await startTestSandbox(4000);
        const fixture = await createSandboxCollections(db, sandbox.url, {
          collections: 1,
          weeksPerCollection: 1,
        });
        // One attempt in all: counting the lost one would fail the week.
        const first = await startTestScheduler(db, { maxAttempts: 1 });
        try {
          await waitUntil("execution submitted", async () => {
            const submitted = await db.prisma.execution.count({
              where: { amcExecutionId: { not: null } },
            });
            return submitted === 1;
          });
        } finally {
          await first.stop();
        }

        const port = Number(new URL(sandbox.url).port);
        await sandbox.stop();
        sandbox = await startSandbox({ logger: testLogger, port, executionDurationMs: 50 });
        const second = await startTestScheduler(db, { maxAttempts: 1 });
        try {
          await waitUntil("week finished", async () => {
            const week = await db.prisma.week.findFirstOrThrow({
              where: { collectionId: fixture.collectionIds[0] },
            });
            return week.status === "SUCCESS" || week.status === "FAILED";
          });
        } finally {
          await second.stop();
        }

        const week = await db.prisma.week.findFirstOrThrow({
          where: { collectionId: fixture.collectionIds[0] },
        });
        assert.equal(week.status, "SUCCESS");
        assert.equal(week.attempts, 2);
        const executions = await db.prisma.execution.findMany({
          where: { weekId: week.id },
          orderBy: { attempt: "asc" },
        });
        assert.deepEqual(
          executions.map((execution) => execution.status),
          ["FAILED", "SUCCEEDED"],
        );
        const retry = await db.prisma.executionEvent.findFirstOrThrow({
          where: { executionId: executions[0]!.id, kind: "RETRY" },
        });
        assert.match(retry.message, /^Attempt not counted ended FAILED: AMC no longer has/);
        assert.doesNotMatch(retry.message, /\.\./);
      } finally {
        await db.close();
      }
    });
  });
}
