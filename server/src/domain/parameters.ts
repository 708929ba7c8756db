import type { UserError } from "./errors.ts";
import { isValidDay } from "./weeks.ts";

// Declared workflow parameters and the checks on their values. Values are normalized here once,
// so rendering only receives values whose literal form is known to be safe.

/** Type of a declared workflow parameter. */
export type ParameterType =
  "STRING" | "INTEGER" | "DECIMAL" | "DATE" | "BOOLEAN" | "STRING_LIST" | "INTEGER_LIST";

/** Channel that carries a value to AMC: a literal in the SQL, or the execution's `parameterValues`. */
export type ParameterPassAs = "TEMPLATE" | "CUSTOM_PARAMETER";

export const parameterTypes: readonly ParameterType[] = [
  "STRING",
  "INTEGER",
  "DECIMAL",
  "DATE",
  "BOOLEAN",
  "STRING_LIST",
  "INTEGER_LIST",
];

export const parameterPassAsValues: readonly ParameterPassAs[] = ["TEMPLATE", "CUSTOM_PARAMETER"];

/** One declared parameter of a workflow, as stored in `Workflow.parameters`. */
export interface ParameterDefinition {
  /** Identifier used as `{{name}}` or `CUSTOM_PARAMETER('name')`. */
  name: string;
  type: ParameterType;
  /** Value used when a collection gives none; null when there is no default. */
  defaultValue: ParameterValue | null;
  /** Whether a collection must end up with a value (its own or the default). */
  required: boolean;
  passAs: ParameterPassAs;
}

/**
 * Normalized parameter value. Integers and decimals are kept as canonical digit strings, because
 * campaign ids exceed Number.MAX_SAFE_INTEGER; dates are "YYYY-MM-DD".
 */
export type ParameterValue = string | boolean | string[];

/** Placeholders that every template may use; they cannot be declared as parameters. */
export const builtInPlaceholders = ["start_date", "end_date"] as const;

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INTEGER_PATTERN = /^-?(0|[1-9][0-9]*)$/;
const DECIMAL_PATTERN = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** Longest accepted string value or list item, in characters. */
export const MAX_STRING_LENGTH = 10_000;
/** Most items accepted in one list value. */
export const MAX_LIST_ITEMS = 10_000;

/** Result of checking one value: the normalized value, or why it is invalid. */
type Checked = { ok: true; value: ParameterValue | null } | { ok: false; message: string };

function invalid(message: string): Checked {
  return { ok: false, message };
}

/** Returns why a string cannot be a SQL literal, or null when it can. */
function unsafeStringReason(text: string): string | null {
  if (text.length > MAX_STRING_LENGTH) {
    return `is ${text.length} characters long; the maximum is ${MAX_STRING_LENGTH}`;
  }
  // Dialects disagree on backslashes: standard SQL and PostgreSQL read one literally, Spark SQL
  // reads it as an escape that could end the literal early. Rejecting it keeps literals safe in both.
  if (text.includes("\\")) {
    return "contains a backslash, which SQL dialects escape differently: remove it from the value";
  }
  if (text.includes("\u0000")) return "contains a NUL character";
  // Rendered SQL must never contain "{{", so that a leftover placeholder is always detectable.
  if (text.includes("{{")) return 'contains "{{", which is reserved for placeholders';
  return null;
}

function checkString(raw: unknown): Checked {
  if (typeof raw !== "string") return invalid(`must be a string, got ${describeValue(raw)}`);
  const reason = unsafeStringReason(raw);
  return reason ? invalid(reason) : { ok: true, value: raw };
}

function checkInteger(raw: unknown): Checked {
  const text = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof text !== "string" || !INTEGER_PATTERN.test(text) || text === "-0") {
    return invalid(
      `must be a whole number such as 42 or "123456789012345678", got ${describeValue(raw)}`,
    );
  }
  return { ok: true, value: text };
}

