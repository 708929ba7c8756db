import { randomUUID } from "node:crypto";
import type { Database } from "../db/database.ts";
import { namedStatement, queryDirect } from "../db/direct-query.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { readCsvParts, type CsvPart } from "./csv-parts.ts";
import { openRowWriter, type RowWriter } from "./row-writer.ts";
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

/** A result set whose summary and metrics are not yet written, and maybe not its rows either. */
export interface WrittenResult extends IngestedResult {
  /** WeekMetric rows to store when the set is completed. */
  metricRows: MetricRow[];
  /**
   * The rows as one JSON array of arrays when the whole result fitted in memory: then neither
   * the ResultSet nor its rows exist yet, and the caller inserts them. Null when they are stored.
   */
  heldRows: string | null;
}

/** Options of `writeResultRows`. */
export interface WriteOptions {
  /** Keep a result of up to this many rows in memory instead of storing it; 0 stores every result. */
  holdRowLimit?: number;
}

/** Bytes of row JSON up to which a result may be held in memory. */
const holdByteLimit = 256 * 1024;

/**
 * Streams an execution's CSV parts into a new ResultSet with its rows, column types, summary
 * and WeekMetric rows. The set is left complete but not current; `activateResult` makes it
 * current. An earlier ResultSet of the same execution that never became current (a crash
 * mid-ingest) is deleted first.
 */
export async function ingestResult(
  database: Database,
  request: IngestRequest,
): Promise<IngestedResult> {
  const written = await writeResultRows(database, request);
  await completeResultSet(database.prisma, request, written, written.metricRows);
  const { resultSetId, rowCount, columns, summary } = written;
  return { resultSetId, rowCount, columns, summary };
}

/**
 * The first half of `ingestResult`: creates the ResultSet and streams its rows, and returns the
 * summary without storing it. The set stays incomplete (completedAt null) until the caller
 * stores its columns, row count and metrics, as the scheduler does in its finishing statement.
 * With `holdRowLimit`, a result that small touches no table: it comes back in `heldRows`, and
 * `resultSetId` is the id the caller gives the new set.
 */
export async function writeResultRows(
  database: Database,
  request: IngestRequest,
  options: WriteOptions = {},
): Promise<WrittenResult> {
  const holdRowLimit = options.holdRowLimit ?? 0;
  const builder = new SummaryBuilder(request.maxDimensionValues);
  let heldJson: string[] | undefined = holdRowLimit > 0 ? [] : undefined;
  let heldBytes = 0;
  let resultSetId: string | undefined;
  let writer: RowWriter | undefined;
  try {
    for await (const values of readCsvParts(request.parts, (name) => builder.addColumn(name))) {
      builder.addRow(values);
      if (heldJson) {
        const json = JSON.stringify(values);
        heldJson.push(json);
        heldBytes += json.length;
        if (heldJson.length <= holdRowLimit && heldBytes <= holdByteLimit) continue;
        // Too large to hold: store the rows held so far and stream the rest.
        resultSetId = await startResultSet(database, request);
        writer = await openRowWriter(database, resultSetId);
        for (const row of heldJson) await writer.add(JSON.parse(row) as (string | null)[]);
        heldJson = undefined;
        continue;
      }
      if (!writer) {
        resultSetId = await startResultSet(database, request);
        writer = await openRowWriter(database, resultSetId);
      }
      await writer.add(values);
    }
    if (!heldJson && !writer) {
      // With holding off, an empty result still gets its (empty) set.
      resultSetId = await startResultSet(database, request);
    }
    await writer?.finish();
  } catch (error) {
    await writer?.abort(error as Error);
    if (error instanceof ResultIngestError) throw error;
    throw new ResultIngestError(
      `Storing the result of execution ${request.executionId} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const { summary, metricRows } = builder.finish();
  return {
    resultSetId: resultSetId ?? randomUUID(),
    rowCount: summary.rowCount,
    columns: summary.columns,
    summary,
    metricRows,
    heldRows: heldJson ? `[${heldJson.join(",")}]` : null,
  };
}

/**
 * Creates an empty, incomplete result set in one statement in the usual case. A leftover of a
 * crash, or a week in an unexpected state, goes through `restartResultSet`, which explains the
 * problem.
 */
async function startResultSet(database: Database, request: IngestRequest): Promise<string> {
  const rows = await queryDirect<{ id: string }>(database, startResultSetSql, [
    request.executionId,
    request.weekId,
    request.collectionId,
  ]);
  return rows[0]?.id ?? restartResultSet(database.prisma, request);
}

const startResultSetSql = namedStatement(
  "results_start_result_set",
  `INSERT INTO "ResultSet" (id, "executionId", "weekId", "createdAt")
   SELECT gen_random_uuid(), $1::uuid, w.id, now() AT TIME ZONE 'UTC'
   FROM "Week" w LEFT JOIN "ResultSet" current ON current.id = w."currentResultId"
   WHERE w.id = $2::uuid AND w."collectionId" = $3::uuid
     AND current."executionId" IS DISTINCT FROM $1::uuid
   ON CONFLICT ("executionId") DO NOTHING
   RETURNING id`,
);

/** Deletes a leftover result set of the execution and creates an empty, incomplete one. */
async function restartResultSet(prisma: PrismaClient, request: IngestRequest): Promise<string> {
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

/** WeekMetric rows as one JSON parameter, for `jsonb_to_recordset` with `metricRecordColumns`. */
export function metricRowsJson(metricRows: MetricRow[]): string {
  return JSON.stringify(
    metricRows.map((row) => ({
      metric: row.metric,
      dimension: row.dimension,
      dimensionValue: row.dimensionValue,
      ...row.aggregate,
    })),
  );
}

/** Column list of `jsonb_to_recordset` over `metricRowsJson`'s output. */
export const metricRecordColumns = `m(metric text, dimension text, "dimensionValue" text,
  sum double precision, min double precision, max double precision, count int)`;

/** Stores the summary and metrics of a written set and marks it complete, in one statement. */
async function completeResultSet(
  prisma: PrismaClient,
  request: IngestRequest,
  written: IngestedResult,
  metricRows: MetricRow[],
): Promise<void> {
  await prisma.$executeRawUnsafe(
    `WITH metrics AS (
       INSERT INTO "WeekMetric" (id, "resultSetId", "weekId", "collectionId", metric, dimension,
         "dimensionValue", sum, min, max, count)
       SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, m.metric, m.dimension,
         m."dimensionValue", m.sum, m.min, m.max, m.count
       FROM jsonb_to_recordset($4::jsonb) AS ${metricRecordColumns}
     )
     UPDATE "ResultSet" SET columns = $5::jsonb, "rowCount" = $6::int,
       "completedAt" = now() AT TIME ZONE 'UTC'
     WHERE id = $1::uuid`,
    written.resultSetId,
    request.weekId,
    request.collectionId,
    metricRowsJson(metricRows),
    JSON.stringify(written.columns),
    written.rowCount,
  );
}
