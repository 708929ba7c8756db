import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import type { Sandbox } from "../../src/sandbox/index.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import {
  createSandboxCollections,
  startTestSandbox,
  startTestScheduler,
  waitUntil,
  weekStatusCounts,
} from "../support/scheduler-harness.ts";

// One sandbox for both backends: its query engine takes seconds to start.
let sandbox: Sandbox;
before(async () => {
  sandbox = await startTestSandbox(50);
});
after(async () => {
  await sandbox?.stop();
});

for (const backend of backends) {
  describe(`scheduler run on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("weeks run to success once", async () => {
      sandbox.resetStats();
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 2,
        weeksPerCollection: 4,
      });
      const scheduler = await startTestScheduler(db);
      try {
        await waitUntil(
          "every week SUCCESS",
          async () => (await weekStatusCounts(db)).SUCCESS === 8,
        );
      } finally {
        await scheduler.stop();
      }
      const stats = sandbox.stats();
      assert.equal(stats.executionsCreated["amcfixture0"], 8);
      const collections = await db.prisma.collection.findMany({
        where: { id: { in: fixture.collectionIds } },
      });
      assert.ok(collections.every((collection) => collection.status === "COMPLETED"));
      const weeks = await db.prisma.week.findMany({ include: { executions: true } });
      for (const week of weeks) {
        assert.equal(week.executions.length, 1);
        assert.equal(week.executions[0]!.status, "SUCCEEDED");
        assert.ok(week.currentResultId);
        assert.equal(week.leaseOwner, null);
      }
      const kinds = await db.prisma.executionEvent.groupBy({ by: ["kind"], _count: true });
      const byKind = Object.fromEntries(kinds.map((kind) => [kind.kind, kind._count]));
      assert.equal(byKind.SUBMITTED, 8);
      assert.equal(byKind.RESULT, 8);
    });
  });
}
