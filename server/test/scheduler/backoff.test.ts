import assert from "node:assert/strict";
import { test } from "node:test";
import { pollIntervalMs, retryDelayMs } from "../../src/scheduler/backoff.ts";
import { isWorthRetrying } from "../../src/scheduler/finish.ts";

test("retry delay doubles then caps", () => {
  const upper = () => 0.999_999;
  assert.equal(retryDelayMs(1, 1000, 60_000, upper), 1000);
  assert.equal(retryDelayMs(2, 1000, 60_000, upper), 2000);
  assert.equal(retryDelayMs(3, 1000, 60_000, upper), 4000);
  assert.equal(retryDelayMs(20, 1000, 60_000, upper), 60_000);
});

test("retry delay jitters in upper half", () => {
  assert.equal(
    retryDelayMs(3, 1000, 60_000, () => 0),
    2000,
  );
  assert.equal(
    retryDelayMs(3, 1000, 60_000, () => 0.5),
    3000,
  );
});

test("poll interval grows with age", () => {
  assert.equal(pollIntervalMs(0, 500, 60_000), 500);
  assert.equal(pollIntervalMs(40_000, 500, 60_000), 1000);
  assert.equal(pollIntervalMs(15 * 60_000, 500, 60_000), 22_500);
  assert.equal(pollIntervalMs(24 * 3_600_000, 500, 60_000), 60_000);
});

test("retry worth judged by status", () => {
  assert.equal(isWorthRetrying("FAILED", "Internal error while running the query"), true);
  assert.equal(isWorthRetrying("CANCELLED", "Cancelled by an operator"), true);
  assert.equal(isWorthRetrying("FAILED", "Syntax error at line 3"), false);
  assert.equal(isWorthRetrying("REJECTED", "Too many workflows over the same window"), false);
  assert.equal(isWorthRetrying("SUBMIT_REJECTED", "Invalid time window"), false);
  assert.equal(isWorthRetrying("FAILED", "LIMIT is not allowed in AMC queries: remove it."), false);
  assert.equal(isWorthRetrying("FAILED", "CUSTOM_PARAMETER('x') is not declared"), false);
  assert.equal(
    isWorthRetrying("FAILED", "Function pg_sleep is not available in AMC queries."),
    false,
  );
  assert.equal(isWorthRetrying("FAILED", "Only SELECT queries are allowed; got a DELETE"), false);
  assert.equal(isWorthRetrying("FAILED", "Query timed out after 900 seconds"), true);
});
