import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { parse } from "csv-parse/sync";
import { startApp, type App } from "../../src/app.ts";
import { createLogger } from "../../src/logger.ts";
import { testConfig, tokens } from "../graphql/support.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { createCollection, storeWeekResult, type CollectionFixture } from "./fixtures.ts";

const weekOneCsv =
  "campaign,note,clicks,big\n" +
  '"Smith, John","line1\nline2",1,12345678901234567890\n' +
  'B,"say ""hi""",2,5\n';
const weekTwoCsv = "campaign,clicks,extra\nC,3.50,x\n";

for (const backend of backends) {
  describe(`export routes on ${backend}`, () => {
    let app: App;
    let fixture: CollectionFixture;

    before(async () => {
      const database = await createTestDatabase(backend);
      fixture = await createCollection(database, { weekCount: 3 });
      await storeWeekResult(database, fixture, 0, [weekOneCsv]);
      await storeWeekResult(database, fixture, 2, [weekTwoCsv]);
      app = await startApp({ config: testConfig(), logger: createLogger("silent"), database });
    });
    after(async () => {
      await app?.stop();
    });

    const get = (path: string, token: string | null = tokens.viewer) =>
      fetch(`${app.url}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });

    test("results CSV round-trips", async () => {
      const response = await get(`/export/collections/${fixture.collectionId}.csv`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/csv/);
      assert.match(response.headers.get("content-disposition") ?? "", /attachment; filename=/);
      const rows = parse(await response.text()) as string[][];
      assert.deepEqual(rows, [
        ["week_start", "week_end", "iso_week", "campaign", "note", "clicks", "big", "extra"],
        [
          "2024-01-01",
          "2024-01-07",
          "2024-W01",
          "Smith, John",
          "line1\nline2",
          "1",
          "12345678901234567890",
          "",
        ],
        ["2024-01-01", "2024-01-07", "2024-W01", "B", 'say "hi"', "2", "5", ""],
        ["2024-01-15", "2024-01-21", "2024-W03", "C", "", "3.50", "", "x"],
      ]);
    });

    test("results JSON keeps numbers exact", async () => {
      const globalId = encodeURIComponent(encodeGlobalID("Collection", fixture.collectionId));
      const response = await get(`/export/collections/${globalId}.json`);
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.match(text, /"big":12345678901234567890[,}]/);
      assert.match(text, /"clicks":3\.50[,}]/);
      const body = JSON.parse(text);
      assert.deepEqual(
        body.columns.map(
          (column: { name: string; type: string }) => `${column.name}:${column.type}`,
        ),
        [
          "week_start:date",
          "week_end:date",
          "iso_week:string",
          "campaign:string",
          "note:string",
          "clicks:decimal",
          "big:integer",
          "extra:string",
        ],
      );
      assert.equal(body.rows.length, 3);
      assert.deepEqual(body.rows[1], {
        week_start: "2024-01-01",
        week_end: "2024-01-07",
        iso_week: "2024-W01",
        campaign: "B",
        note: 'say "hi"',
        clicks: 2,
        big: 5,
        extra: null,
      });
      assert.deepEqual(
        body.weeks.map((week: { isoWeek: string; rowCount: number }) => [
          week.isoWeek,
          week.rowCount,
        ]),
        [
          ["2024-W01", 2],
          ["2024-W03", 1],
        ],
      );
    });

    test("trend CSV and JSON", async () => {
      const path = `/export/collections/${fixture.collectionId}/trend`;
      const csv = await get(`${path}.csv?metric=clicks&groupBy=campaign&top=1`);
      assert.equal(csv.status, 200);
      const rows = parse(await csv.text()) as string[][];
      assert.deepEqual(rows[0], [
        "series",
        "is_other",
        "week_start",
        "iso_week",
        "partial",
        "status",
        "value",
      ]);
      assert.deepEqual(rows.slice(1), [
        ["C", "false", "2024-01-01", "2024-W01", "false", "SUCCESS", "0"],
        ["C", "false", "2024-01-08", "2024-W02", "false", "PENDING", ""],
        ["C", "false", "2024-01-15", "2024-W03", "false", "SUCCESS", "3.5"],
        ["other", "true", "2024-01-01", "2024-W01", "false", "SUCCESS", "3"],
        ["other", "true", "2024-01-08", "2024-W02", "false", "PENDING", ""],
        ["other", "true", "2024-01-15", "2024-W03", "false", "SUCCESS", "0"],
      ]);
      const json = await get(`${path}.json?metric=clicks&aggregate=max`);
      const trend = await json.json();
      assert.equal(trend.aggregate, "MAX");
      assert.deepEqual(
        trend.series[0].points.map((point: { value: number | null }) => point.value),
        [2, null, 3.5],
      );
    });

    test("unknown metric is 400", async () => {
      const response = await get(
        `/export/collections/${fixture.collectionId}/trend.csv?metric=spend`,
      );
      assert.equal(response.status, 400);
      const body = await response.json();
      assert.match(body.error, /Unknown metric "spend"/);
      assert.deepEqual(body.availableColumns, ["campaign", "note", "clicks", "big", "extra"]);
    });

    test("token rules and missing collection", async () => {
      const path = `/export/collections/${fixture.collectionId}.csv`;
      assert.equal((await get(path, null)).status, 401);
      assert.equal((await get(path, "not-a-valid-token-000000")).status, 401);
      const missing = await get("/export/collections/00000000-0000-4000-8000-000000000000.csv");
      assert.equal(missing.status, 404);
      const post = await fetch(`${app.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.viewer}` },
      });
      assert.equal(post.status, 405);
    });
  });
}
