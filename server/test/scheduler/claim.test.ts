import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import pg from "pg";
import type { Database } from "../../src/db/database.ts";
import { listenStatement, readEventsChannel, type ChangeEvent } from "../../src/events/notify.ts";
import {
  claimWeeks,
  releaseLeases,
  renewLeases,
  takeOverExpiredLeases,
  type ClaimLimits,
} from "../../src/scheduler/claim.ts";
import { backends, createTestDatabase, testPostgresUrl } from "../support/database.ts";
import { waitUntil } from "../support/scheduler-harness.ts";
import { createFixtureCollections } from "../support/scheduler-fixtures.ts";

/** Subscribes to change events on either backend; returns the unsubscribe function. */
async function listen(db: Database, onEvent: (event: ChangeEvent) => void) {
  const parse = (payload: string | undefined) =>
    onEvent(JSON.parse(payload ?? "{}") as ChangeEvent);
  const pglite = db.pglite;
  if (pglite) return pglite.listen(await readEventsChannel((sql) => pglite.query(sql)), parse);
  const client = new pg.Client({
    connectionString: testPostgresUrl,
    options: `-c search_path="${db.connection!.schema}"`,
  });
  await client.connect();
  client.on("notification", (message) => parse(message.payload));
  await client.query(listenStatement(await readEventsChannel((sql) => client.query(sql))));
  return () => client.end();
}

const limits: ClaimLimits = {
  maxActiveCollections: 5,
  maxRunningWeeksPerCollection: 10,
  maxRunningPerInstance: 10,
};
const leaseMs = 60_000;

async function runningByCollection(db: Database): Promise<Map<string, number>> {
  const groups = await db.prisma.week.groupBy({
    by: ["collectionId"],
    where: { status: "RUNNING" },
    _count: true,
  });
  return new Map(groups.map((group) => [group.collectionId, group._count]));
}

