import type { WorkflowParameter } from "@/api/types.ts";

// Workflow parameters are declared with a type; the form shows a matching control and sends a
// JSON value of that type. Integers and decimals are sent as digit strings, because ids such as
// campaign ids exceed Number.MAX_SAFE_INTEGER; the server validates and normalizes every value
// and reports problems beside the field.

/** HTML control used for a parameter type. */
export type ParameterControl = "integer" | "decimal" | "date" | "boolean" | "list" | "text";

/** Returns the control for a declared parameter type such as "INTEGER" or "STRING_LIST". */
export function controlFor(type: string): ParameterControl {
  const normalized = type.toUpperCase();
  if (["INTEGER", "INT", "LONG", "BIGINT"].includes(normalized)) return "integer";
  if (["DECIMAL", "DOUBLE", "FLOAT", "NUMBER", "NUMERIC"].includes(normalized)) return "decimal";
  if (normalized === "DATE") return "date";
  if (normalized === "BOOLEAN" || normalized === "BOOL") return "boolean";
  if (normalized.endsWith("_LIST") || normalized.endsWith("[]") || normalized === "ARRAY")
    return "list";
  return "text";
}

/** Returns the form's initial text for a parameter from its declared default. */
export function initialText(parameter: WorkflowParameter): string {
  const value = parameter.default;
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** Converts the form text of a parameter to the JSON value sent to the server. */
export function toParameterValue(parameter: WorkflowParameter, text: string): unknown {
  const trimmed = text.trim();
  switch (controlFor(parameter.type)) {
    case "integer":
    case "decimal":
      return trimmed === "" ? null : trimmed;
    case "boolean":
      return trimmed === "true";
    case "list": {
      // The server rejects an empty list, so no items means no value: the default applies.
      const items = trimmed
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
      return items.length === 0 ? null : items;
    }
    default:
      return trimmed === "" ? null : trimmed;
  }
}
