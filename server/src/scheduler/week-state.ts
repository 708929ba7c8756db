import { notifyChange } from "../events/notify.ts";
import type { WeekStatus } from "../generated/prisma/enums.ts";
import { LeaseLostError } from "./context.ts";
import { utcNow, type SqlExecutor } from "./sql.ts";

// Status changes of a leased week. Each one requires that this scheduler still holds the lease,
// bumps the week's version and queues a change event in the caller's transaction.

interface ChangedWeek {
  id: string;
  collectionId: string;
  version: number;
  status: WeekStatus;
}

async function changeLeasedWeek(
  tx: SqlExecutor,
  weekId: string,
  owner: string,
  assignments: string,
  values: unknown[],
): Promise<ChangedWeek> {
  const rows = await tx.$queryRawUnsafe<ChangedWeek[]>(
    `UPDATE "Week" SET ${assignments},
       "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
       version = version + 1, "updatedAt" = ${utcNow}
     WHERE id = $1::uuid AND "leaseOwner" = $2 AND status = 'RUNNING'
     RETURNING id, "collectionId", version, status::text AS status`,
    weekId,
    owner,
    ...values,
  );
  const week = rows[0];
  if (!week) {
    throw new LeaseLostError(
      `Week ${weekId} is no longer RUNNING under lease owner ${owner}; another replica or a user changed it.`,
    );
  }
  await notifyChange(tx, {
    type: "week",
    id: week.id,
    collectionId: week.collectionId,
    version: week.version,
    status: week.status,
  });
  return week;
}

/** Assignments of a week's finish time and duration, for an UPDATE of "Week". */
export const finishedAssignments = `
  "finishedAt" = ${utcNow},
  "durationMs" = GREATEST(0, EXTRACT(EPOCH FROM ${utcNow} - COALESCE("startedAt", ${utcNow})) * 1000)::int`;

/** Marks the week FAILED with the reason users see. */
export function markWeekFailed(tx: SqlExecutor, weekId: string, owner: string, reason: string) {
  return changeLeasedWeek(
    tx,
    weekId,
    owner,
    `status = 'FAILED', "errorMessage" = $3, ${finishedAssignments}`,
    [reason],
  );
}

/** Puts the week back to PENDING for its next attempt, claimable after `delayMs`. */
export function scheduleWeekRetry(
  tx: SqlExecutor,
  weekId: string,
  owner: string,
  reason: string,
  delayMs: number,
  /** True when the attempt does not count against the retry budget. */
  freeAttempt = false,
) {
  return changeLeasedWeek(
    tx,
    weekId,
    owner,
    `status = 'PENDING', "errorMessage" = $3,
     "nextAttemptAt" = ${utcNow} + make_interval(secs => $4::double precision / 1000),
     "retriedAtAttempt" = "retriedAtAttempt" + CASE WHEN $5 THEN 1 ELSE 0 END`,
    [reason, delayMs, freeAttempt],
  );
}

/**
 * Gives a claimed week back without using its attempt, because nothing was sent to AMC (its
 * collection was paused after the claim).
 */
export function releaseUnsentClaim(tx: SqlExecutor, weekId: string, owner: string) {
  return changeLeasedWeek(
    tx,
    weekId,
    owner,
    `status = 'PENDING', attempts = GREATEST(0, attempts - 1), "startedAt" = NULL`,
    [],
  );
}