for (const backend of backends) {
  describe(`claim on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.prisma.collection.deleteMany();
      await db.prisma.instance.deleteMany();
      await db.prisma.account.deleteMany();
    });

    test("claim holds collection limits", async () => {
      const fixture = await createFixtureCollections(db, {
        collections: 6,
        weeksPerCollection: 20,
        instances: 6,
      });
      const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(claimed.length, 50);
      const running = await runningByCollection(db);
      assert.equal(running.size, 5);
      for (const count of running.values()) assert.equal(count, 10);
      assert.equal(running.get(fixture.collectionIds[5]!), undefined);
      assert.ok(claimed.every((week) => week.attempt === 1));

      const again = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(again.length, 0);
    });

    test("sixth collection starts when slot frees", async () => {
      const fixture = await createFixtureCollections(db, {
        collections: 7,
        weeksPerCollection: 12,
        instances: 7,
      });
      await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      await db.prisma.week.updateMany({
        where: { collectionId: fixture.collectionIds[0] },
        data: { status: "SUCCESS", leaseOwner: null, leaseExpiresAt: null },
      });
      // An ACTIVE collection with every week done keeps its slot until it settles.
      const unsettled = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(unsettled.length, 0);
      await db.prisma.collection.update({
        where: { id: fixture.collectionIds[0] },
        data: { status: "COMPLETED", finishedAt: new Date() },
      });
      const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.ok(claimed.length > 0);
      assert.ok(claimed.every((week) => week.collectionId === fixture.collectionIds[5]));
      const running = await runningByCollection(db);
      assert.equal(running.get(fixture.collectionIds[5]!), 10);
      assert.equal(running.get(fixture.collectionIds[6]!), undefined);
    });

    test("freed week slot refills same collection", async () => {
      const fixture = await createFixtureCollections(db, {
        collections: 1,
        weeksPerCollection: 20,
      });
      const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(claimed.length, 10);
      await db.prisma.week.update({
        where: { id: claimed[0]!.weekId },
        data: { status: "SUCCESS", leaseOwner: null, leaseExpiresAt: null },
      });
      const refill = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(refill.length, 1);
      assert.equal(refill[0]!.collectionId, fixture.collectionIds[0]);
    });

    test("instance slots shared between collections", async () => {
      const fixture = await createFixtureCollections(db, {
        collections: 2,
        weeksPerCollection: 20,
        instances: 1,
        maxConcurrentExecutions: 10,
      });
      const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(claimed.length, 10);
      const running = await runningByCollection(db);
      assert.equal(running.get(fixture.collectionIds[0]!), 5);
      assert.equal(running.get(fixture.collectionIds[1]!), 5);
    });

    test("instance row lowers its cap", async () => {
      await createFixtureCollections(db, {
        collections: 1,
        weeksPerCollection: 20,
        maxConcurrentExecutions: 3,
      });
      const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(claimed.length, 3);
    });

    test("unclaimable weeks stay pending", async () => {
      const fixture = await createFixtureCollections(db, {
        collections: 3,
        weeksPerCollection: 2,
        instances: 3,
      });
      await db.prisma.collection.update({
        where: { id: fixture.collectionIds[0] },
        data: { status: "PAUSED" },
      });
      await db.prisma.week.updateMany({
        where: { collectionId: fixture.collectionIds[1] },
        data: { nextAttemptAt: new Date(Date.now() + 3_600_000) },
      });
      await db.prisma.week.updateMany({
        where: { collectionId: fixture.collectionIds[2] },
        data: { dataReadyAt: new Date(Date.now() + 3_600_000) },
      });
      const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(claimed.length, 0);
    });

    test("cancelled week's live execution holds slot", async () => {
      await createFixtureCollections(db, {
        collections: 1,
        weeksPerCollection: 12,
        maxConcurrentExecutions: 2,
      });
      const [first] = await claimWeeks(db, "replica-a", leaseMs, limits, 1);
      await db.prisma.execution.create({
        data: {
          weekId: first!.weekId,
          attempt: 1,
          status: "RUNNING",
          sql: "SELECT 1",
          timeWindowStart: "2024-01-01T00:00:00",
          timeWindowEnd: "2024-01-08T00:00:00",
          timeWindowTimeZone: "UTC",
        },
      });
      await db.prisma.week.update({
        where: { id: first!.weekId },
        data: { status: "CANCELLED", leaseOwner: null, leaseExpiresAt: null },
      });
      const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      assert.equal(claimed.length, 1);
    });

    test("claim sends change events", async () => {
      await createFixtureCollections(db, { collections: 1, weeksPerCollection: 2 });
      const events: ChangeEvent[] = [];
      const stopListening = await listen(db, (event) => events.push(event));
      try {
        const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
        await waitUntil("two events", async () => events.length >= 2, 5000);
        assert.deepEqual(
          events.map((event) => (event.type === "week" ? event.id : "")).sort(),
          claimed.map((week) => week.weekId).sort(),
        );
        assert.ok(events.every((event) => event.type === "week" && event.status === "RUNNING"));
        assert.ok(events.every((event) => event.type === "week" && event.version === 2));
      } finally {
        await stopListening();
      }
    });

    test("lease renew, release and takeover", async () => {
      await createFixtureCollections(db, { collections: 1, weeksPerCollection: 3 });
      const claimed = await claimWeeks(db, "replica-a", leaseMs, limits, 1000);
      const ids = claimed.map((week) => week.weekId);
      assert.equal((await takeOverExpiredLeases(db, "replica-b", leaseMs, 10)).length, 0);
      assert.equal((await renewLeases(db.prisma, "replica-a", leaseMs, ids)).size, 3);
      assert.equal((await renewLeases(db.prisma, "replica-b", leaseMs, ids)).size, 0);

      await releaseLeases(db.prisma, "replica-a", ids.slice(0, 2));
      const takenOver = await takeOverExpiredLeases(db, "replica-b", leaseMs, 10);
      assert.deepEqual(takenOver.map((week) => week.weekId).sort(), ids.slice(0, 2).sort());
      assert.ok(takenOver.every((week) => week.attempt === 1));
      assert.equal((await renewLeases(db.prisma, "replica-a", leaseMs, ids)).size, 1);
    });

    if (backend === "postgres") {
      test("parallel claims never exceed limits", async () => {
        await createFixtureCollections(db, {
          collections: 8,
          weeksPerCollection: 20,
          instances: 3,
        });
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            claimWeeks(db, `replica-${i % 3}`, leaseMs, limits, 4),
          ),
        );
        const ids = results.flat().map((week) => week.weekId);
        assert.equal(new Set(ids).size, ids.length);
        const running = await runningByCollection(db);
        assert.ok(running.size <= 5);
        for (const count of running.values()) assert.ok(count <= 10);
        const perInstance = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM "Week" w JOIN "Collection" c ON c.id = w."collectionId"
           WHERE w.status = 'RUNNING' GROUP BY c."instanceId"`,
        );
        for (const row of perInstance) assert.ok(row.n <= 10);
        assert.equal(ids.length, 30);
      });
    }
  });
}
