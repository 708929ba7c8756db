import type { ColumnType } from "./types.ts";

/** A stored value converted to its column's type for JSON output. */
export type TypedValue = string | number | boolean | null;

/**
 * Converts a stored CSV value to its column's JSON type. Integers beyond 2^53 stay strings
 * so that no digit is lost; dates stay ISO strings as AMC wrote them.
 */
export function toTypedValue(text: string | null | undefined, type: ColumnType): TypedValue {
  if (text === null || text === undefined) return null;
  switch (type) {
    case "integer": {
      const number = Number(text);
      return Number.isSafeInteger(number) ? number : text;
    }
    case "decimal":
      return Number(text);
    case "boolean":
      return text.toLowerCase() === "true";
    default:
      return text;
  }
}
