import type { Logger } from "../../logger.ts";
import type { QueryOutcome, QueryRequest, ResultColumn } from "../types.ts";
import { acquireEngine, type EngineResult, type EngineWindow } from "./engine.ts";
import { substituteParameters } from "./parameters.ts";
import { checkAmcRules, containsAggregate, SqlRuleError, type CheckedQuery } from "./rules.ts";
import { formatValue, resultColumnType } from "./values.ts";

// Runs an execution's SQL: checks AMC's rules, fills in parameters, runs the query with a hidden
// distinct-user count per output row, and applies AMC's aggregation threshold to the rows.
// Results depend only on the SQL, window, retention day and privacy behaviour, so they are
// cached. A benchmark that repeats weeks then costs no SQL time.

const USER_COUNT_COLUMN = "__amc_user_count";
/** Minimum distinct users per output row (AMC's medium-sensitivity threshold). */
const USER_THRESHOLD = 100;
/**
 * Threshold for queries that read only traffic tables. AMC uses a lower threshold for
 * low-sensitivity outputs. The sandbox treats impression and click data as such.
 */
const LOW_SENSITIVITY_THRESHOLD = 2;
const lowSensitivityTables = new Set(["dsp_impressions", "dsp_clicks", "sponsored_ads_traffic"]);
const MAX_CACHED_RESULTS = 5000;
const DAY_MS = 86_400_000;
/** SQLSTATEs of an injected user count that does not fit the query. The next variant is tried. */
const variantMismatchStates = new Set(["42703", "42702", "42803", "42P01"]);

/** Options of the query runner. */
export interface QueryRunnerOptions {
  logger: Logger;
  queryTimeoutMs: number;
}

/** Runs execution SQL on the synthetic dataset and caches deterministic results. */
export interface SandboxQueryRunner {
  run(request: QueryRequest): Promise<QueryOutcome>;
  /** Starts the query engine now instead of on the first execution. */
  warmUp(): Promise<void>;
  cacheStats(): { hits: number; misses: number };
  resetStats(): void;
  close(): Promise<void>;
}

/** Creates the query runner. The shared engine starts on the first query. */
export function createQueryRunner(options: QueryRunnerOptions): SandboxQueryRunner {
  const engine = acquireEngine(options.logger);
  const cache = new Map<string, QueryOutcome>();
  // Parsing dominates a run served from the result cache; repeated runs of one SQL text parse once.
  const checkedBySql = new Map<string, CheckedQuery>();
  const inFlight = new Map<string, Promise<QueryOutcome>>();
  const counters = { hits: 0, misses: 0 };
  const runEngine = (sql: string, window: EngineWindow) =>
    engine.run(sql, window, options.queryTimeoutMs);

  return {
    run: async (request) => {
      const window = engineWindow(request);
      let prepared: { checked: CheckedQuery; sql: string };
      try {
        let checked = checkedBySql.get(request.sql);
        if (!checked) {
          checked = checkAmcRules(request.sql);
          if (checkedBySql.size >= MAX_CACHED_RESULTS) {
            checkedBySql.delete(checkedBySql.keys().next().value!);
          }
          checkedBySql.set(request.sql, checked);
        }
        const sql = substituteParameters(request.sql, checked.statement, {
          windowStart: window.windowStart,
          windowEnd: window.windowEnd,
          inputParameters: request.inputParameters,
          parameterValues: request.parameterValues,
        });
        prepared = { checked, sql };
      } catch (error) {
        if (error instanceof SqlRuleError) return { status: "FAILED", reason: error.message };
        throw error;
      }

      const key = JSON.stringify([prepared.sql, window, request.privacyFilteringBehavior]);
      const known = cache.get(key) ?? inFlight.get(key);
      if (known) {
        counters.hits += 1;
        return known;
      }
      counters.misses += 1;
      // Executions of the same week that start together share one run of the query.
      const running = execute(prepared, window, request, runEngine);
      inFlight.set(
        key,
        running.then(({ outcome }) => outcome),
      );
      try {
        const { outcome, cacheable } = await running;
        if (cacheable) {
          if (cache.size >= MAX_CACHED_RESULTS) cache.delete(cache.keys().next().value!);
          cache.set(key, outcome);
        }
        return outcome;
      } finally {
        inFlight.delete(key);
      }
    },
    warmUp: async () => {
      const epoch = "1970-01-01 00:00:00";
      const window = { windowStart: epoch, windowEnd: epoch, retentionStart: epoch };
      const result = await runEngine("SELECT 1", window);
      if (!result.ok) throw new Error(`Sandbox query engine failed to start: ${result.message}`);
    },
    cacheStats: () => ({ ...counters }),
    resetStats: () => {
      counters.hits = 0;
      counters.misses = 0;
    },
    close: () => engine.release(),
  };
}

