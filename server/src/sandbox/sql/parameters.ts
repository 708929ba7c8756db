import { astVisitor, type SelectStatement } from "pgsql-ast-parser";
import type { AmcInputParameter } from "../../amc/types.ts";
import { SqlRuleError } from "./rules.ts";

// Replaces BUILT_IN_PARAMETER('TIME_WINDOW_START'|'TIME_WINDOW_END') and CUSTOM_PARAMETER('name')
// with SQL literals, splicing the original text so that the rest of the query runs unchanged.

/** Values the parameters resolve to. */
export interface ParameterContext {
  /** Window bounds as `yyyy-MM-dd HH:mm:ss` in UTC. */
  windowStart: string;
  windowEnd: string;
  inputParameters: AmcInputParameter[];
  parameterValues: Record<string, unknown>;
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

/** Returns `sql` with every parameter call replaced by its value. */
export function substituteParameters(
  sql: string,
  statement: SelectStatement,
  context: ParameterContext,
): string {
  // Most queries call neither function, and walking the syntax tree costs more than this check.
  if (!/_parameter/i.test(sql)) return sql;
  const splices: Splice[] = [];
  astVisitor((visit) => ({
    call: (call) => {
      const name = call.function.name.toLowerCase();
      if (name === "built_in_parameter" || name === "custom_parameter") {
        const location = call._location!;
        const argument = singleStringArgument(name, call.args);
        const text =
          name === "built_in_parameter"
            ? builtInValue(argument, context)
            : customValue(argument, context);
        splices.push({ start: location.start, end: location.end, text });
        return;
      }
      visit.super().call(call);
    },
  })).statement(statement);

  let result = sql;
  for (const splice of splices.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, splice.start) + splice.text + result.slice(splice.end);
  }
  return result;
}

function singleStringArgument(name: string, args: { type: string; value?: unknown }[]): string {
  const [first] = args;
  if (args.length !== 1 || first?.type !== "string") {
    throw new SqlRuleError(
      "parameter",
      `${name.toUpperCase()} takes one string literal, such as ${name.toUpperCase()}('TIME_WINDOW_START').`,
    );
  }
  return first.value as string;
}

function builtInValue(name: string, context: ParameterContext): string {
  switch (name.toUpperCase()) {
    case "TIME_WINDOW_START":
      return `TIMESTAMP '${context.windowStart}'`;
    case "TIME_WINDOW_END":
      return `TIMESTAMP '${context.windowEnd}'`;
    default:
      throw new SqlRuleError(
        "parameter",
        `BUILT_IN_PARAMETER('${name}') is unknown: use TIME_WINDOW_START or TIME_WINDOW_END.`,
      );
  }
}

function customValue(name: string, context: ParameterContext): string {
  const declared = context.inputParameters.find((parameter) => parameter.name === name);
  const hasValue = Object.hasOwn(context.parameterValues, name);
  if (!declared && !hasValue) {
    throw new SqlRuleError(
      "parameter",
      `CUSTOM_PARAMETER('${name}') is not declared: add it to the workflow's inputParameters ` +
        "and give a value in parameterValues.",
    );
  }
  const value = hasValue ? context.parameterValues[name] : declared?.defaultValue;
  if (value === undefined) {
    throw new SqlRuleError(
      "parameter",
      `CUSTOM_PARAMETER('${name}') has no value: pass it in parameterValues or declare a defaultValue.`,
    );
  }
  return formatLiteral(name, value);
}

function formatLiteral(name: string, value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "NULL";
    return value.map((item) => formatLiteral(name, item)).join(", ");
  }
  if (value === null) return "NULL";
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  throw new SqlRuleError(
    "parameter",
    `CUSTOM_PARAMETER('${name}') has an unsupported value ${JSON.stringify(value)}: ` +
      "use a string, number, boolean or an array of them.",
  );
}
