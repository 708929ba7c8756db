import type { CollectionStatus, WeekStatus } from "../generated/prisma/enums.ts";
import { lockCollection, setCollectionStatus, type Tx } from "./db.ts";

/**
 * Returns the status an ACTIVE collection settles to, given its week statuses, or null while
 * it should stay ACTIVE:
 * - any week PENDING or RUNNING: stays ACTIVE (work remains);
 * - otherwise any week FAILED: FAILED;
 * - otherwise every week SUCCESS or SKIPPED: COMPLETED, except ROLLING collections, which stay
 *   ACTIVE and wait for the next week to be appended;
 * - otherwise (some weeks CANCELLED, for example after one week of a cancelled collection was
 *   retried): CANCELLED, so nothing is left ACTIVE with no work to do.
 */
export function settledStatus(
  weekStatuses: readonly WeekStatus[],
  mode: "BACKFILL" | "ROLLING",
): CollectionStatus | null {
  if (weekStatuses.some((status) => status === "PENDING" || status === "RUNNING")) return null;
  if (weekStatuses.some((status) => status === "FAILED")) return "FAILED";
  if (weekStatuses.every((status) => status === "SUCCESS" || status === "SKIPPED")) {
    return mode === "ROLLING" ? null : "COMPLETED";
  }
  return "CANCELLED";
}

/**
 * Moves an ACTIVE collection to COMPLETED, FAILED or CANCELLED when its weeks call for it (see
 * `settledStatus`) and returns the new status, or null when nothing changed. Runs inside the
 * caller's transaction. The scheduler calls it in the transaction that fails a week, and in a
 * transaction of its own right after one that finishes a week successfully.
 */
export async function settleCollection(
  tx: Tx,
  collectionId: string,
  now: Date = new Date(),
): Promise<CollectionStatus | null> {
  const collection = await lockCollection(tx, collectionId);
  if (collection.status !== "ACTIVE") return null;

  const weeks = await tx.week.findMany({ where: { collectionId }, select: { status: true } });
  const next = settledStatus(
    weeks.map((week) => week.status),
    collection.mode,
  );
  if (next === null) return null;
  await setCollectionStatus(tx, collectionId, next, now);
  return next;
}
