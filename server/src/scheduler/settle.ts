import type { RunnerContext } from "./context.ts";
import type { SettleCollection } from "./finish.ts";
import { transactionOptions, unsettledCollectionCondition } from "./sql.ts";

// Settling a collection after a week succeeded. The finishing statement only takes a share
// lock on the collection, so the weeks of one collection finish side by side. The settle runs
// after that commit in its own short transaction, and only when no week is PENDING or RUNNING.
// Of two weeks finishing together, the one whose check starts last reads both commits. A process
// that dies between the commit and the settle leaves a collection with nothing left to run, which
// the loop's sweep settles. Until it settles, the claim counts it as a running collection, so a
// waiting collection starts only once the one before it has really ended.

/** Weeks that still have work to do; a collection with one of these stays ACTIVE. */
const openWeekStatuses = `('PENDING', 'RUNNING')`;

/**
 * Settles the collection when none of its weeks is PENDING or RUNNING any more. Errors are
 * logged, not raised: the week is already finished, and the sweep settles the collection later.
 */
export async function settleWhenDone(
  context: RunnerContext,
  collectionId: string,
  settleCollection: SettleCollection,
): Promise<void> {
  const { prisma } = context.database;
  try {
    const open = await prisma.$queryRawUnsafe<unknown[]>(
      `SELECT 1 FROM "Week" WHERE "collectionId" = $1::uuid AND status IN ${openWeekStatuses}
       LIMIT 1`,
      collectionId,
    );
    if (open.length > 0) return;
    await prisma.$transaction((tx) => settleCollection(tx, collectionId), transactionOptions);
  } catch (error) {
    context.logger.warn(
      { err: error, collectionId },
      "settling the collection failed; the sweep retries it",
    );
  }
}

/**
 * Settles collections that are ACTIVE with no PENDING or RUNNING week but may need a new status
 * (see `unsettledCollectionCondition`). Returns how many it tried.
 */
export async function sweepUnsettledCollections(
  context: RunnerContext,
  settleCollection: SettleCollection,
  limit = 50,
): Promise<number> {
  const rows = await context.database.prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT c.id FROM "Collection" c WHERE ${unsettledCollectionCondition}
     ORDER BY c."createdAt" LIMIT $1::int`,
    limit,
  );
  for (const row of rows) await settleWhenDone(context, row.id, settleCollection);
  return rows.length;
}