function checkDecimal(raw: unknown): Checked {
  // Numbers are printed without exponent so "1e-7" becomes "0.0000001".
  const text =
    typeof raw === "number" && Number.isFinite(raw)
      ? raw.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 })
      : raw;
  if (typeof text !== "string" || !DECIMAL_PATTERN.test(text)) {
    return invalid(`must be a decimal number such as 12.5, got ${describeValue(raw)}`);
  }
  return { ok: true, value: text };
}

function checkDate(raw: unknown): Checked {
  if (typeof raw !== "string" || !isValidDay(raw)) {
    return invalid(`must be a date written YYYY-MM-DD, got ${describeValue(raw)}`);
  }
  return { ok: true, value: raw };
}

function checkBoolean(raw: unknown): Checked {
  if (typeof raw !== "boolean") return invalid(`must be true or false, got ${describeValue(raw)}`);
  return { ok: true, value: raw };
}

function checkList(raw: unknown, checkItem: (item: unknown) => Checked, kind: string): Checked {
  if (!Array.isArray(raw)) return invalid(`must be a list of ${kind}s, got ${describeValue(raw)}`);
  if (raw.length > MAX_LIST_ITEMS) {
    return invalid(`has ${raw.length} items; the maximum is ${MAX_LIST_ITEMS}`);
  }
  if (raw.length === 0) {
    // An empty list has no SQL literal form (`IN ()` is a syntax error).
    return invalid("is an empty list: give at least one item, or no value at all");
  }
  const items: string[] = [];
  for (const [index, item] of raw.entries()) {
    const checked = checkItem(item);
    if (!checked.ok) return invalid(`item ${index}: ${checked.message}`);
    items.push(checked.value as string);
  }
  return { ok: true, value: items };
}

/** Checks and normalizes a value of the given type; null and undefined mean "no value". */
export function checkParameterValue(type: ParameterType, raw: unknown): Checked {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  switch (type) {
    case "STRING":
      return checkString(raw);
    case "INTEGER":
      return checkInteger(raw);
    case "DECIMAL":
      return checkDecimal(raw);
    case "DATE":
      return checkDate(raw);
    case "BOOLEAN":
      return checkBoolean(raw);
    case "STRING_LIST":
      return checkList(raw, checkString, "string");
    case "INTEGER_LIST":
      return checkList(raw, checkInteger, "whole number");
  }
}

