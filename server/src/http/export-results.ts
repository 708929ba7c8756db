import type { ServerResponse } from "node:http";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { listColumns, type CollectionColumn } from "../results/columns.ts";
import type { ResultColumn } from "../results/types.ts";
import { formatCsvLine } from "./csv-format.ts";
import { writeChunk } from "./response-stream.ts";

// Export of a collection's combined results: every week's current result, oldest week first,
// with the week's start, end and ISO label prepended to each row. Columns are the union over
// the weeks in first-seen order, so a column missing from a week is empty in its rows. Values
// are written as stored: CSV gets AMC's text unchanged, and JSON writes numbers with their
// original digits and booleans as true or false.

/** Rows read per query; the response waits for the client between pages. */
const pageRows = 5000;

/** Columns prepended to every exported row. */
const weekColumns = ["week_start", "week_end", "iso_week"];

/** Raised when a week's result was replaced while it was being exported. */
export class ExportInterruptedError extends Error {
  override name = "ExportInterruptedError";
}

interface ExportWeek {
  id: string;
  weekStart: string;
  weekEnd: string;
  isoWeek: string;
  resultSetId: string;
  columns: ResultColumn[];
  rowCount: number;
  rowsPurged: boolean;
}

/** Output format of an export route. */
export type ExportFormat = "csv" | "json";

const jsonNumberPattern = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Returns the JSON text of a stored value, keeping a number's digits exactly. */
function toJsonValue(text: string | null | undefined, column: CollectionColumn): string {
  if (text === null || text === undefined) return "null";
  if ((column.type === "integer" || column.type === "decimal") && jsonNumberPattern.test(text)) {
    return text;
  }
  if (column.type === "boolean") return text.toLowerCase() === "true" ? "true" : "false";
  return JSON.stringify(text);
}

async function loadExportWeeks(prisma: PrismaClient, collectionId: string): Promise<ExportWeek[]> {
  const weeks = await prisma.week.findMany({
    where: { collectionId, currentResultId: { not: null } },
    orderBy: { startDate: "asc" },
    select: {
      id: true,
      startDate: true,
      endDate: true,
      isoWeek: true,
      currentResult: { select: { id: true, columns: true, rowCount: true, rowsPurgedAt: true } },
    },
  });
  return weeks.map((week) => ({
    id: week.id,
    weekStart: week.startDate.toISOString().slice(0, 10),
    weekEnd: week.endDate.toISOString().slice(0, 10),
    isoWeek: week.isoWeek,
    resultSetId: week.currentResult!.id,
    columns: week.currentResult!.columns as unknown as ResultColumn[],
    rowCount: week.currentResult!.rowCount,
    rowsPurged: week.currentResult!.rowsPurgedAt !== null,
  }));
}

/** Streams the raw rows of one week's result, page by page, in the union's column order. */
async function* readWeekRows(
  prisma: PrismaClient,
  week: ExportWeek,
  positions: Map<string, number>,
  width: number,
): AsyncGenerator<(string | null)[]> {
  const target = week.columns.map((column) => positions.get(column.name)!);
  let after = 0;
  let read = 0;
  for (;;) {
    const rows = await prisma.resultRow.findMany({
      where: { resultSetId: week.resultSetId, rowNumber: { gt: after } },
      orderBy: { rowNumber: "asc" },
      take: pageRows,
    });
    for (const row of rows) {
      const stored = row.values as (string | null)[];
      const values = new Array<string | null>(width).fill(null);
      stored.forEach((value, i) => (values[target[i]!] = value));
      yield values;
    }
    read += rows.length;
    if (rows.length < pageRows) break;
    after = rows.at(-1)!.rowNumber;
  }
  // NOTE: pages are separate queries, so a retry that replaces the week's result during the
  // export deletes the rows being read. The export then stops instead of mixing two results.
  if (!week.rowsPurged && read !== week.rowCount) {
    throw new ExportInterruptedError(
      `The result of week ${week.isoWeek} was replaced during the export; download it again.`,
    );
  }
}

/** Writes the combined results of a collection to `res` as CSV or JSON. */
export async function writeCollectionResults(
  prisma: PrismaClient,
  collectionId: string,
  format: ExportFormat,
  res: ServerResponse,
): Promise<void> {
  const columns = await listColumns(prisma, [collectionId]);
  const weeks = await loadExportWeeks(prisma, collectionId);
  const positions = new Map(columns.map((column, i) => [column.name, i]));

  if (format === "csv") {
    await writeChunk(res, formatCsvLine([...weekColumns, ...columns.map((column) => column.name)]));
  } else {
    const header = {
      collectionId,
      columns: [
        ...weekColumns.map((name) => ({ name, type: name === "iso_week" ? "string" : "date" })),
        ...columns.map(({ name, type }) => ({ name, type })),
      ],
      weeks: weeks.map(({ weekStart, isoWeek, rowCount, rowsPurged }) => ({
        weekStart,
        isoWeek,
        rowCount,
        rowsPurged,
      })),
    };
    await writeChunk(res, `${JSON.stringify(header).slice(0, -1)},"rows":[`);
  }

  const keys = columns.map((column) => JSON.stringify(column.name));
  const output = new BufferedOutput(res);
  let first = true;
  for (const week of weeks) {
    const prefix = [week.weekStart, week.weekEnd, week.isoWeek];
    const jsonPrefix = `{"week_start":"${week.weekStart}","week_end":"${week.weekEnd}","iso_week":"${week.isoWeek}"`;
    for await (const values of readWeekRows(prisma, week, positions, columns.length)) {
      if (format === "csv") {
        await output.write(formatCsvLine([...prefix, ...values]));
        continue;
      }
      const fields = values.map((value, i) => `,${keys[i]}:${toJsonValue(value, columns[i]!)}`);
      await output.write(`${first ? "" : ","}${jsonPrefix}${fields.join("")}}`);
      first = false;
    }
  }
  if (format === "json") await output.write("]}");
  await output.flush();
}

/** Collects small strings into chunks of about 64 KB before writing them to the response. */
class BufferedOutput {
  private pending = "";

  constructor(private readonly res: ServerResponse) {}

  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= 65_536) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = this.pending;
    this.pending = "";
    await writeChunk(this.res, chunk);
  }
}
