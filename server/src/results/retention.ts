import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";

/** Counts of what a retention pass deleted. */
export interface PurgeReport {
  resultSets: number;
  rows: number;
}

/**
 * Deletes the raw rows of result sets completed before `completedBefore` and marks them
 * with rowsPurgedAt. Summaries and WeekMetric rows stay, so trends keep working; raw-row
 * queries and exports of those weeks return no rows.
 */
export async function purgeResultRows(
  prisma: PrismaClient,
  completedBefore: Date,
  logger?: Logger,
): Promise<PurgeReport> {
  const candidates = await prisma.resultSet.findMany({
    where: { completedAt: { lt: completedBefore }, rowsPurgedAt: null },
    select: { id: true, weekId: true },
  });
  let rows = 0;
  for (const { id, weekId } of candidates) {
    const [deleted] = await prisma.$transaction([
      prisma.resultRow.deleteMany({ where: { resultSetId: id } }),
      prisma.resultSet.update({ where: { id }, data: { rowsPurgedAt: new Date() } }),
    ]);
    rows += deleted.count;
    logger?.debug({ resultSetId: id, weekId, rows: deleted.count }, "result rows purged");
  }
  if (candidates.length > 0) {
    logger?.info({ resultSets: candidates.length, rows, completedBefore }, "retention pass done");
  }
  return { resultSets: candidates.length, rows };
}
