import type { Prisma } from "../generated/prisma/client.ts";
import { ResultIngestError, type ResultColumn, type ResultSummary } from "./types.ts";

/** Prisma client inside an interactive transaction. */
type Transaction = Prisma.TransactionClient;

/**
 * Makes a complete result set the week's current result and deletes the week's other
 * result sets, inside the caller's transaction. Readers join through Week.currentResultId,
 * so they see the old result or the new one, never both. The caller owns the week's
 * status, `version` bump and change event. A caller that has the summary `ingestResult`
 * returned for this set passes it as `summary`, which saves rereading it from the stored rows.
 */
export async function activateResult(
  tx: Transaction,
  weekId: string,
  resultSetId: string,
  summary?: ResultSummary,
): Promise<void> {
  // Lock the week so that two finishing attempts of one week activate one after the other.
  await tx.$queryRaw`SELECT 1 FROM "Week" WHERE id = ${weekId}::uuid FOR UPDATE`;
  const resultSet = await tx.resultSet.findUnique({
    where: { id: resultSetId },
    select: { weekId: true, completedAt: true, rowCount: true },
  });
  if (!resultSet || resultSet.weekId !== weekId) {
    throw new ResultIngestError(`Result set ${resultSetId} not found for week ${weekId}.`);
  }
  if (!resultSet.completedAt) {
    throw new ResultIngestError(
      `Result set ${resultSetId} is still being written; call activateResult after ingestResult resolves.`,
    );
  }

  const current = summary ?? (await readSummary(tx, resultSetId));
  await tx.week.update({
    where: { id: weekId },
    data: {
      currentResultId: resultSetId,
      rowCount: resultSet.rowCount,
      summary: current as unknown as Prisma.InputJsonObject,
    },
  });
  await tx.resultSet.deleteMany({ where: { weekId, id: { not: resultSetId } } });
}

/** Rebuilds the week summary from the stored columns and WeekMetric rows. */
async function readSummary(tx: Transaction, resultSetId: string): Promise<ResultSummary> {
  const resultSet = await tx.resultSet.findUniqueOrThrow({
    where: { id: resultSetId },
    select: { columns: true, rowCount: true },
  });
  const overall = await tx.weekMetric.findMany({
    where: { resultSetId, dimension: "" },
    select: { metric: true, sum: true, min: true, max: true, count: true },
  });
  const dimensions = await tx.$queryRaw<{ name: string; distinctValues: number }[]>`
    SELECT dimension AS name, count(DISTINCT "dimensionValue")::int AS "distinctValues"
    FROM "WeekMetric"
    WHERE "resultSetId" = ${resultSetId}::uuid AND dimension <> ''
    GROUP BY dimension
    ORDER BY dimension`;

  const metrics: ResultSummary["metrics"] = {};
  for (const { metric, ...aggregate } of overall) metrics[metric] = aggregate;
  return {
    rowCount: resultSet.rowCount,
    columns: resultSet.columns as unknown as ResultColumn[],
    metrics,
    dimensions,
  };
}
