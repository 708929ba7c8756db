import type { Week } from "../generated/prisma/client.ts";
import type { WeekStatus } from "../generated/prisma/enums.ts";
import {
  findActiveExecutions,
  lockCollection,
  lockWeek,
  lockWeeksOfCollection,
  setCollectionStatus,
  setWeekStatuses,
  type Db,
  type Tx,
} from "./db.ts";
import { ConflictError } from "./errors.ts";
import { settleCollection } from "./settle.ts";
import {
  assertCollectionTransition,
  assertWeekTransition,
  IllegalTransitionError,
} from "./transitions.ts";

// User actions on single weeks. Each runs in one transaction that locks the collection and
// week rows before reading the week's status, so two concurrent calls on one week change it
// once: the second waits for the first to commit and then reads the new status.

/** Options of retryWeek. */
export interface RetryWeekOptions {
  /** Also retry a week that succeeded; its current result stays until the new one replaces it. */
  force?: boolean;
  now?: Date;
}

/** Collection statuses that a retry moves back to ACTIVE; PAUSED stays PAUSED. */
const reactivatedByRetry = new Set(["FAILED", "CANCELLED", "COMPLETED"]);

/**
 * Puts a FAILED or CANCELLED week (SUCCESS only with `force`) back to PENDING, claimable at
 * once, and reactivates a finished collection. The week keeps its dates, its attempt count and
 * its current result, and the collection keeps its SQL snapshot, so the retry runs the same
 * window and SQL. The scheduler's automatic retries get their full budget again. Throws IllegalTransitionError for other statuses and ConflictError while an
 * execution of a cancelled week is still being cancelled at AMC.
 */
export async function retryWeek(
  prisma: Db,
  weekId: string,
  options: RetryWeekOptions = {},
): Promise<Week> {
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const week = await lockWeek(tx, weekId);
    assertRetryable(week.id, week.status, options.force ?? false);
    await assertNoActiveExecutions(tx, [week.id]);
    await resetWeeks(tx, [week.id], now);
    await reactivateCollection(tx, week.collectionId, now);
    return tx.week.findUniqueOrThrow({ where: { id: week.id } });
  });
}

/** Retries every FAILED week of a collection; returns how many weeks were reset. */
export async function retryFailedWeeks(
  prisma: Db,
  collectionId: string,
  options: { now?: Date } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    await lockCollection(tx, collectionId);
    const weeks = await lockWeeksOfCollection(tx, collectionId);
    const failed = weeks.filter((week) => week.status === "FAILED").map((week) => week.id);
    if (failed.length === 0) return 0;
    await resetWeeks(tx, failed, now);
    await reactivateCollection(tx, collectionId, now);
    return failed.length;
  });
}

/**
 * Marks a PENDING week SKIPPED, so it never runs and counts as done, then settles the
 * collection, which may complete it.
 */
export async function skipWeek(
  prisma: Db,
  weekId: string,
  options: { now?: Date } = {},
): Promise<Week> {
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const week = await lockWeek(tx, weekId);
    assertWeekTransition(week.id, week.status, "SKIPPED");
    await setWeekStatuses(tx, [week.id], "SKIPPED", { finishedAt: now });
    await settleCollection(tx, week.collectionId, now);
    return tx.week.findUniqueOrThrow({ where: { id: week.id } });
  });
}

function assertRetryable(weekId: string, status: WeekStatus, force: boolean): void {
  if (status === "SUCCESS" && !force) {
    throw new IllegalTransitionError(
      "Week",
      weekId,
      status,
      "PENDING",
      [],
      "retrying a SUCCESS week replaces its result: pass force to do it anyway.",
    );
  }
  assertWeekTransition(weekId, status, "PENDING");
  if (status === "RUNNING") {
    // RUNNING → PENDING is the scheduler's back-off move, never a user's retry.
    throw new IllegalTransitionError(
      "Week",
      weekId,
      status,
      "PENDING",
      [],
      "it is still running: wait for it to finish, or cancel the collection first.",
    );
  }
}

/**
 * Rejects a retry while an execution of the week may still run at AMC: cancel leaves execution
 * rows to the scheduler, which cancels them at AMC shortly after, and a second in-flight
 * execution for one week is not allowed.
 */
async function assertNoActiveExecutions(tx: Tx, weekIds: string[]): Promise<void> {
  const active = await findActiveExecutions(tx, weekIds);
  if (active.length === 0) return;
  throw new ConflictError(
    `Week ${active[0]!.weekId} still has execution ${active[0]!.id} (${active[0]!.status}) in flight at AMC; ` +
      "the scheduler is cancelling it. Try again in a few seconds.",
    "EXECUTION_IN_FLIGHT",
    [
      ["Week", active[0]!.weekId],
      ["Execution", active[0]!.id],
    ],
  );
}

/**
 * Resets weeks to PENDING, claimable now, clearing what the last attempt left behind. The
 * attempt count stays, and the automatic retry budget starts again from it.
 */
export async function resetWeeks(tx: Tx, weekIds: string[], now: Date): Promise<void> {
  await tx.$executeRaw`UPDATE "Week" SET "retriedAtAttempt" = attempts WHERE id = ANY(${weekIds}::uuid[])`;
  await setWeekStatuses(tx, weekIds, "PENDING", {
    nextAttemptAt: now,
    errorMessage: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
  });
}

async function reactivateCollection(tx: Tx, collectionId: string, now: Date): Promise<void> {
  const collection = await lockCollection(tx, collectionId);
  if (!reactivatedByRetry.has(collection.status)) return;
  assertCollectionTransition(collectionId, collection.status, "ACTIVE");
  await setCollectionStatus(tx, collectionId, "ACTIVE", now);
}