/** Describes a value for an error message, truncated so that messages stay short. */
export function describeValue(raw: unknown): string {
  if (raw === undefined) return "nothing";
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Resolves the value of every declared parameter from `values` and the defaults. Returns the
 * normalized values (null for an optional parameter without one) and every problem found:
 * values of the wrong type, missing required values and values for undeclared names.
 */
export function resolveParameterValues(
  declared: readonly ParameterDefinition[],
  values: Record<string, unknown>,
  fieldPrefix: string[] = ["parameterValues"],
): { values: Map<string, ParameterValue | null>; errors: UserError[] } {
  const resolved = new Map<string, ParameterValue | null>();
  const errors: UserError[] = [];
  const declaredNames = new Set(declared.map((definition) => definition.name));

  for (const name of Object.keys(values)) {
    if (declaredNames.has(name)) continue;
    errors.push({
      field: [...fieldPrefix, name],
      message: `Parameter "${name}" is not declared by the workflow: remove it or use one of ${listOrNone([...declaredNames])}.`,
      code: "UNKNOWN_PARAMETER",
    });
  }

  for (const definition of declared) {
    const field = [...fieldPrefix, definition.name];
    const provided = Object.hasOwn(values, definition.name) ? values[definition.name] : undefined;
    const checked = checkParameterValue(definition.type, provided);
    if (!checked.ok) {
      errors.push({
        field,
        message: `Parameter "${definition.name}" (${definition.type}) ${checked.message}.`,
        code: "INVALID_PARAMETER_VALUE",
      });
      continue;
    }
    const value = checked.value ?? definition.defaultValue;
    if (value === null && definition.required) {
      errors.push({
        field,
        message: `Parameter "${definition.name}" (${definition.type}) is required and has no default: give a value.`,
        code: "MISSING_PARAMETER",
      });
      continue;
    }
    resolved.set(definition.name, value);
  }
  return { values: resolved, errors };
}

/**
 * Validates workflow parameter declarations given as untyped input (JSON from the API or the
 * database) and returns them typed. Problems are reported under `fieldPrefix`.
 */
export function parseParameterDefinitions(
  raw: unknown,
  fieldPrefix: string[] = ["parameters"],
): { definitions: ParameterDefinition[]; errors: UserError[] } {
  if (!Array.isArray(raw)) {
    return {
      definitions: [],
      errors: [
        {
          field: fieldPrefix,
          message: `Parameters must be a list of {name, type, defaultValue, required, passAs}, got ${describeValue(raw)}.`,
          code: "INVALID_PARAMETERS",
        },
      ],
    };
  }
  const definitions: ParameterDefinition[] = [];
  const errors: UserError[] = [];
  const seen = new Set<string>();
  for (const [index, item] of raw.entries()) {
    const field = [...fieldPrefix, String(index)];
    const parsed = parseDefinition(item, field, errors);
    if (!parsed) continue;
    if (seen.has(parsed.name)) {
      errors.push({
        field: [...field, "name"],
        message: `Parameter name "${parsed.name}" is declared twice: rename or remove one.`,
        code: "DUPLICATE_PARAMETER",
      });
      continue;
    }
    seen.add(parsed.name);
    definitions.push(parsed);
  }
  return { definitions, errors };
}

function parseDefinition(
  item: unknown,
  field: string[],
  errors: UserError[],
): ParameterDefinition | null {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    errors.push({
      field,
      message: `Parameter must be an object {name, type, defaultValue, required, passAs}, got ${describeValue(item)}.`,
      code: "INVALID_PARAMETERS",
    });
    return null;
  }
  const record = item as Record<string, unknown>;
  const before = errors.length;
  const name = record.name;
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    errors.push({
      field: [...field, "name"],
      message: `Parameter name ${describeValue(name)} is invalid: use letters, digits and underscores, starting with a letter or underscore, at most 63 characters.`,
      code: "INVALID_PARAMETER_NAME",
    });
  } else if ((builtInPlaceholders as readonly string[]).includes(name)) {
    errors.push({
      field: [...field, "name"],
      message: `Parameter name "${name}" is reserved: {{start_date}} and {{end_date}} are filled in per week.`,
      code: "INVALID_PARAMETER_NAME",
    });
  }
  const type = record.type;
  if (!parameterTypes.includes(type as ParameterType)) {
    errors.push({
      field: [...field, "type"],
      message: `Parameter type ${describeValue(type)} is invalid: use one of ${parameterTypes.join(", ")}.`,
      code: "INVALID_PARAMETER_TYPE",
    });
  }
  const passAs = record.passAs ?? "TEMPLATE";
  if (!parameterPassAsValues.includes(passAs as ParameterPassAs)) {
    errors.push({
      field: [...field, "passAs"],
      message: `passAs ${describeValue(passAs)} is invalid: use TEMPLATE or CUSTOM_PARAMETER.`,
      code: "INVALID_PARAMETER_PASS_AS",
    });
  }
  const required = record.required ?? false;
  if (typeof required !== "boolean") {
    errors.push({
      field: [...field, "required"],
      message: `required must be true or false, got ${describeValue(required)}.`,
      code: "INVALID_PARAMETERS",
    });
  }
  if (errors.length > before) return null;

  const checkedDefault = checkParameterValue(type as ParameterType, record.defaultValue);
  if (!checkedDefault.ok) {
    errors.push({
      field: [...field, "defaultValue"],
      message: `Default of "${name as string}" (${type as string}) ${checkedDefault.message}.`,
      code: "INVALID_PARAMETER_VALUE",
    });
    return null;
  }
  return {
    name: name as string,
    type: type as ParameterType,
    defaultValue: checkedDefault.value,
    required: required as boolean,
    passAs: passAs as ParameterPassAs,
  };
}

function listOrNone(names: string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}
