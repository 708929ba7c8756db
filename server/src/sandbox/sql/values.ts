import { types } from "@electric-sql/pglite";

// Conversion of PostgreSQL result values to the column types and text that AMC's result files
// use. bigint, numeric, date and timestamp values arrive as PostgreSQL text (see the worker).

/** Returns the AMC-style type name for a PostgreSQL type OID. */
export function resultColumnType(dataTypeId: number): string {
  switch (dataTypeId) {
    case types.BOOL:
      return "BOOLEAN";
    case types.INT2:
    case types.INT4:
    case types.INT8:
      return "LONG";
    case types.FLOAT4:
    case types.FLOAT8:
      return "DOUBLE";
    case types.NUMERIC:
      return "DECIMAL";
    case types.DATE:
      return "DATE";
    case types.TIMESTAMP:
    case types.TIMESTAMPTZ:
      return "TIMESTAMP";
    default:
      return "STRING";
  }
}

/** Converts one value for a CSV field. Timestamps become ISO 8601 UTC with milliseconds. */
export function formatValue(value: unknown, dataTypeId: number): unknown {
  if (value === null || value === undefined) return null;
  if (dataTypeId === types.TIMESTAMP) return isoTimestamp(`${String(value).replace(" ", "T")}Z`);
  if (dataTypeId === types.TIMESTAMPTZ) {
    // PostgreSQL writes offsets as +00 or +05:30; Date.parse needs +00:00.
    return isoTimestamp(
      String(value)
        .replace(" ", "T")
        .replace(/([+-]\d{2})$/, "$1:00"),
    );
  }
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

function isoTimestamp(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}
