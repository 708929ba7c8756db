// Trend query benchmark. Prints figures; asserts nothing.
//
//   cd server && node --import tsx bench/trend.ts [rowsPerWeek ...]
//
// It runs for each rows-per-week size (default 10000) on in-memory PGlite and on PostgreSQL
// (TEST_DATABASE_URL, default 127.0.0.1:5432). It stores a 52-week collection through
// ingestResult, then times queryTrend twice: an ungrouped SUM, and a SUM grouped by a 20-value
// column (top 10 and "other"). Trends read WeekMetric rows, so their latency should not
// follow rows per week. Pass several sizes to check, e.g. `bench/trend.ts 1000 10000`.

import type { Database } from "../src/db/database.ts";
import { activateResult } from "../src/results/activate.ts";
import { ingestResult } from "../src/results/ingest.ts";
import { queryTrend, type TrendRequest } from "../src/results/trend.ts";
import { backends, createTestDatabase } from "../test/support/database.ts";
import { generateCsvParts } from "../test/results/csv-generator.ts";
import { createCollection, createExecution } from "../test/results/fixtures.ts";

const weekCount = 52;
const warmupRuns = 20;
const measuredRuns = 300;

const sizes = process.argv.slice(2).map(Number);
const rowsPerWeekSizes = sizes.length > 0 ? sizes : [10_000];

async function storeCollection(database: Database, rowsPerWeek: number): Promise<string> {
  const fixture = await createCollection(database, { weekCount });
  for (const week of fixture.weeks) {
    const result = await ingestResult(database, {
      executionId: await createExecution(database, week.id),
      weekId: week.id,
      collectionId: fixture.collectionId,
      parts: generateCsvParts(rowsPerWeek, 1),
    });
    await database.prisma.$transaction((tx) => activateResult(tx, week.id, result.resultSetId));
  }
  return fixture.collectionId;
}

function percentile(sortedMs: number[], fraction: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(fraction * sortedMs.length) - 1)]!;
}

async function timeTrend(database: Database, request: TrendRequest): Promise<string> {
  for (let i = 0; i < warmupRuns; i++) await queryTrend(database.prisma, request);
  const durationsMs: number[] = [];
  for (let i = 0; i < measuredRuns; i++) {
    const startedMs = performance.now();
    await queryTrend(database.prisma, request);
    durationsMs.push(performance.now() - startedMs);
  }
  durationsMs.sort((a, b) => a - b);
  const median = percentile(durationsMs, 0.5).toFixed(2);
  const p99 = percentile(durationsMs, 0.99).toFixed(2);
  return `median ${median} ms, p99 ${p99} ms`;
}

for (const rowsPerWeek of rowsPerWeekSizes) {
  for (const backend of backends) {
    const database = await createTestDatabase(backend);
    try {
      const loadStartedMs = performance.now();
      const collectionId = await storeCollection(database, rowsPerWeek);
      const loadSeconds = ((performance.now() - loadStartedMs) / 1000).toFixed(1);
      console.log(
        `${backend}: ${weekCount} weeks x ${rowsPerWeek} rows stored in ${loadSeconds} s`,
      );
      const base = { collectionIds: [collectionId], metric: "impressions" };
      console.log(`  trend SUM:                 ${await timeTrend(database, base)}`);
      console.log(
        `  trend SUM by campaign top: ${await timeTrend(database, { ...base, groupBy: "campaign", top: 10 })}`,
      );
    } finally {
      await database.close();
    }
  }
}
