import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import { ResultQueryError, type ColumnType } from "./types.ts";

/** A result column seen across the current results of one or more collections. */
export interface CollectionColumn {
  name: string;
  /** The type that fits every week: integer and decimal widen to decimal, other mixes to string. */
  type: ColumnType;
  /** Weeks whose current result has the column. */
  weekCount: number;
  /** True when per-value aggregates of the numeric columns exist for some week. */
  isDimension: boolean;
  /**
   * True when trends can aggregate the column because it is numeric in at least one week.
   * Weeks where a non-numeric value made it text are gaps in its trends.
   */
  isMetric: boolean;
}

interface ColumnOccurrence {
  name: string;
  type: ColumnType;
  valueCount: number;
}

/** Returns the columns of the collections' current results in first-seen order. */
export async function listColumns(
  prisma: PrismaClient,
  collectionIds: string[],
): Promise<CollectionColumn[]> {
  const ids = Prisma.join(collectionIds.map((id) => Prisma.sql`${id}::uuid`));
  // Two independent reads, sent together so that a connection pool runs them in parallel.
  const occurrencesQuery = prisma.$queryRaw<ColumnOccurrence[]>`
    SELECT c.value->>'name' AS name, c.value->>'type' AS type,
      COALESCE((c.value->>'valueCount')::int, 0) AS "valueCount"
    FROM "Week" w CROSS JOIN LATERAL jsonb_array_elements(w.summary->'columns') WITH ORDINALITY AS c(value, position)
    WHERE w."collectionId" IN (${ids}) AND w."currentResultId" IS NOT NULL
    ORDER BY w."startDate", c.position`;
  const dimensionsQuery = prisma.$queryRaw<{ name: string }[]>`
    SELECT DISTINCT d.value->>'name' AS name
    FROM "Week" w CROSS JOIN LATERAL jsonb_array_elements(w.summary->'dimensions') AS d(value)
    WHERE w."collectionId" IN (${ids}) AND w."currentResultId" IS NOT NULL`;
  const [occurrences, dimensions] = await Promise.all([occurrencesQuery, dimensionsQuery]);
  const dimensionNames = new Set(dimensions.map((row) => row.name));

  const byName = new Map<string, { types: Set<ColumnType>; weekCount: number }>();
  for (const { name, type, valueCount } of occurrences) {
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { types: new Set(), weekCount: 0 }));
    entry.weekCount++;
    // A column without values in a week gives no evidence of its type.
    if (valueCount > 0) entry.types.add(type);
  }
  return [...byName].map(([name, { types, weekCount }]) => ({
    name,
    type: widenTypes(types),
    weekCount,
    isDimension: dimensionNames.has(name),
    isMetric: types.has("integer") || types.has("decimal"),
  }));
}

function widenTypes(types: Set<ColumnType>): ColumnType {
  if (types.size === 0) return "string";
  if (types.size === 1) return [...types][0]!;
  if ([...types].every((type) => type === "integer" || type === "decimal")) return "decimal";
  return "string";
}

function describeColumns(columns: CollectionColumn[]): string {
  if (columns.length === 0) return "none, because no week has a stored result yet";
  return columns.map((column) => `${column.name} (${column.type})`).join(", ");
}

/** Raises a ResultQueryError unless `metric` is numeric in some week of the collections. */
export function checkMetric(columns: CollectionColumn[], metric: string): void {
  const numeric = columns.filter((column) => column.isMetric);
  const column = columns.find((candidate) => candidate.name === metric);
  if (!column) {
    throw new ResultQueryError(
      `Unknown metric "${metric}". Available columns: ${describeColumns(columns)}.`,
      ["metric"],
      columns.map((candidate) => candidate.name),
    );
  }
  if (!numeric.includes(column)) {
    throw new ResultQueryError(
      `Column "${metric}" has no numeric values in any week and cannot be aggregated. ` +
        `Numeric columns: ${describeColumns(numeric)}.`,
      ["metric"],
      numeric.map((candidate) => candidate.name),
    );
  }
}

/** Raises a ResultQueryError unless `dimension` (the argument `field`) has per-value aggregates. */
export function checkDimension(
  columns: CollectionColumn[],
  dimension: string,
  field: string[],
): void {
  const dimensions = columns.filter((column) => column.isDimension);
  if (dimensions.some((column) => column.name === dimension)) return;
  throw new ResultQueryError(
    `Column "${dimension}" cannot group or filter a trend: it is missing, numeric, or has too ` +
      `many distinct values. Dimension columns: ${describeColumns(dimensions)}.`,
    field,
    dimensions.map((column) => column.name),
  );
}
