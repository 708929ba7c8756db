import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import type { Sandbox } from "../../src/sandbox/index.ts";
import { backends } from "../support/database.ts";
import {
  createSandboxCollections,
  createSchedulerTestDatabase,
  startTestSandbox,
  startTestScheduler,
  waitUntil,
  weekStatusCounts,
} from "../support/scheduler-harness.ts";

interface Sample {
  activeCollections: number;
  maxPerCollection: number;
  maxPerInstance: number;
}

async function sampleDatabase(db: Database): Promise<Sample> {
  const rows = await db.prisma.$queryRawUnsafe<
    { collectionId: string; instanceId: string; n: number }[]
  >(
    `SELECT w."collectionId", c."instanceId", count(*)::int AS n
     FROM "Week" w JOIN "Collection" c ON c.id = w."collectionId"
     WHERE w.status = 'RUNNING' GROUP BY w."collectionId", c."instanceId"`,
  );
  const perInstance = new Map<string, number>();
  for (const row of rows)
    perInstance.set(row.instanceId, (perInstance.get(row.instanceId) ?? 0) + row.n);
  return {
    activeCollections: rows.length,
    maxPerCollection: Math.max(0, ...rows.map((row) => row.n)),
    maxPerInstance: Math.max(0, ...perInstance.values()),
  };
}

// One sandbox for both backends: its query engine takes seconds to start.
let sandbox: Sandbox;
before(async () => {
  sandbox = await startTestSandbox(150);
});
after(async () => {
  await sandbox?.stop();
});

for (const backend of backends) {
  describe(`scheduler limits on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createSchedulerTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("limits hold under load", async () => {
      sandbox.resetStats();
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 6,
        weeksPerCollection: 20,
        instances: 2,
      });
      const scheduler = await startTestScheduler(db);
      const samples: Sample[] = [];
      let maxAmcRunning = 0;
      try {
        await waitUntil(
          "every week SUCCESS",
          async () => {
            samples.push(await sampleDatabase(db));
            for (const running of Object.values(sandbox.stats().running)) {
              maxAmcRunning = Math.max(maxAmcRunning, running);
            }
            return (await weekStatusCounts(db)).SUCCESS === 120;
          },
          90_000,
          10,
        );
      } finally {
        await scheduler.stop();
      }

      assert.ok(samples.length > 10, `only ${samples.length} samples taken`);
      assert.ok(Math.max(...samples.map((s) => s.activeCollections)) <= 5);
      assert.equal(Math.max(...samples.map((s) => s.activeCollections)), 5);
      assert.ok(Math.max(...samples.map((s) => s.maxPerCollection)) <= 10);
      assert.ok(Math.max(...samples.map((s) => s.maxPerInstance)) <= 10);
      assert.ok(maxAmcRunning <= 10);
      for (const peak of Object.values(sandbox.stats().maxRunning)) assert.ok(peak <= 10);

      const created = Object.values(sandbox.stats().executionsCreated).reduce((a, b) => a + b, 0);
      assert.equal(created, 120);

      const collections = await db.prisma.collection.findMany({
        where: { id: { in: fixture.collectionIds } },
        include: { weeks: { select: { startedAt: true } } },
      });
      const byId = new Map(collections.map((collection) => [collection.id, collection]));
      const firstFive = fixture.collectionIds.slice(0, 5).map((id) => byId.get(id)!);
      const sixth = byId.get(fixture.collectionIds[5]!)!;
      const sixthStartMs = Math.min(...sixth.weeks.map((week) => week.startedAt!.getTime()));
      const firstFinishMs = Math.min(...firstFive.map((c) => c.finishedAt!.getTime()));
      const lastFinishMs = Math.max(...firstFive.map((c) => c.finishedAt!.getTime()));
      assert.ok(sixthStartMs >= firstFinishMs, "sixth collection started before a slot freed");
      assert.ok(sixthStartMs < lastFinishMs, "sixth collection waited for all five to finish");
    });
  });
}
