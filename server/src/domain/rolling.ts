import { notifyChange } from "../events/notify.ts";
import { todayIn } from "./collection-input.ts";
import { insertWeeks, lockCollection, type Db } from "./db.ts";
import { addDaysToDay, dayToDbDate, dbDateToDay, planWeeks, type PlannedWeek } from "./weeks.ts";

// ROLLING collections keep a dashboard current: once a week has ended (its Sunday is before
// today in the collection's time zone), it is appended and waits like any other week until its
// data is ready. A ROLLING collection's last week always ends on a Sunday, so the next one
// starts on the following Monday.

/** Collection statuses that receive new weeks; FAILED and CANCELLED ones catch up on reactivation. */
const appendingStatuses = ["ACTIVE", "PAUSED"] as const;

/**
 * Appends every finished week to every ACTIVE or PAUSED ROLLING collection and returns the
 * number of weeks added. Safe to run from several replicas at once: each collection is locked
 * while its weeks are appended.
 */
export async function appendRollingWeeks(prisma: Db, now: Date): Promise<number> {
  const collections = await prisma.collection.findMany({
    where: { mode: "ROLLING", status: { in: [...appendingStatuses] } },
    select: { id: true },
  });
  let appended = 0;
  for (const { id } of collections) appended += await appendToCollection(prisma, id, now);
  return appended;
}

async function appendToCollection(prisma: Db, collectionId: string, now: Date): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const locked = await lockCollection(tx, collectionId);
    if (!(appendingStatuses as readonly string[]).includes(locked.status)) return 0;
    const collection = await tx.collection.findUniqueOrThrow({ where: { id: collectionId } });

    const weeks = finishedWeeksAfter(
      dbDateToDay(collection.endDate),
      todayIn(now, collection.timezone),
    );
    if (weeks.length === 0) return 0;
    await insertWeeks(tx, collectionId, weeks, collection.timezone, now);
    const updated = await tx.collection.update({
      where: { id: collectionId },
      data: { endDate: dayToDbDate(weeks[weeks.length - 1]!.endDate), version: { increment: 1 } },
      select: { id: true, version: true, status: true },
    });
    await notifyChange(tx, { type: "collection", ...updated });
    return weeks.length;
  });
}

/** Plans the whole weeks after `lastDay` whose Sunday is before `today`. */
export function finishedWeeksAfter(lastDay: string, today: string): PlannedWeek[] {
  const firstDay = addDaysToDay(lastDay, 1);
  const lastFinishedSunday = addDaysToDay(today, -1);
  if (firstDay > lastFinishedSunday) return [];
  return planWeeks({ startDate: firstDay, endDate: lastFinishedSunday }).filter(
    (week) => !week.partial,
  );
}
