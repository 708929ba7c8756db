import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Database } from "../../src/db/database.ts";
import {
  cancelCollection,
  createCollection,
  pauseCollection,
  resumeCollection,
  retryWeek,
} from "../../src/domain/collections.ts";
import { listenForChanges, type ChangeListener } from "../../src/events/listener.ts";
import type { ChangeEvent } from "../../src/events/notify.ts";
import { createLogger } from "../../src/logger.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { insertFixtures, testOptions, validInput } from "./fixtures.ts";

// Every status change must reach subscribers as a change event with the new version. Events
// are received through the real listener, so this covers delivery after commit too.

for (const backend of backends) {
  describe(`change events on ${backend}`, () => {
    let db: Database;
    let listener: ChangeListener;
    const events: ChangeEvent[] = [];

    before(async () => {
      db = await createTestDatabase(backend);
      listener = await listenForChanges(
        db,
        (event) => {
          if (event) events.push(event);
        },
        createLogger("silent"),
      );
    });
    after(async () => {
      await listener?.stop();
      await db?.close();
    });

    /** Waits until the events for `id` match `count`, or returns what arrived after 2 s. */
    async function eventsFor(id: string, count: number): Promise<ChangeEvent[]> {
      const matching = () =>
        events.filter(
          (event) => event.id === id || ("collectionId" in event && event.collectionId === id),
        );
      for (let waitedMs = 0; matching().length < count && waitedMs < 2_000; waitedMs += 20) {
        await sleep(20);
      }
      return matching();
    }

    test("lifecycle writes send events", async () => {
      const ids = await insertFixtures(db.prisma);
      const collection = await createCollection(db.prisma, validInput(ids), testOptions);
      const [firstWeek] = await db.prisma.week.findMany({
        where: { collectionId: collection.id },
        orderBy: { startDate: "asc" },
      });
      await pauseCollection(db.prisma, collection.id);
      await resumeCollection(db.prisma, collection.id);
      await cancelCollection(db.prisma, collection.id);
      await retryWeek(db.prisma, firstWeek!.id);

      const received = await eventsFor(collection.id, 10);
      const summary = received.map((event) =>
        event.type === "collectionDeleted"
          ? "deleted"
          : `${event.type}:${event.status}:${event.version}${event.type === "week" ? `:${event.id === firstWeek!.id ? "first" : "other"}` : ""}`,
      );
      assert.deepEqual(summary, [
        "collection:ACTIVE:1",
        "collection:PAUSED:2",
        "collection:ACTIVE:3",
        "week:CANCELLED:2:first",
        "week:CANCELLED:2:other",
        "week:CANCELLED:2:other",
        "week:CANCELLED:2:other",
        "collection:CANCELLED:4",
        "week:PENDING:3:first",
        "collection:ACTIVE:5",
      ]);
    });

    test("failed write sends nothing", async () => {
      const before = events.length;
      const collection = await db.prisma.collection.findFirstOrThrow();
      await assert.rejects(pauseCollection(db.prisma, "00000000-0000-4000-8000-000000000000"));
      await assert.rejects(resumeCollection(db.prisma, collection.id));
      await sleep(200);
      assert.equal(events.length, before);
    });

    if (backend === "postgres") {
      test("other schema's events stay apart", async () => {
        const other = await createTestDatabase("postgres");
        const otherEvents: ChangeEvent[] = [];
        const otherListener = await listenForChanges(
          other,
          (event) => {
            if (event) otherEvents.push(event);
          },
          createLogger("silent"),
        );
        try {
          const before = events.length;
          const ids = await insertFixtures(other.prisma);
          const collection = await createCollection(other.prisma, validInput(ids), testOptions);
          for (let waitedMs = 0; otherEvents.length === 0 && waitedMs < 2_000; waitedMs += 20) {
            await sleep(20);
          }
          assert.equal(otherEvents[0]?.id, collection.id);
          await sleep(200);
          assert.equal(events.length, before);
        } finally {
          await otherListener.stop();
          await other.close();
        }
      });
    }
  });
}
