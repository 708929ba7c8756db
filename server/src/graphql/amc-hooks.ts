import type { AmcHttpClient } from "../amc/client.ts";
import type { AmcInstanceStats } from "../amc/stats.ts";
import { decryptCredentials } from "../db/secrets.ts";
import type { Execution, PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { CancelAmcExecutions } from "./context.ts";

// What the API needs from an AMC client: cancelling the executions of a collection that is
// being deleted, and the client's response-time and throttling figures for operators.

/**
 * Returns a canceller for deleteCollection. It is best effort: the rows are deleted next in any
 * case, so a failure to reach AMC is logged and the execution runs out on AMC's side.
 */
export function createAmcCanceller(
  amc: AmcHttpClient,
  prisma: PrismaClient,
  secretKey: Buffer,
  logger: Logger,
): CancelAmcExecutions {
  return async (executions: Execution[]) => {
    const weekIds = [...new Set(executions.map((execution) => execution.weekId))];
    const weeks = await prisma.week.findMany({
      where: { id: { in: weekIds } },
      select: { id: true, collection: { select: { instance: { include: { account: true } } } } },
    });
    const instanceOfWeek = new Map(weeks.map((week) => [week.id, week.collection.instance]));
    for (const execution of executions) {
      const instance = instanceOfWeek.get(execution.weekId);
      if (!execution.amcExecutionId || !instance) continue;
      const ids = { executionId: execution.id, amcExecutionId: execution.amcExecutionId };
      try {
        const { account } = instance;
        const credentials = decryptCredentials(secretKey, account.credentials);
        await amc.cancelExecution(
          { accountId: account.id, ...pickEndpoints(account), ...credentials },
          instance.amcInstanceId,
          execution.amcExecutionId,
        );
        logger.info(ids, "execution cancelled at AMC before deleting its collection");
      } catch (error) {
        logger.warn(
          { ...ids, err: error },
          "failed to cancel an execution at AMC before deleting its collection; it runs out there",
        );
      }
    }
  };
}

function pickEndpoints(account: {
  apiBaseUrl: string;
  tokenUrl: string;
  entityId: string;
  marketplaceId: string;
}) {
  const { apiBaseUrl, tokenUrl, entityId, marketplaceId } = account;
  return { apiBaseUrl, tokenUrl, entityId, marketplaceId };
}

/**
 * Merges the figures of several AMC clients of this process per instance. Counts add up and the
 * mean is weighted by requests. p95 and max take the larger value, so p95 is an upper bound when
 * more than one client called an instance.
 */
export function mergeAmcStats(lists: AmcInstanceStats[][]): AmcInstanceStats[] {
  const merged = new Map<string, AmcInstanceStats>();
  for (const stats of lists.flat()) {
    const key = `${stats.accountId}\n${stats.amcInstanceId}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...stats });
      continue;
    }
    const requestCount = seen.requestCount + stats.requestCount;
    merged.set(key, {
      ...seen,
      requestCount,
      meanResponseMs:
        requestCount === 0
          ? 0
          : (seen.meanResponseMs * seen.requestCount + stats.meanResponseMs * stats.requestCount) /
            requestCount,
      p95ResponseMs: Math.max(seen.p95ResponseMs, stats.p95ResponseMs),
      maxResponseMs: Math.max(seen.maxResponseMs, stats.maxResponseMs),
      throttledCount: seen.throttledCount + stats.throttledCount,
      transientErrorCount: seen.transientErrorCount + stats.transientErrorCount,
      permanentErrorCount: seen.permanentErrorCount + stats.permanentErrorCount,
    });
  }
  return [...merged.values()];
}
