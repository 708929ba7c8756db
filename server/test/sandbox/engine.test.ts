import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { acquireEngine, type EngineHandle } from "../../src/sandbox/sql/engine.ts";

// The query engine below the SQL rules: the role that submitted SQL runs as must not reach
// anything but the dataset, even for SQL that the rule checks would have let through.

const window = {
  windowStart: "2026-03-02 00:00:00",
  windowEnd: "2026-03-09 00:00:00",
  retentionStart: "2025-05-15 00:00:00",
};

describe("sandbox query engine", () => {
  let engine: EngineHandle;
  before(() => {
    engine = acquireEngine(createLogger("silent"));
  });
  after(async () => {
    await engine.release();
  });

  test("dataset views are readable", async () => {
    const result = await engine.run("SELECT COUNT(*) AS n FROM dsp_impressions", window, 60_000);
    assert.equal(result.ok, true, result.ok ? "" : result.message);
  });

  const forbidden: [string, string][] = [
    ["settings view", "SELECT name, setting FROM pg_settings"],
    ["current_setting", "SELECT current_setting('amc.window_start')"],
    ["set_config to superuser", "SELECT set_config('role', 'postgres', false)"],
    ["internal tables", "SELECT COUNT(*) FROM amc_internal.campaigns"],
    ["public schema", "SELECT COUNT(*) FROM public.anything"],
    ["server files", "SELECT pg_read_file('/etc/hostname')"],
    ["table creation", "CREATE TABLE amc.t (i int)"],
    ["writes", "INSERT INTO amc_internal.campaigns (campaign_id) VALUES (1)"],
  ];
  for (const [name, sql] of forbidden) {
    test(`query role cannot use ${name}`, async () => {
      const result = await engine.run(sql, window, 60_000);
      assert.equal(result.ok, false, `${sql} succeeded`);
    });
  }

  test("role change ends with its query", async () => {
    // A lone RESET ROLE runs (the rule checks reject it earlier), but each query runs in its
    // own transaction, so the next query is back under the query role.
    await engine.run("RESET ROLE", window, 60_000);
    const result = await engine.run("SELECT COUNT(*) FROM amc_internal.campaigns", window, 60_000);
    assert.equal(result.ok, false);
  });

  test("runaway query times out", async () => {
    const result = await engine.run(
      "SELECT COUNT(*) FROM dsp_impressions a, dsp_impressions b",
      window,
      1_000,
    );
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.timedOut, true);
    const after = await engine.run("SELECT 1 AS one", window, 60_000);
    assert.equal(after.ok, true, after.ok ? "" : after.message);
  });
});
