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
// up one by one. A manual retry of a week creates its workflow again.

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

/**
 * Deletes up to `limit` saved workflows of finished weeks at AMC and marks the executions that
 * ran them. A workflow that AMC no longer has counts as deleted. Transient faults leave it for
 * the next sweep. Returns the number handled.
 */
export async function sweepSavedWorkflows(context: RunnerContext, limit = 20): Promise<number> {
  const rows = await context.database.prisma.$queryRawUnsafe<FinishedWorkflow[]>(
    finishedWorkflowsSql,
    limit,
  );
  let handled = 0;
  for (const row of rows) {
    const ids = {
      weekId: row.weekId,
      executionId: row.executionId,
      amcWorkflowId: row.amcWorkflowId,
    };
    let outcome: "deleted" | "gone" | "rejected";
    let message: string;
    try {
      const account = await accountFor(context, context.accounts, row.accountId);
      await context.amc.deleteWorkflow(account, row.amcInstanceId, row.amcWorkflowId);
      outcome = "deleted";
      message = `Deleted saved workflow ${row.amcWorkflowId} at AMC after the week finished.`;
    } catch (error) {
      if (!(error instanceof AmcApiError) || error.kind !== "permanent") {
        context.logger.warn(
          { ...ids, err: error },
          "deleting a saved workflow at AMC failed; the next sweep retries it",
        );
        continue;
      }
      // Any rejection but a 404 recurs on every try, so it is recorded once and the workflow
      // is left at AMC.
      if (error.httpStatus === 404) {
        outcome = "gone";
        message = `Saved workflow ${row.amcWorkflowId} was already gone at AMC.`;
      } else {
        outcome = "rejected";
        message = `AMC rejected the delete of saved workflow ${row.amcWorkflowId}: ${error.message}`;
        context.logger.warn({ ...ids, err: error }, "AMC rejected the delete of a saved workflow");
      }
    }
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
      const kind = outcome === "rejected" ? "ERROR" : "WORKFLOW_DELETED";
      await addEvent(context.database.prisma, row.executionId, kind, message, {
        amcWorkflowId: row.amcWorkflowId,
        outcome,
      });
    }
    savedWorkflowsCleanedTotal.inc({ outcome });
    context.logger.debug({ ...ids, outcome }, "saved workflow cleaned up");
    handled++;
  }
  return handled;
}
