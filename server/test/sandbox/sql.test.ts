import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import { startTestSandbox, runToEnd, weekRequest, type TestSandbox } from "./helpers.ts";

// The sandbox's SQL engine through the HTTP API: the synthetic dataset, AMC's SQL features and
// rules, aggregation thresholds and result files. The test clock is set to 2026-06-15.

const DELIVERY = `SELECT campaign, SUM(impressions) AS impressions, SUM(total_cost) AS total_cost_millicents,
  COUNT(DISTINCT user_id) AS reach
FROM dsp_impressions GROUP BY campaign`;

const SALES_BY_CAMPAIGN = `SELECT campaign, SUM(purchases) AS purchases, SUM(product_sales) AS product_sales
FROM amazon_attributed_events_by_traffic_time GROUP BY campaign`;

function rowsOf(parts: string[]): Record<string, string>[] {
  return parts.flatMap((part) => parse(part, { columns: true }) as Record<string, string>[]);
}

function total(rows: Record<string, string>[], column: string): number {
  return rows.reduce((sum, row) => sum + Number(row[column]), 0);
}

describe("sandbox SQL", () => {
  let t: TestSandbox;
  before(async () => {
    t = await startTestSandbox({ resultPartMaxBytes: 400 });
    await t.sandbox.warmUp();
  });
  after(async () => {
    await t.stop();
  });

  test("same window yields same rows", async () => {
    const first = await runToEnd(t, "sql1", weekRequest("2026-03-02", DELIVERY));
    // Different text, same query: the cache misses, so the dataset is computed again.
    const second = await runToEnd(t, "sql1", weekRequest("2026-03-02", `${DELIVERY}\n`));
    assert.equal(first.execution.status, "SUCCEEDED");
    assert.equal(second.execution.status, "SUCCEEDED");
    assert.deepEqual(rowsOf(second.parts), rowsOf(first.parts));
    assert.equal(rowsOf(first.parts).length, 6);
  });

  test("dataset units and magnitudes", async () => {
    const { parts } = await runToEnd(t, "sql1", weekRequest("2026-03-09", DELIVERY));
    const rows = rowsOf(parts);
    const impressions = total(rows, "impressions");
    const costDollars = total(rows, "total_cost_millicents") / 100_000;
    assert.ok(impressions > 8_000, `impressions ${impressions}`);
    assert.ok(impressions < 20_000, `impressions ${impressions}`);
    // CPMs of $6 to $22 give a few dollars per thousand impressions.
    const cpm = (costDollars / impressions) * 1000;
    assert.ok(cpm > 5, `CPM ${cpm}`);
    assert.ok(cpm < 20, `CPM ${cpm}`);
    const spend = rowsOf(
      (
        await runToEnd(
          t,
          "sql1",
          weekRequest(
            "2026-03-09",
            "SELECT SUM(spend) AS spend, SUM(clicks) AS clicks FROM sponsored_ads_traffic",
          ),
        )
      ).parts,
    )[0]!;
    const cpcDollars = Number(spend.spend) / 100_000_000 / Number(spend.clicks);
    assert.ok(cpcDollars > 0.5, `CPC ${cpcDollars}`);
    assert.ok(cpcDollars < 2.5, `CPC ${cpcDollars}`);
  });

  test("summer sales week stands out", async () => {
    const ordinary = rowsOf((await runToEnd(t, "sql2", weekRequest("2025-06-02", DELIVERY))).parts);
    const sales = rowsOf((await runToEnd(t, "sql2", weekRequest("2025-07-07", DELIVERY))).parts);
    const november = rowsOf((await runToEnd(t, "sql2", weekRequest("2025-11-24", DELIVERY))).parts);
    const ratio = total(sales, "impressions") / total(ordinary, "impressions");
    assert.ok(ratio > 1.4, `sales week ratio ${ratio}`);
    const q4 = total(november, "impressions") / total(ordinary, "impressions");
    assert.ok(q4 > 1.6, `Black Friday week ratio ${q4}`);
  });

  test("window beyond retention is empty", async () => {
    const { execution, parts } = await runToEnd(t, "sql3", weekRequest("2025-03-03", DELIVERY));
    assert.equal(execution.status, "SUCCEEDED");
    assert.equal(parts.length, 1);
    assert.equal(parts[0], "campaign,impressions,total_cost_millicents,reach\n");
  });

  test("AMC SQL features run", async () => {
    const sql = `WITH first_seen AS (
  SELECT user_id, campaign, MIN(impression_dt) AS first_dt
  FROM dsp_impressions
  WHERE impression_dt >= BUILT_IN_PARAMETER('TIME_WINDOW_START')
    AND campaign_id IN (CUSTOM_PARAMETER('campaign_ids'))
  GROUP BY user_id, campaign
), purchases AS (
  SELECT user_id, MIN(conversion_event_dt) AS purchase_dt
  FROM amazon_attributed_events_by_traffic_time
  WHERE total_purchases > 0 GROUP BY user_id
)
SELECT f.campaign,
  DATE_TRUNC('WEEK', MIN(f.first_dt)) AS week_start,
  COUNT(DISTINCT f.user_id) AS reach,
  IF(COUNT(DISTINCT p.user_id) > 0, 'converting', 'silent') AS kind,
  IFNULL(AVG(SECONDS_BETWEEN(f.first_dt, p.purchase_dt)), 0) AS avg_seconds_to_purchase,
  NVL(MAX(p.purchase_dt), BUILT_IN_PARAMETER('TIME_WINDOW_END')) AS last_purchase
FROM first_seen f LEFT JOIN purchases p ON p.user_id = f.user_id
GROUP BY f.campaign
UNION ALL
SELECT 'all campaigns', NULL, COUNT(DISTINCT user_id), 'total', 0, NULL FROM dsp_clicks`;
    const { execution, parts } = await runToEnd(
      t,
      "sql4",
      weekRequest("2026-04-06", sql, {
        parameterValues: { campaign_ids: [583012771001, 583012771002] },
      }),
    );
    assert.equal(execution.status, "SUCCEEDED", execution.statusReason);
    const rows = rowsOf(parts);
    assert.deepEqual(rows.map((row) => row.campaign).sort(), [
      "Always-On Prospecting",
      "Retargeting - Product Viewers",
      "all campaigns",
    ]);
    const prospecting = rows.find((row) => row.campaign === "Always-On Prospecting")!;
    assert.equal(prospecting.kind, "converting");
    assert.ok(Number(prospecting.avg_seconds_to_purchase) > 0);
    assert.match(prospecting.week_start!, /^2026-04-06T00:00:00.000Z$/);
  });

  test("threshold drops rows under 100 users", async () => {
    const { parts } = await runToEnd(t, "sql5", weekRequest("2026-01-12", SALES_BY_CAMPAIGN));
    const keptRows = rowsOf(parts);
    assert.ok(keptRows.length > 0, "every campaign was dropped");
    assert.ok(keptRows.length < 12, "no campaign was dropped");
  });

  test("REMOVE_VALUES keeps rows marked filtered", async () => {
    const removeRows = rowsOf(
      (await runToEnd(t, "sql6", weekRequest("2026-01-12", SALES_BY_CAMPAIGN))).parts,
    );
    const removeValues = rowsOf(
      (
        await runToEnd(t, "sql6", {
          ...weekRequest("2026-01-12"),
          workflow: { sqlQuery: SALES_BY_CAMPAIGN, privacyFilteringBehavior: "REMOVE_VALUES" },
        })
      ).parts,
    );
    assert.equal(removeValues.length, 12);
    const filtered = removeValues.filter((row) => row.filtered === "true");
    assert.equal(filtered.length, 12 - removeRows.length);
    for (const row of filtered) {
      assert.equal(row.purchases, "");
      assert.equal(row.product_sales, "");
      assert.notEqual(row.campaign, "");
    }
    const unfiltered = removeValues
      .filter((row) => row.filtered === "false")
      .map(({ filtered: _filtered, ...row }) => row);
    assert.deepEqual(unfiltered, removeRows);
  });

  test("low-sensitivity threshold yields header-only CSV", async () => {
    // One row per impression: every row has a single user, below even the threshold of 2.
    const sql =
      "SELECT request_tag, SUM(impressions) AS impressions FROM dsp_impressions GROUP BY request_tag";
    const { execution, parts } = await runToEnd(t, "sql7", weekRequest("2026-02-02", sql));
    assert.equal(execution.status, "SUCCEEDED");
    assert.equal(parts.join(""), "request_tag,impressions\n");
  });

  const violations: [string, string, RegExp][] = [
    ["LIMIT", `${DELIVERY} LIMIT 3`, /LIMIT is not allowed/],
    [
      "ORDER BY",
      `${DELIVERY} ORDER BY campaign`,
      /ORDER BY is only allowed inside window functions/,
    ],
    ["SELECT *", "SELECT * FROM dsp_impressions", /SELECT \* is not allowed/],
    ["no aggregate", "SELECT campaign FROM dsp_impressions", /must aggregate/],
    [
      "user id output",
      "SELECT user_id, COUNT(1) AS n FROM dsp_impressions GROUP BY user_id",
      /user-level identifier/,
    ],
    [
      "user id alias",
      "SELECT MAX(user_id) AS user_id, COUNT(1) AS n FROM dsp_impressions",
      /user-level identifier/,
    ],
    [
      "unknown table",
      "SELECT COUNT(1) AS n FROM display_impressions",
      /Table display_impressions does not exist/,
    ],
    [
      "undeclared parameter",
      "SELECT COUNT(1) AS n FROM dsp_clicks WHERE campaign = CUSTOM_PARAMETER('x')",
      /CUSTOM_PARAMETER\('x'\) is not declared/,
    ],
    ["syntax error", "SELEC campaign FROM dsp_clicks", /SQL syntax error/],
    [
      "two statements",
      "SELECT COUNT(1) FROM dsp_clicks; SELECT COUNT(1) FROM dsp_clicks",
      /exactly one SELECT/,
    ],
    [
      "unknown column",
      "SELECT COUNT(nothing) AS n FROM dsp_clicks",
      /SQL execution failed: column "nothing" does not exist/,
    ],
  ];
  for (const [name, sql, reason] of violations) {
    test(`rule violation fails: ${name}`, async () => {
      const { execution } = await runToEnd(t, "sql8", weekRequest("2026-02-09", sql));
      assert.equal(execution.status, "FAILED");
      assert.match(execution.statusReason, reason);
    });
  }

  test("saved workflow parameters and defaults", async () => {
    const base = "/amc/reporting/sql9";
    const workflow = {
      workflowId: "device-reach",
      sqlQuery:
        "SELECT device_type, COUNT(DISTINCT user_id) AS reach FROM dsp_impressions WHERE device_type = CUSTOM_PARAMETER('device') GROUP BY device_type",
      inputParameters: [{ name: "device", dataType: "STRING", defaultValue: "Phone" }],
    };
    assert.equal((await t.call("POST", `${base}/workflows`, workflow)).status, 200);
    const request = {
      ...weekRequest("2026-02-16"),
      workflow: undefined,
      workflowId: "device-reach",
    };
    const byDefault = rowsOf((await runToEnd(t, "sql9", request)).parts);
    assert.deepEqual(
      byDefault.map((row) => row.device_type),
      ["Phone"],
    );
    const byValue = rowsOf(
      (await runToEnd(t, "sql9", { ...request, parameterValues: { device: "PC" } })).parts,
    );
    assert.deepEqual(
      byValue.map((row) => row.device_type),
      ["PC"],
    );
  });

  test("reading application data fails", async () => {
    for (const sql of [
      'SELECT COUNT(1) AS n FROM "Account"',
      "SELECT COUNT(1) AS n FROM public.account",
      "SELECT COUNT(1) AS n FROM pg_catalog.pg_settings",
      "SELECT COUNT(1) AS n, MAX(current_setting('amc.window_start')) AS s FROM dsp_clicks",
      "SELECT COUNT(1) AS n, MAX(pg_read_file('/etc/passwd')) AS s FROM dsp_clicks",
    ]) {
      const { execution } = await runToEnd(t, "sql10", weekRequest("2026-02-23", sql));
      assert.equal(execution.status, "FAILED", sql);
    }
  });

  test("large result splits into parts", async () => {
    const sql = `SELECT impression_date, impression_hour, SUM(impressions) AS impressions
FROM dsp_impressions GROUP BY impression_date, impression_hour`;
    const { parts } = await runToEnd(t, "sql11", weekRequest("2026-03-16", sql));
    assert.ok(parts.length > 5, `parts ${parts.length}`);
    for (const part of parts) {
      assert.ok(part.startsWith("impression_date,impression_hour,impressions\n"));
      assert.ok(Buffer.byteLength(part) <= 400 + 64);
    }
    assert.equal(rowsOf(parts).length, 7 * 24);
  });

  test("CSV quotes commas and quotes", async () => {
    const sql =
      "SELECT tracked_item, SUM(conversions) AS conversions FROM conversions GROUP BY tracked_item";
    const { parts } = await runToEnd(t, "sql12", weekRequest("2026-03-23", sql));
    const text = parts.join("");
    assert.match(text, /^"Headlamp 400, ""Night"" Edition",\d+$/m);
    const items = rowsOf(parts).map((row) => row.tracked_item);
    assert.ok(items.includes('Headlamp 400, "Night" Edition'));
  });
});
