import {
  astVisitor,
  parse,
  type Expr,
  type SelectStatement,
  type Statement,
} from "pgsql-ast-parser";
import { datasetTables } from "./dataset.ts";

// AMC's SQL rules, checked on the parsed query before it runs. Each violation names its rule,
// because AMC reports the rule in the execution's statusReason.

/** Error for SQL that breaks one of AMC's rules; `rule` is a short name such as "LIMIT". */
export class SqlRuleError extends Error {
  override name = "SqlRuleError";
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

const aggregateFunctions = new Set([
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "variance",
  "var_pop",
  "var_samp",
  "bool_and",
  "bool_or",
  "every",
  "array_agg",
  "string_agg",
  "percentile_cont",
  "percentile_disc",
  "mode",
  "approx_count_distinct",
]);

/** Function names that could read the server's state. The role's privileges back this up. */
const deniedFunction =
  /^(pg_|current_setting$|set_config$|lo_|dblink|query_to_|table_to_|cursor_to_|database_to_|schema_to_|version$|txid_|inet_)/;

/** User-level identifiers that AMC never lets a query output. */
export const userLevelColumns = new Set(["user_id"]);

/** A query that passed the checks, with the facts the runner needs. */
export interface CheckedQuery {
  statement: SelectStatement;
  /** Dataset tables the query reads. */
  tables: Set<string>;
  /** Top-level SELECTs whose rows form the output (several for UNION ALL). */
  outputSelects: Extract<SelectStatement, { type: "select" }>[];
}

/** Parses `sql` and checks AMC's rules. Throws SqlRuleError on the first violation. */
export function checkAmcRules(sql: string): CheckedQuery {
  let statements: Statement[];
  try {
    statements = parse(sql, { locationTracking: true });
  } catch (error) {
    const firstLine = (error as Error).message.split("\n")[0];
    throw new SqlRuleError("syntax", `SQL syntax error: ${firstLine}`);
  }
  if (statements.length !== 1) {
    throw new SqlRuleError("single statement", "Submit exactly one SELECT statement.");
  }
  const statement = statements[0]!;
  if (!["select", "union", "union all", "with"].includes(statement.type)) {
    throw new SqlRuleError(
      "SELECT only",
      `Only SELECT queries are allowed; got a ${statement.type.toUpperCase()} statement.`,
    );
  }
  const select = statement as SelectStatement;
  const cteNames = collectCteNames(select);
  const tables = new Set<string>();
  let aggregateCount = 0;

  const visitor = astVisitor((visit) => ({
    selection: (node) => {
      if (node.limit) {
        throw new SqlRuleError("LIMIT", "LIMIT is not allowed in AMC queries: remove it.");
      }
      if (node.orderBy && node.orderBy.length > 0) {
        throw new SqlRuleError(
          "ORDER BY",
          "ORDER BY is only allowed inside window functions (OVER): remove it and sort the result after download.",
        );
      }
      for (const column of node.columns ?? []) {
        if (column.expr.type === "ref" && column.expr.name === "*") {
          throw new SqlRuleError(
            "SELECT *",
            "SELECT * is not allowed: list the columns to output.",
          );
        }
      }
      visit.super().selection(node);
    },
    withRecursive: () => {
      throw new SqlRuleError("WITH RECURSIVE", "WITH RECURSIVE is not allowed.");
    },
    fromCall: () => {
      throw new SqlRuleError("table functions", "Table functions in FROM are not allowed.");
    },
    tableRef: (name) => {
      const table = name.name.toLowerCase();
      if (
        name.schema !== undefined ||
        (!datasetTables.includes(table as never) && !cteNames.has(table))
      ) {
        const shown = name.schema ? `${name.schema}.${name.name}` : name.name;
        throw new SqlRuleError(
          "unknown table",
          `Table ${shown} does not exist. Available tables: ${datasetTables.join(", ")}.`,
        );
      }
      if (!cteNames.has(table)) tables.add(table);
    },
    call: (call) => {
      const name = call.function.name.toLowerCase();
      if (call.function.schema !== undefined || deniedFunction.test(name)) {
        throw new SqlRuleError("function", `Function ${name} is not available in AMC queries.`);
      }
      if (aggregateFunctions.has(name) && !call.over) aggregateCount += 1;
      visit.super().call(call);
    },
  }));
  visitor.statement(select);

  if (aggregateCount === 0) {
    throw new SqlRuleError(
      "aggregate",
      "AMC queries must aggregate: use at least one aggregate function such as SUM or COUNT.",
    );
  }
  const outputSelects = findOutputSelects(select);
  for (const output of outputSelects) checkNoUserLevelOutput(output);
  return { statement: select, tables, outputSelects };
}

/** Returns true when `expr` contains an aggregate call outside a window. */
export function containsAggregate(expr: Expr): boolean {
  let found = false;
  astVisitor((visit) => ({
    call: (call) => {
      if (aggregateFunctions.has(call.function.name.toLowerCase()) && !call.over) found = true;
      visit.super().call(call);
    },
  })).expr(expr);
  return found;
}

function collectCteNames(statement: SelectStatement): Set<string> {
  const names = new Set<string>();
  astVisitor((visit) => ({
    with: (node) => {
      for (const binding of node.bind) names.add(binding.alias.name.toLowerCase());
      visit.super().with(node);
    },
  })).statement(statement);
  return names;
}

function findOutputSelects(statement: SelectStatement): CheckedQuery["outputSelects"] {
  switch (statement.type) {
    case "select":
      return [statement];
    case "union":
    case "union all":
      return [...findOutputSelects(statement.left), ...findOutputSelects(statement.right)];
    case "with":
      return findOutputSelects(statement.in as SelectStatement);
    default:
      return [];
  }
}

function checkNoUserLevelOutput(select: Extract<SelectStatement, { type: "select" }>): void {
  for (const column of select.columns ?? []) {
    const alias = column.alias?.name.toLowerCase();
    const bare = column.expr.type === "ref" ? column.expr.name.toLowerCase() : undefined;
    const outputName = alias ?? bare;
    const exposesId =
      (bare !== undefined && userLevelColumns.has(bare)) ||
      (outputName !== undefined && userLevelColumns.has(outputName));
    if (exposesId) {
      throw new SqlRuleError(
        "user-level output",
        `Column ${outputName} is a user-level identifier and cannot be output: aggregate it, for example COUNT(DISTINCT user_id).`,
      );
    }
  }
}
