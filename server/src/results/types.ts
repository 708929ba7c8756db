/** Type of a result column, inferred from its values while the result streams in. */
export type ColumnType = "integer" | "decimal" | "string" | "boolean" | "date";

/** A result column as stored in ResultSet.columns and in a week's summary. */
export interface ResultColumn {
  name: string;
  type: ColumnType;
  /** Number of non-empty values; 0 means the type was not observed and defaults to string. */
  valueCount: number;
}

/** Sum, minimum, maximum and count of the non-empty values of one numeric column. */
export interface MetricAggregate {
  sum: number | null;
  min: number | null;
  max: number | null;
  count: number;
}

/** Week.summary of the current result: row count, columns and per-column aggregates. */
export interface ResultSummary {
  rowCount: number;
  columns: ResultColumn[];
  /** Overall aggregate of every integer or decimal column, by column name. */
  metrics: Record<string, MetricAggregate>;
  /**
   * Non-numeric columns with few enough distinct values to have per-value aggregates of
   * the numeric columns, with their distinct value counts.
   */
  dimensions: { name: string; distinctValues: number }[];
}

/** Error raised when a result cannot be stored; the message names the execution and cause. */
export class ResultIngestError extends Error {
  override name = "ResultIngestError";
}

/** Error raised for a trend or query request that names a missing column or a bad range. */
export class ResultQueryError extends Error {
  override name = "ResultQueryError";
  constructor(
    message: string,
    /** Request argument at fault, such as "metric" or "groupBy"; empty for the whole request. */
    readonly field: string[] = [],
    /** Columns the caller could have named instead. */
    readonly availableColumns: string[] = [],
  ) {
    super(message);
  }
}

/** Returns true for the column types that trend queries can aggregate. */
export function isNumericType(type: ColumnType): boolean {
  return type === "integer" || type === "decimal";
}
