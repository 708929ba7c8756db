import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createScaledClock } from "../../src/amc/clock.ts";
import type { Database } from "../../src/db/database.ts";
import type { Sandbox } from "../../src/sandbox/index.ts";
import type { SchedulerSettings } from "../../src/scheduler/context.ts";
import { backends } from "../support/database.ts";
import {
  createSandboxCollections,
  createSchedulerTestDatabase,
  startTestSandbox,
  startTestScheduler,
  waitUntil,
} from "../support/scheduler-harness.ts";

// AMC faults under a clock 1000 times faster than the wall clock, so a 60 s Retry-After lasts
// 60 ms of the test. Settings are in scaled milliseconds.

const timeScale = 1000;
const scaledSettings: Partial<SchedulerSettings> = {
  timeScale,
  tickIntervalMs: 200_000,
  leaseDurationMs: 1_000_000,
  pollIntervalMinMs: 10_000,
  pollIntervalMaxMs: 200_000,
  retryBaseDelayMs: 5_000,
  retryMaxDelayMs: 120_000,
};

async function successCount(db: Database, collectionId: string): Promise<number> {
  return db.prisma.week.count({ where: { collectionId, status: "SUCCESS" } });
}

// One sandbox for both backends: its query engine takes seconds to start.
let sandbox: Sandbox;
before(async () => {
  sandbox = await startTestSandbox(50);
});
after(async () => {
  await sandbox?.stop();
});

for (const backend of backends) {
  describe(`scheduler faults on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createSchedulerTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("transient faults never fail weeks", async () => {
      sandbox.resetStats();
      sandbox.faults.set([
        { kind: "throttle", retryAfterSeconds: 60, everyNth: 3, instanceId: "amcfixture0" },
        { kind: "throttle", htmlBody: true, everyNth: 7, instanceId: "amcfixture0" },
        { kind: "serverError", everyNth: 5, instanceId: "amcfixture0" },
        { kind: "gatewayTimeout", everyNth: 11, instanceId: "amcfixture0" },
        { kind: "dropAfterCreate", everyNth: 2, times: 2, instanceId: "amcfixture0" },
      ]);
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 6,
      });
      const collectionId = fixture.collectionIds[0]!;
      const scheduler = await startTestScheduler(db, scaledSettings, createScaledClock(timeScale));
      try {
        await waitUntil(
          "six weeks SUCCESS",
          async () => {
            const failed = await db.prisma.week.count({ where: { status: "FAILED" } });
            assert.equal(failed, 0);
            return (await successCount(db, collectionId)) === 6;
          },
          90_000,
        );
      } finally {
        await scheduler.stop();
        sandbox.faults.clear();
      }
      const stats = sandbox.stats();
      assert.equal(stats.executionsCreated["amcfixture0"], 6);
      assert.ok((stats.faultsInjected.throttle ?? 0) > 0);
      assert.ok((stats.faultsInjected.dropAfterCreate ?? 0) > 0);
      assert.equal(await db.prisma.execution.count({ where: { week: { collectionId } } }), 6);
      const waits = await db.prisma.executionEvent.count({
        where: { kind: { in: ["THROTTLED", "RETRY"] } },
      });
      assert.ok(waits > 0, "no wait recorded in the timelines");
    });

    test("throttled instance does not slow another", async () => {
      sandbox.resetStats();
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 2,
        weeksPerCollection: 4,
        instances: 2,
        amcInstanceIds: ["amcthrottled", "amcfree"],
      });
      const [throttledId, freeId] = fixture.collectionIds as [string, string];
      sandbox.faults.set([{ kind: "throttle", retryAfterSeconds: 60, instanceId: "amcthrottled" }]);
      const scheduler = await startTestScheduler(db, scaledSettings, createScaledClock(timeScale));
      try {
        await waitUntil("free instance done", async () => (await successCount(db, freeId)) === 4);
        assert.equal(await successCount(db, throttledId), 0);
        sandbox.faults.clear();
        await waitUntil(
          "throttled instance done",
          async () => (await successCount(db, throttledId)) === 4,
        );
      } finally {
        await scheduler.stop();
        sandbox.faults.clear();
      }
      assert.equal(sandbox.stats().executionsCreated["amcthrottled"], 4);
      assert.equal(await db.prisma.week.count({ where: { status: "FAILED" } }), 0);
    });
  });
}
