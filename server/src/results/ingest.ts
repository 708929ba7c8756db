import type { Database } from "../db/database.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { readCsvParts, type CsvPart } from "./csv-parts.ts";
import { openRowWriter } from "./row-writer.ts";
import { SummaryBuilder, type MetricRow } from "./summary.ts";
import { ResultIngestError, type ResultColumn, type ResultSummary } from "./types.ts";

/** Input of `ingestResult`: the downloaded result of one execution of one week. */
export interface IngestRequest {
  executionId: string;
  weekId: string;
  collectionId: string;
  /** The result's CSV files in download order, each with its own header line. */
  parts: AsyncIterable<CsvPart> | Iterable<CsvPart>;
  /** Distinct values up to which a non-numeric column keeps per-value aggregates. */
  maxDimensionValues?: number;
}

/** A stored, complete result set that is not yet the week's current result. */
export interface IngestedResult {
  resultSetId: string;
  rowCount: number;
  columns: ResultColumn[];
  summary: ResultSummary;
}

const metricInsertBatch = 1000;

/**
 * Streams an execution's CSV parts into a new ResultSet with its rows, column types, summary
 * and WeekMetric rows. The set is left complete but not current, because the scheduler makes
 * it current with `activateResult` in its finishing transaction. An earlier ResultSet of the
 * same execution that never became current (a crash mid-ingest) is deleted first.
 */
export async function ingestResult(
  database: Database,
  request: IngestRequest,
): Promise<IngestedResult> {
  const { prisma } = database;
  const resultSetId = await startResultSet(prisma, request);
  const builder = new SummaryBuilder(request.maxDimensionValues);
  const writer = await openRowWriter(database, resultSetId);
  try {
    for await (const values of readCsvParts(request.parts, (name) => builder.addColumn(name))) {
      builder.addRow(values);
      await writer.add(values);
    }
    await writer.finish();
  } catch (error) {
    await writer.abort(error as Error);
    if (error instanceof ResultIngestError) throw error;
    throw new ResultIngestError(
      `Storing the result of execution ${request.executionId} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const { summary, metricRows } = builder.finish();
  await completeResultSet(prisma, request, resultSetId, summary, metricRows);
  return { resultSetId, rowCount: summary.rowCount, columns: summary.columns, summary };
}

/** Deletes a leftover result set of the execution and creates an empty, incomplete one. */
async function startResultSet(prisma: PrismaClient, request: IngestRequest): Promise<string> {
  const week = await prisma.week.findUnique({
    where: { id: request.weekId },
    select: { collectionId: true, currentResult: { select: { executionId: true } } },
  });
  if (!week)
    throw new ResultIngestError(`Week ${request.weekId} not found: it may have been deleted.`);
  if (week.collectionId !== request.collectionId) {
    throw new ResultIngestError(
      `Week ${request.weekId} belongs to collection ${week.collectionId}, not ${request.collectionId}.`,
    );
  }
  if (week.currentResult?.executionId === request.executionId) {
    throw new ResultIngestError(
      `Execution ${request.executionId} already has the current result of week ${request.weekId}: ` +
        "start a new execution to replace it.",
    );
  }
  await prisma.resultSet.deleteMany({ where: { executionId: request.executionId } });
  const resultSet = await prisma.resultSet.create({
    data: { executionId: request.executionId, weekId: request.weekId },
    select: { id: true },
  });
  return resultSet.id;
}

async function completeResultSet(
  prisma: PrismaClient,
  request: IngestRequest,
  resultSetId: string,
  summary: ResultSummary,
  metricRows: MetricRow[],
): Promise<void> {
  const data = metricRows.map((row) => ({
    resultSetId,
    weekId: request.weekId,
    collectionId: request.collectionId,
    metric: row.metric,
    dimension: row.dimension,
    dimensionValue: row.dimensionValue,
    ...row.aggregate,
  }));
  const inserts = [];
  for (let start = 0; start < data.length; start += metricInsertBatch) {
    inserts.push(
      prisma.weekMetric.createMany({ data: data.slice(start, start + metricInsertBatch) }),
    );
  }
  await prisma.$transaction([
    ...inserts,
    prisma.resultSet.update({
      where: { id: resultSetId },
      data: {
        columns: summary.columns as object[],
        rowCount: summary.rowCount,
        completedAt: new Date(),
      },
    }),
  ]);
}
