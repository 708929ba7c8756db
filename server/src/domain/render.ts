import { DomainValidationError, type UserError } from "./errors.ts";
import {
  resolveParameterValues,
  type ParameterDefinition,
  type ParameterType,
  type ParameterValue,
} from "./parameters.ts";
import { isValidDay } from "./weeks.ts";

// SQL templating. A template may contain:
// - `{{start_date}}` and `{{end_date}}`: the week's first and last day (inclusive), written bare
//   as YYYY-MM-DD, so the template supplies the quotes: `event_dt >= '{{start_date}}'`.
// - `{{name}}` for a parameter declared with passAs TEMPLATE: replaced by a SQL literal of the
//   parameter's type (see `sqlLiteral`), so the template writes `campaign_id IN ({{ids}})`.
// - `CUSTOM_PARAMETER('name')` for a parameter declared with passAs CUSTOM_PARAMETER: left in
//   the SQL, with the value sent in the execution's `parameterValues`.
// Spaces inside the braces are allowed. Values are substituted in one pass over the template,
// so text inside a value is never scanned for placeholders.

/** Rendered SQL of one week and the values AMC receives for CUSTOM_PARAMETER references. */
export interface RenderedSql {
  sql: string;
  /** JSON values keyed by parameter name, sent as the execution's `parameterValues`. */
  parameterValues: Record<string, string | number | boolean | (string | number)[]>;
}

/** The dates a template's built-in placeholders are filled with, "YYYY-MM-DD", inclusive. */
export interface RenderDates {
  startDate: string;
  endDate: string;
}

const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Renders a template for one week. Throws DomainValidationError listing every problem: invalid
 * dates, invalid or missing parameter values, and unknown or malformed placeholders.
 */
export function renderSql(
  template: string,
  dates: RenderDates,
  declaredParameters: readonly ParameterDefinition[],
  values: Record<string, unknown>,
): RenderedSql {
  const errors: UserError[] = [];
  for (const key of ["startDate", "endDate"] as const) {
    if (!isValidDay(dates[key])) {
      errors.push({
        field: [key],
        message: `${key} "${dates[key]}" is not a valid date: expected YYYY-MM-DD.`,
        code: "INVALID_DATE",
      });
    }
  }
  const resolved = resolveParameterValues(declaredParameters, values);
  errors.push(...resolved.errors);
  const definitions = new Map(
    declaredParameters.map((definition) => [definition.name, definition]),
  );

  const unknown = new Set<string>();
  const sql = template.replace(PLACEHOLDER_PATTERN, (match, name: string) => {
    if (name === "start_date") return dates.startDate;
    if (name === "end_date") return dates.endDate;
    const definition = definitions.get(name);
    if (!definition || definition.passAs !== "TEMPLATE") {
      unknown.add(name);
      return match;
    }
    return sqlLiteral(definition.type, resolved.values.get(name) ?? null);
  });

  if (unknown.size > 0) errors.push(unknownPlaceholdersError([...unknown], declaredParameters));
  const stray = strayBraces(template);
  if (stray.length > 0) {
    errors.push({
      field: ["sqlTemplate"],
      message: `Template has malformed placeholders: ${stray.join(", ")}. Write placeholders as {{name}}.`,
      code: "MALFORMED_PLACEHOLDER",
    });
  }
  if (errors.length > 0) throw new DomainValidationError(errors);

  return { sql, parameterValues: customParameterValues(declaredParameters, resolved.values) };
}

/**
 * Lists the placeholders of a template that are neither built in nor declared with passAs
 * TEMPLATE. Workflows call this on save; renderSql reports the same names.
 */
export function findUnknownPlaceholders(
  template: string,
  declaredParameters: readonly ParameterDefinition[],
): string[] {
  const templateNames = new Set(
    declaredParameters
      .filter((definition) => definition.passAs === "TEMPLATE")
      .map((definition) => definition.name),
  );
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1] ?? "";
    if (name === "start_date" || name === "end_date" || templateNames.has(name)) continue;
    unknown.add(name);
  }
  return [...unknown];
}

/** Returns the fragments of a template with "{{" or "}}" outside a well-formed placeholder. */
export function strayBraces(template: string): string[] {
  const fragments: string[] = [];
  const rest = template.replace(PLACEHOLDER_PATTERN, " ");
  for (const match of rest.matchAll(/\{\{|\}\}/g)) {
    const start = Math.max(0, match.index - 10);
    fragments.push(JSON.stringify(rest.slice(start, match.index + 12)));
  }
  return fragments;
}

/** Builds the user error that lists unknown placeholders and explains how to declare them. */
export function unknownPlaceholdersError(
  names: string[],
  declaredParameters: readonly ParameterDefinition[],
): UserError {
  const custom = names.filter((name) =>
    declaredParameters.some((d) => d.name === name && d.passAs === "CUSTOM_PARAMETER"),
  );
  const hint =
    custom.length > 0
      ? ` Parameters passed as CUSTOM_PARAMETER (${custom.join(", ")}) are written CUSTOM_PARAMETER('name'), not {{name}}.`
      : " Declare them as workflow parameters with passAs TEMPLATE, or remove them.";
  return {
    field: ["sqlTemplate"],
    message: `Template has unknown placeholders: ${names.map((name) => `{{${name}}}`).join(", ")}.${hint}`,
    code: "UNKNOWN_PLACEHOLDER",
  };
}

/**
 * Renders a normalized value as a SQL literal. Strings are single-quoted with quotes doubled,
 * and parameters.ts has already rejected the characters that could still end a literal early.
 * Negative numbers are parenthesized so that `a-{{n}}` cannot become the comment `a--5`.
 * Lists render as comma-separated literals and a missing value as NULL.
 */
export function sqlLiteral(type: ParameterType, value: ParameterValue | null): string {
  if (value === null) return "NULL";
  switch (type) {
    case "STRING":
    case "DATE":
      return quoteString(value as string);
    case "INTEGER":
    case "DECIMAL":
      return numberLiteral(value as string);
    case "BOOLEAN":
      return value ? "TRUE" : "FALSE";
    case "STRING_LIST":
      return (value as string[]).map(quoteString).join(", ");
    case "INTEGER_LIST":
      return (value as string[]).map(numberLiteral).join(", ");
  }
}

function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function numberLiteral(digits: string): string {
  return digits.startsWith("-") ? `(${digits})` : digits;
}

/**
 * Converts the values of CUSTOM_PARAMETER parameters to JSON for AMC. Integers within
 * Number.MAX_SAFE_INTEGER become numbers and larger ones stay strings, so no digit is lost.
 */
function customParameterValues(
  declaredParameters: readonly ParameterDefinition[],
  values: Map<string, ParameterValue | null>,
): RenderedSql["parameterValues"] {
  const result: RenderedSql["parameterValues"] = {};
  for (const definition of declaredParameters) {
    const value = values.get(definition.name) ?? null;
    if (definition.passAs !== "CUSTOM_PARAMETER" || value === null) continue;
    switch (definition.type) {
      case "INTEGER":
        result[definition.name] = toJsonInteger(value as string);
        break;
      case "DECIMAL":
        result[definition.name] = Number(value);
        break;
      case "INTEGER_LIST":
        result[definition.name] = (value as string[]).map(toJsonInteger);
        break;
      default:
        result[definition.name] = value;
    }
  }
  return result;
}

function toJsonInteger(digits: string): number | string {
  const number = Number(digits);
  return Number.isSafeInteger(number) ? number : digits;
}
