import type { PrismaClient } from "../generated/prisma/client.ts";
import { ResultQueryError, type ResultColumn } from "./types.ts";
import { toTypedValue, type TypedValue } from "./values.ts";

/** A page of a week's current result. */
export interface ResultPage {
  resultSetId: string | null;
  columns: ResultColumn[];
  totalCount: number;
  /** True when retention deleted the raw rows; the summary remains on the week. */
  rowsPurged: boolean;
  rows: { rowNumber: number; values: TypedValue[] }[];
  hasNextPage: boolean;
  /** Row number of the last row; pass it as `after` for the next page. */
  endCursor: number | null;
}

/** Default and maximum page sizes; the maximum keeps a page within the API's query cost limit. */
export const defaultPageSize = 100;
export const maxPageSize = 1_000;

/**
 * Returns up to `first` rows of the week's current result after row number `after`, with
 * values typed by column. A week without a result returns an empty page.
 */
export async function readResultPage(
  prisma: PrismaClient,
  weekId: string,
  options: { first?: number | null; after?: number | null } = {},
): Promise<ResultPage> {
  const first = options.first ?? defaultPageSize;
  if (!Number.isInteger(first) || first < 0 || first > maxPageSize) {
    throw new ResultQueryError(`Invalid first ${first}: expected 0 to ${maxPageSize}.`, ["first"]);
  }
  const week = await prisma.week.findUnique({
    where: { id: weekId },
    select: {
      currentResult: { select: { id: true, columns: true, rowCount: true, rowsPurgedAt: true } },
    },
  });
  const result = week?.currentResult;
  if (!result) {
    return {
      resultSetId: null,
      columns: [],
      totalCount: 0,
      rowsPurged: false,
      rows: [],
      hasNextPage: false,
      endCursor: null,
    };
  }
  const columns = result.columns as unknown as ResultColumn[];
  const stored = await prisma.resultRow.findMany({
    where: { resultSetId: result.id, rowNumber: { gt: options.after ?? 0 } },
    orderBy: { rowNumber: "asc" },
    take: first + 1,
  });
  const page = stored.slice(0, first);
  return {
    resultSetId: result.id,
    columns,
    totalCount: result.rowCount,
    rowsPurged: result.rowsPurgedAt !== null,
    rows: page.map((row) => ({
      rowNumber: row.rowNumber,
      values: columns.map((column, i) =>
        toTypedValue((row.values as (string | null)[])[i], column.type),
      ),
    })),
    hasNextPage: stored.length > first,
    endCursor: page.at(-1)?.rowNumber ?? null,
  };
}