function engineWindow(request: QueryRequest): EngineWindow {
  const text = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
  // Retention moves by whole days, so that results stay cacheable during a day.
  const retentionDayMs = Math.floor(request.retentionStartMs / DAY_MS) * DAY_MS;
  return {
    windowStart: text(request.windowStartMs),
    windowEnd: text(request.windowEndMs),
    retentionStart: text(retentionDayMs),
  };
}

async function execute(
  prepared: { checked: CheckedQuery; sql: string },
  window: EngineWindow,
  request: QueryRequest,
  runEngine: (sql: string, window: EngineWindow) => Promise<EngineResult>,
): Promise<{ outcome: QueryOutcome; cacheable: boolean }> {
  let counted = false;
  let result: EngineResult | undefined;
  for (const variant of userCountVariants(prepared.sql, prepared.checked)) {
    const attempt = await runEngine(variant, window);
    if (attempt.ok) {
      result = attempt;
      counted = true;
      break;
    }
    if (!variantMismatchStates.has(attempt.sqlState ?? "")) {
      result = attempt;
      break;
    }
  }
  // NOTE: a query whose output rows cannot carry a user count (for example a final SELECT
  // that reads an already aggregated CTE without user_id) runs without threshold filtering.
  result ??= await runEngine(prepared.sql, window);
  if (!result.ok) {
    return {
      outcome: { status: "FAILED", reason: `SQL execution failed: ${result.message}` },
      cacheable: !result.timedOut && result.sqlState !== undefined,
    };
  }
  const lowSensitivity = [...prepared.checked.tables].every((table) =>
    lowSensitivityTables.has(table),
  );
  return {
    outcome: applyThreshold(result, counted, prepared.checked, request, lowSensitivity),
    cacheable: true,
  };
}

/**
 * Returns the query with `COUNT(DISTINCT user_id)` added to each output SELECT, unqualified and
 * then qualified by each FROM item of a single output SELECT (needed after joins).
 */
function userCountVariants(sql: string, checked: CheckedQuery): string[] {
  const insertAt: number[] = [];
  for (const select of checked.outputSelects) {
    const firstFrom = select.from?.[0]?._location?.start;
    if (firstFrom === undefined) return [];
    const before = sql.slice(0, firstFrom);
    const match = /\bFROM\s*$/i.exec(before);
    if (!match) return [];
    insertAt.push(match.index);
  }
  const qualifiers = [""];
  if (checked.outputSelects.length === 1) {
    for (const from of checked.outputSelects[0]!.from ?? []) {
      if (from.type === "table") qualifiers.push(`"${from.name.alias ?? from.name.name}".`);
      else if (from.type === "statement") qualifiers.push(`"${from.alias}".`);
    }
  }
  return qualifiers.map((qualifier) => {
    let variant = sql;
    for (const position of [...insertAt].sort((a, b) => b - a)) {
      const column = `, COUNT(DISTINCT ${qualifier}user_id) AS ${USER_COUNT_COLUMN} `;
      variant = variant.slice(0, position) + column + variant.slice(position);
    }
    return variant;
  });
}

function applyThreshold(
  result: Extract<EngineResult, { ok: true }>,
  counted: boolean,
  checked: CheckedQuery,
  request: QueryRequest,
  lowSensitivity: boolean,
): QueryOutcome {
  const fields = counted ? result.fields.slice(0, -1) : result.fields;
  const columns: ResultColumn[] = fields.map((field) => ({
    name: field.name,
    type: resultColumnType(field.dataTypeId),
  }));
  const threshold = lowSensitivity ? LOW_SENSITIVITY_THRESHOLD : USER_THRESHOLD;
  const removeValues = request.privacyFilteringBehavior === "REMOVE_VALUES";
  const metricIndexes = new Set(
    (checked.outputSelects[0]?.columns ?? []).flatMap((column, index) =>
      containsAggregate(column.expr) ? [index] : [],
    ),
  );

  const rows: unknown[][] = [];
  for (const raw of result.rows) {
    const values = fields.map((field, index) => formatValue(raw[index], field.dataTypeId));
    const users = counted ? Number(raw[raw.length - 1]) : Number.POSITIVE_INFINITY;
    const belowThreshold = users < threshold;
    if (belowThreshold && !removeValues) continue;
    if (removeValues) {
      rows.push([
        ...values.map((value, index) =>
          belowThreshold && metricIndexes.has(index) ? null : value,
        ),
        belowThreshold,
      ]);
    } else {
      rows.push(values);
    }
  }
  if (removeValues) columns.push({ name: "filtered", type: "BOOLEAN" });
  return { status: "SUCCEEDED", columns, rows };
}
