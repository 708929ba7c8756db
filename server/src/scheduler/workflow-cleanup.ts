import { AmcApiError } from "../amc/types.ts";
import { accountFor } from "./cancel.ts";
import type { RunnerContext } from "./context.ts";
import { savedWorkflowsCleanedTotal } from "./metrics.ts";
import { activeExecutionStatusList, utcNow } from "./sql.ts";
import { addEvent } from "./timeline.ts";

// Deleting at AMC the saved workflows that weeks no longer need. Every week runs its own saved
// workflow, so a year-long backfill leaves 52 of them in the AMC instance. A week's workflow is
// deleted once the week is finished and none of its executions can still run at AMC. For a
// backfill that waits until the collection is no longer ACTIVE, so a running backfill spends
// its AMC calls on its executions. A ROLLING collection stays ACTIVE, so its weeks are cleaned
// up one by one. A manual retry of a week creates its workflow again. Deleting a collection
// lists its weeks' workflows in AmcWorkflowDeletion, which the same sweep works through.

/** A week's saved workflow that may be deleted, with the newest execution that ran it. */
interface FinishedWorkflow {
  executionId: string;
  attempt: number;
  weekId: string;
  amcWorkflowId: string;
  amcInstanceId: string;
  accountId: string;
}

const finishedWorkflowsSql = `
  SELECT DISTINCT ON (e."weekId", e."amcWorkflowId")
    e.id AS "executionId", e.attempt, e."weekId", e."amcWorkflowId", i."amcInstanceId", i."accountId"
  FROM "Execution" e
  JOIN "Week" w ON w.id = e."weekId"
  JOIN "Collection" c ON c.id = w."collectionId"
  JOIN "Instance" i ON i.id = c."instanceId"
  WHERE e."amcWorkflowId" IS NOT NULL AND e."amcWorkflowDeletedAt" IS NULL
    AND w.status IN ('SUCCESS', 'FAILED', 'SKIPPED', 'CANCELLED')
    AND (c.status <> 'ACTIVE' OR c.mode = 'ROLLING')
    AND NOT EXISTS (
      SELECT 1 FROM "Execution" o
      WHERE o."weekId" = w.id AND o.status IN ${activeExecutionStatusList})
  ORDER BY e."weekId", e."amcWorkflowId", e.attempt DESC
  LIMIT $1::int`;

/** Result of cleaning up one saved workflow: deleted, already gone, or kept by AMC's rejection. */
type CleanupOutcome = { outcome: "deleted" | "gone" | "rejected"; message: string };

/**
 * Deletes one saved workflow at AMC. A 404 counts as gone. Any other rejection recurs on every
 * try, so it is reported once and the workflow is left at AMC. Returns undefined after a
 * transient fault, for the next sweep to retry.
 */
async function deleteAtAmc(
  context: RunnerContext,
  accountId: string,
  amcInstanceId: string,
  amcWorkflowId: string,
  ids: Record<string, string>,
): Promise<CleanupOutcome | undefined> {
  try {
    const account = await accountFor(context, context.accounts, accountId);
    await context.amc.deleteWorkflow(account, amcInstanceId, amcWorkflowId);
    return { outcome: "deleted", message: `Deleted saved workflow ${amcWorkflowId} at AMC.` };
  } catch (error) {
    if (!(error instanceof AmcApiError) || error.kind !== "permanent") {
      context.logger.warn(
        { ...ids, amcWorkflowId, err: error },
        "deleting a saved workflow at AMC failed; the next sweep retries it",
      );
      return undefined;
    }
    if (error.httpStatus === 404) {
      return {
        outcome: "gone",
        message: `Saved workflow ${amcWorkflowId} was already gone at AMC.`,
      };
    }
    context.logger.warn(
      { ...ids, amcWorkflowId, err: error },
      "AMC rejected the delete of a saved workflow",
    );
    return {
      outcome: "rejected",
      message: `AMC rejected the delete of saved workflow ${amcWorkflowId}: ${error.message}`,
    };
  }
}

/**
 * Deletes up to `limit` saved workflows of finished weeks at AMC and marks the executions that
 * ran them, then up to `limit` of deleted collections. Returns the number handled.
 */
export async function sweepSavedWorkflows(context: RunnerContext, limit = 20): Promise<number> {
  const rows = await context.database.prisma.$queryRawUnsafe<FinishedWorkflow[]>(
    finishedWorkflowsSql,
    limit,
  );
  let handled = 0;
  for (const row of rows) {
    const ids = { weekId: row.weekId, executionId: row.executionId };
    const result = await deleteAtAmc(
      context,
      row.accountId,
      row.amcInstanceId,
      row.amcWorkflowId,
      ids,
    );
    if (!result) continue;
    // Rows of a newer attempt, which a manual retry may have started meanwhile, keep their mark
    // unset: that attempt creates the workflow again.
    const marked = await context.database.prisma.$executeRawUnsafe(
      `UPDATE "Execution" SET "amcWorkflowDeletedAt" = ${utcNow}, "updatedAt" = ${utcNow}
       WHERE "weekId" = $1::uuid AND "amcWorkflowId" = $2 AND attempt <= $3::int
         AND "amcWorkflowDeletedAt" IS NULL`,
      row.weekId,
      row.amcWorkflowId,
      row.attempt,
    );
    if (marked > 0) {
      const kind = result.outcome === "rejected" ? "ERROR" : "WORKFLOW_DELETED";
      await addEvent(context.database.prisma, row.executionId, kind, result.message, {
        amcWorkflowId: row.amcWorkflowId,
        outcome: result.outcome,
      });
    }
    savedWorkflowsCleanedTotal.inc({ outcome: result.outcome });
    context.logger.debug({ ...ids, outcome: result.outcome }, "saved workflow cleaned up");
    handled++;
  }
  return handled + (await sweepDeletedCollections(context, limit));
}

/** A saved workflow of a deleted collection, listed by `deleteCollection`. */
interface PendingDeletion {
  id: string;
  amcWorkflowId: string;
  amcInstanceId: string;
  accountId: string;
}

/** Deletes up to `limit` saved workflows of deleted collections at AMC; returns the number handled. */
async function sweepDeletedCollections(context: RunnerContext, limit: number): Promise<number> {
  const rows = await context.database.prisma.$queryRawUnsafe<PendingDeletion[]>(
    `SELECT d.id, d."amcWorkflowId", i."amcInstanceId", i."accountId"
     FROM "AmcWorkflowDeletion" d JOIN "Instance" i ON i.id = d."instanceId"
     ORDER BY d."createdAt" LIMIT $1::int`,
    limit,
  );
  let handled = 0;
  for (const row of rows) {
    const result = await deleteAtAmc(context, row.accountId, row.amcInstanceId, row.amcWorkflowId, {
      deletionId: row.id,
    });
    if (!result) continue;
    await context.database.prisma.$executeRawUnsafe(
      `DELETE FROM "AmcWorkflowDeletion" WHERE id = $1::uuid`,
      row.id,
    );
    savedWorkflowsCleanedTotal.inc({ outcome: result.outcome });
    context.logger.info(
      { amcWorkflowId: row.amcWorkflowId, outcome: result.outcome },
      "saved workflow of a deleted collection cleaned up",
    );
    handled++;
  }
  return handled;
}
