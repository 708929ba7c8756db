import { notifyChange } from "../events/notify.ts";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import type { CollectionStatus, WeekStatus } from "../generated/prisma/enums.ts";
import { NotFoundError } from "./errors.ts";
import { dataReadyAt, dayToDbDate, type PlannedWeek } from "./weeks.ts";

// Row locks and change events shared by the domain's writes. Lock order: a transaction that
// changes a collection and its weeks locks the Collection row first, then the Week rows (by
// start date). The scheduler's finishing transactions take the same order (lockCollectionRow
// before the week), so neither side waits for a row the other holds in the opposite order.

/** A Prisma interactive transaction. */
export type Tx = Prisma.TransactionClient;

/** The client the domain's write functions take. */
export type Db = PrismaClient;

/** Execution statuses that may still be running at AMC (SUBMITTING: about to be created). */
export const activeExecutionStatuses = ["SUBMITTING", "PENDING", "RUNNING", "PUBLISHING"] as const;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns true when `id` is a UUID, so it can be cast to `uuid` in SQL without an error. */
export function isUuid(id: string): boolean {
  return UUID_PATTERN.test(id);
}

/**
 * Locks a week's collection and then the week (the lock order above), and returns the week's
 * status and collection. Throws NotFoundError when the week does not exist.
 */
export async function lockWeek(
  tx: Tx,
  weekId: string,
): Promise<{ id: string; collectionId: string; status: WeekStatus }> {
  if (!isUuid(weekId)) throw new NotFoundError("Week", weekId);
  // A week never changes collection, so reading the id before locking is safe.
  const found = await tx.week.findUnique({ where: { id: weekId }, select: { collectionId: true } });
  if (!found) throw new NotFoundError("Week", weekId);
  await lockCollection(tx, found.collectionId);
  const rows = await tx.$queryRawUnsafe<{ id: string; collectionId: string; status: WeekStatus }[]>(
    `SELECT id, "collectionId", status::text AS status FROM "Week" WHERE id = $1::uuid FOR UPDATE`,
    weekId,
  );
  const row = rows[0];
  if (!row) throw new NotFoundError("Week", weekId);
  return row;
}

/** Locks every week of a collection, in start-date order, and returns their ids and statuses. */
export async function lockWeeksOfCollection(
  tx: Tx,
  collectionId: string,
): Promise<{ id: string; status: WeekStatus }[]> {
  return tx.$queryRawUnsafe<{ id: string; status: WeekStatus }[]>(
    `SELECT id, status::text AS status FROM "Week" WHERE "collectionId" = $1::uuid
     ORDER BY "startDate" FOR UPDATE`,
    collectionId,
  );
}

/** Locks a collection row and returns its status; throws NotFoundError when missing. */
export async function lockCollection(
  tx: Tx,
  collectionId: string,
): Promise<{ id: string; status: CollectionStatus; mode: "BACKFILL" | "ROLLING" }> {
  if (!isUuid(collectionId)) throw new NotFoundError("Collection", collectionId);
  const rows = await tx.$queryRawUnsafe<
    { id: string; status: CollectionStatus; mode: "BACKFILL" | "ROLLING" }[]
  >(
    `SELECT id, status::text AS status, mode::text AS mode FROM "Collection"
     WHERE id = $1::uuid FOR UPDATE`,
    collectionId,
  );
  const row = rows[0];
  if (!row) throw new NotFoundError("Collection", collectionId);
  return row;
}

/** Sets a collection's status, bumps its version and queues the change event. */
export async function setCollectionStatus(
  tx: Tx,
  collectionId: string,
  status: CollectionStatus,
  now: Date,
): Promise<void> {
  const finished = status === "COMPLETED" || status === "FAILED" || status === "CANCELLED";
  const collection = await tx.collection.update({
    where: { id: collectionId },
    // finishedAt is cleared on reactivation so that no finished-state field outlives the state.
    data: { status, version: { increment: 1 }, finishedAt: finished ? now : null },
    select: { id: true, version: true, status: true },
  });
  await notifyChange(tx, { type: "collection", ...collection });
}

/**
 * Sets the status of the given weeks, bumps each version, clears leases and queues one change
 * event per week. `extra` contains further columns to set, such as `nextAttemptAt` on retry.
 */
export async function setWeekStatuses(
  tx: Tx,
  weekIds: string[],
  status: WeekStatus,
  extra: Prisma.WeekUpdateManyMutationInput = {},
): Promise<void> {
  for (const weekId of weekIds) {
    const week = await tx.week.update({
      where: { id: weekId },
      data: {
        ...extra,
        status,
        leaseOwner: null,
        leaseExpiresAt: null,
        version: { increment: 1 },
      },
      select: { id: true, collectionId: true, version: true, status: true },
    });
    await notifyChange(tx, { type: "week", ...week });
  }
}

/** Returns the executions of the given weeks that may still be running at AMC. */
export function findActiveExecutions(tx: Tx | Db, weekIds: string[]) {
  return tx.execution.findMany({
    where: { weekId: { in: weekIds }, status: { in: [...activeExecutionStatuses] } },
    orderBy: { createdAt: "asc" },
  });
}

/** Inserts planned weeks as PENDING, each claimable once its data is ready. */
export async function insertWeeks(
  tx: Tx,
  collectionId: string,
  weeks: readonly PlannedWeek[],
  timezone: string,
  now: Date,
): Promise<void> {
  await tx.week.createMany({
    data: weeks.map((week) => ({
      collectionId,
      startDate: dayToDbDate(week.startDate),
      endDate: dayToDbDate(week.endDate),
      isoWeek: week.isoWeek,
      partial: week.partial,
      nextAttemptAt: now,
      dataReadyAt: dataReadyAt(week.endDate, timezone),
    })),
  });
}

/** Returns true for Prisma's unique-constraint error (P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
