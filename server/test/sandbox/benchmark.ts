import { performance } from "node:perf_hooks";
import { demoWorkflows } from "../../src/demo/workflows.ts";
import { renderSql } from "../../src/domain/render.ts";
import { workflowParameters } from "../../src/domain/workflows.ts";
import { startTestSandbox, waitForTerminal, weekRequest, type TestSandbox } from "./helpers.ts";

// Benchmark of the sandbox's SQL engine, printed as figures (not a test):
//   node --import tsx test/sandbox/benchmark.ts
// 1. Uncached run time of each demo workflow over 8 different weeks (create to SUCCEEDED with
//    executionDurationMs = 0, so the time is SQL, thresholds and CSV).
// 2. Throughput of 520 executions over 52 weeks with executionDurationMs = 0, twice: the first
//    pass runs each week's query once, the second is served from the result cache.

const WEEKS = 8;
const THROUGHPUT_EXECUTIONS = 520;
const CLIENTS = 52;

function mondays(count: number, firstMonday: string): string[] {
  const first = Date.parse(`${firstMonday}T00:00:00Z`);
  return Array.from({ length: count }, (_, index) =>
    new Date(first + index * 7 * 86_400_000).toISOString().slice(0, 10),
  );
}

function renderWeek(workflow: (typeof demoWorkflows)[number], monday: string) {
  const sunday = new Date(Date.parse(`${monday}T00:00:00Z`) + 6 * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const parameters = workflowParameters({ parameters: (workflow.parameters ?? []) as never });
  return renderSql(workflow.sqlTemplate, { startDate: monday, endDate: sunday }, parameters, {});
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

async function measureWorkflows(t: TestSandbox): Promise<void> {
  console.log(`uncached run time per demo workflow over ${WEEKS} weeks (ms):`);
  for (const workflow of demoWorkflows) {
    const durations: number[] = [];
    for (const monday of mondays(WEEKS, "2025-08-04")) {
      const rendered = renderWeek(workflow, monday);
      const startedMs = performance.now();
      const created = await t.call(
        "POST",
        "/amc/reporting/bench1/workflowExecutions",
        weekRequest(monday, rendered.sql, { parameterValues: rendered.parameterValues }),
      );
      const done = await waitForTerminal(t, "bench1", created.body.workflowExecutionId, 60_000);
      if (done.status !== "SUCCEEDED") throw new Error(`${workflow.name}: ${done.statusReason}`);
      durations.push(performance.now() - startedMs);
    }
    console.log(
      `  ${workflow.name.padEnd(30)} median ${percentile(durations, 0.5).toFixed(0)}, ` +
        `max ${Math.max(...durations).toFixed(0)}`,
    );
  }
}

async function measureThroughput(t: TestSandbox, pass: string): Promise<void> {
  t.sandbox.resetStats();
  const weeks = mondays(52, "2025-06-02");
  const workflow = demoWorkflows[0]!;
  const startedMs = performance.now();
  // CLIENTS clients at a time, each creating one execution and polling it to its end.
  for (let batch = 0; batch < THROUGHPUT_EXECUTIONS; batch += CLIENTS) {
    const indexes = Array.from({ length: CLIENTS }, (_, offset) => batch + offset);
    await Promise.all(
      indexes.map(async (index) => {
        const instanceId = `bench${2 + (index % 5)}`;
        const monday = weeks[index % weeks.length]!;
        const rendered = renderWeek(workflow, monday);
        const created = await t.call(
          "POST",
          `/amc/reporting/${instanceId}/workflowExecutions`,
          weekRequest(monday, rendered.sql),
        );
        await waitForTerminal(t, instanceId, created.body.workflowExecutionId, 300_000);
      }),
    );
  }
  const seconds = (performance.now() - startedMs) / 1000;
  const { queryCache, maxRunning } = t.sandbox.stats();
  console.log(
    `${pass}: ${THROUGHPUT_EXECUTIONS} executions (52 distinct weeks, 5 instances) in ` +
      `${seconds.toFixed(1)} s = ${(THROUGHPUT_EXECUTIONS / seconds).toFixed(0)} weeks/s; ` +
      `cache hits ${queryCache.hits}, misses ${queryCache.misses}; ` +
      `max running per instance ${Math.max(...Object.values(maxRunning))}`,
  );
}

const t = await startTestSandbox();
try {
  const warmStartMs = performance.now();
  await t.sandbox.warmUp();
  console.log(`engine start: ${(performance.now() - warmStartMs).toFixed(0)} ms`);
  await measureWorkflows(t);
  await measureThroughput(t, "first pass");
  await measureThroughput(t, "cached pass");
} finally {
  await t.stop();
}
