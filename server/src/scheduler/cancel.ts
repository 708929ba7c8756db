import { AmcApiError } from "../amc/types.ts";
import type { RunnerContext } from "./context.ts";
import type { AccountCache } from "./job.ts";
import { executionsCancelledTotal } from "./metrics.ts";
import { activeExecutionStatusList, utcNow } from "./sql.ts";
import { addEvent } from "./timeline.ts";

// Cancelling at AMC the executions that no runner polls any more: those of cancelled weeks, and
// those an older attempt left behind. Cancelling a collection marks its weeks CANCELLED but
// leaves their Execution rows alone, so this sweep finds them and ends them at AMC.

interface LeftoverExecution {
  id: string;
  weekId: string;
  amcExecutionId: string | null;
  amcWorkflowId: string | null;
  submittedAt: Date | null;
  amcInstanceId: string;
  accountId: string;
}

const leftoverSelect = `
  SELECT e.id, e."weekId", e."amcExecutionId", e."amcWorkflowId", e."submittedAt",
    i."amcInstanceId", i."accountId"
  FROM "Execution" e
  JOIN "Week" w ON w.id = e."weekId"
  JOIN "Collection" c ON c.id = w."collectionId"
  JOIN "Instance" i ON i.id = c."instanceId"
  WHERE e.status IN ${activeExecutionStatusList}`;

async function markCancelled(
  context: RunnerContext,
  execution: LeftoverExecution,
  message: string,
) {
  const updated = await context.database.prisma.$executeRawUnsafe(
    `UPDATE "Execution" SET status = 'CANCELLED', "statusReason" = $2,
       "finishedAt" = ${utcNow}, "updatedAt" = ${utcNow}
     WHERE id = $1::uuid AND status IN ${activeExecutionStatusList}`,
    execution.id,
    message,
  );
  if (updated > 0) await addEvent(context.database.prisma, execution.id, "CANCELLED", message);
}

/** Loads an account's AMC connection, decrypted once per account version. */
export async function accountFor(
  context: RunnerContext,
  accounts: AccountCache,
  accountId: string,
) {
  const account = await context.database.prisma.account.findUniqueOrThrow({
    where: { id: accountId },
  });
  return accounts.connection(account);
}

/** Cancels one leftover execution at AMC and records it; AMC faults leave it for the next sweep. */
async function cancelOne(context: RunnerContext, execution: LeftoverExecution): Promise<void> {
  const account = await accountFor(context, context.accounts, execution.accountId);
  const ids = { weekId: execution.weekId, executionId: execution.id };
  const amcIds: string[] = [];
  if (execution.amcExecutionId) {
    amcIds.push(execution.amcExecutionId);
  } else if (execution.submittedAt && execution.amcWorkflowId) {
    // The create call may have worked before the week was cancelled: look for its execution.
    const known = await context.database.prisma.execution.findMany({
      where: { weekId: execution.weekId, amcExecutionId: { not: null } },
      select: { amcExecutionId: true },
    });
    const knownIds = new Set(known.map((row) => row.amcExecutionId));
    const page = await context.amc.listExecutions(account, {
      amcInstanceId: execution.amcInstanceId,
      workflowId: execution.amcWorkflowId,
      limit: 100,
    });
    for (const item of page.executions) {
      if (!knownIds.has(item.workflowExecutionId)) amcIds.push(item.workflowExecutionId);
    }
  }
  for (const amcExecutionId of amcIds) {
    try {
      await context.amc.cancelExecution(account, execution.amcInstanceId, amcExecutionId);
    } catch (error) {
      // AMC refuses to cancel an execution that already ended; anything else is retried later.
      if (!(error instanceof AmcApiError) || error.kind !== "permanent") throw error;
      context.logger.info(
        { ...ids, amcExecutionId, err: error },
        "AMC did not cancel the execution",
      );
    }
    executionsCancelledTotal.inc();
  }
  context.logger.info({ ...ids, amcExecutionIds: amcIds }, "leftover execution cancelled at AMC");
  await markCancelled(
    context,
    execution,
    amcIds.length > 0
      ? `Cancelled at AMC (${amcIds.join(", ")}).`
      : "Cancelled before AMC created it.",
  );
}

/** Cancels the week's executions of older attempts that are still active. */
export async function cancelLeftoverExecutions(
  context: RunnerContext,
  weekId: string,
  signal: AbortSignal,
): Promise<void> {
  const rows = await context.database.prisma.$queryRawUnsafe<LeftoverExecution[]>(
    `${leftoverSelect} AND e."weekId" = $1::uuid
       AND e.attempt < (SELECT attempts FROM "Week" WHERE id = $1::uuid)`,
    weekId,
  );
  for (const row of rows) {
    signal.throwIfAborted();
    await cancelOne(context, row);
  }
}

/**
 * Cancels at AMC the active executions of weeks that are no longer RUNNING. A SUBMITTING row is
 * left to its runner until its lease would have expired, so the sweep does not race a create
 * call in flight. Returns the number handled.
 */
export async function sweepCancelledExecutions(
  context: RunnerContext,
  limit = 50,
): Promise<number> {
  const rows = await context.database.prisma.$queryRawUnsafe<LeftoverExecution[]>(
    `${leftoverSelect} AND w.status <> 'RUNNING'
       AND (e.status <> 'SUBMITTING'
            OR e."updatedAt" < ${utcNow} - make_interval(secs => $1::double precision / 1000))
     ORDER BY e."updatedAt" LIMIT $2::int`,
    context.settings.leaseDurationMs / context.settings.timeScale,
    limit,
  );
  let handled = 0;
  for (const row of rows) {
    try {
      await cancelOne(context, row);
      handled++;
    } catch (error) {
      context.logger.warn(
        { err: error, executionId: row.id, weekId: row.weekId },
        "cancelling at AMC failed; will retry",
      );
    }
  }
  return handled;
}
