import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { Database } from "../../src/db/database.ts";
import { createTestApi, tokens, type TestApi } from "../graphql/support.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { createCollection, storeWeekResult, type CollectionFixture } from "./fixtures.ts";

const collectionQuery = /* GraphQL */ `
  query (
    $id: ID!
    $metric: String!
    $groupBy: String
    $periodA: WeekPeriod!
    $periodB: WeekPeriod!
  ) {
    collection(id: $id) {
      columns {
        name
        type
        weekCount
        isDimension
      }
      trend(metric: $metric, groupBy: $groupBy, top: 1) {
        trend {
          metric
          aggregate
          series {
            key
            isOther
            total
            points {
              weekStart
              isoWeek
              value
              partial
              status
            }
          }
        }
        userErrors {
          field
          message
          code
        }
      }
      compare(metric: $metric, periodA: $periodA, periodB: $periodB) {
        comparison {
          periodA {
            value
          }
          periodB {
            value
            weekCount
            weeksWithResult
          }
          absoluteChange
          percentChange
        }
        userErrors {
          field
          message
        }
      }
    }
  }
`;

// Periods go in as variables: Date literals written inside the query text are rejected by the
// Date scalar's literal parser at the time of writing.
const periods = {
  periodA: { from: "2024-01-01", to: "2024-01-01" },
  periodB: { from: "2024-01-08", to: "2024-01-15" },
};

for (const backend of backends) {
  describe(`trend GraphQL fields on ${backend}`, () => {
    let db: Database;
    let api: TestApi;
    let fixture: CollectionFixture;
    let sibling: CollectionFixture;
    const globalId = (fixtureOf: CollectionFixture) =>
      encodeGlobalID("Collection", fixtureOf.collectionId);

    before(async () => {
      db = await createTestDatabase(backend);
      api = await createTestApi(db);
      fixture = await createCollection(db, { weekCount: 3 });
      await storeWeekResult(db, fixture, 0, ["campaign,clicks\nA,1\nB,2\nA,3\n"]);
      await storeWeekResult(db, fixture, 2, ["campaign,clicks\nB,10\n"]);
      sibling = await createCollection(db, { weekCount: 1, workflowId: fixture.workflowId });
      await storeWeekResult(db, sibling, 0, ["campaign,clicks\nC,100\n"]);
    });
    after(async () => {
      await api?.close();
      await db?.close();
    });

    test("collection columns, trend and compare", async () => {
      const response = await api.execute(
        collectionQuery,
        { id: globalId(fixture), metric: "clicks", groupBy: "campaign", ...periods },
        tokens.viewer,
      );
      assert.equal(response.errors, undefined);
      const collection = response.data!.collection;
      assert.deepEqual(collection.columns, [
        { name: "campaign", type: "STRING", weekCount: 2, isDimension: true },
        { name: "clicks", type: "INTEGER", weekCount: 2, isDimension: false },
      ]);

      const { trend, userErrors } = collection.trend;
      assert.deepEqual(userErrors, []);
      assert.equal(trend.aggregate, "SUM");
      assert.deepEqual(
        trend.series.map((series: any) => [series.key, series.isOther, series.total]),
        [
          ["B", false, 12],
          [null, true, 4],
        ],
      );
      assert.deepEqual(trend.series[0].points[1], {
        weekStart: "2024-01-08",
        isoWeek: "2024-W02",
        value: null,
        partial: false,
        status: "PENDING",
      });
      assert.deepEqual(
        trend.series[0].points.map((point: any) => point.value),
        [2, null, 10],
      );

      const { comparison } = collection.compare;
      assert.equal(comparison.periodA.value, 6);
      assert.equal(comparison.periodB.value, 10);
      assert.equal(comparison.periodB.weekCount, 2);
      assert.equal(comparison.periodB.weeksWithResult, 1);
      assert.equal(comparison.absoluteChange, 4);
      assert.ok(Math.abs(comparison.percentChange - 200 / 3) < 1e-9);
    });

    test("unknown metric gives userError", async () => {
      const response = await api.execute(collectionQuery, {
        id: globalId(fixture),
        metric: "spend",
        ...periods,
      });
      assert.equal(response.errors, undefined);
      const { trend, userErrors } = response.data!.collection.trend;
      assert.equal(trend, null);
      assert.equal(userErrors.length, 1);
      assert.deepEqual(userErrors[0].field, ["metric"]);
      assert.equal(userErrors[0].code, "UNKNOWN_COLUMN");
      assert.match(userErrors[0].message, /Unknown metric "spend"/);
      assert.match(userErrors[0].message, /campaign \(string\), clicks \(integer\)/);
      assert.equal(response.data!.collection.compare.comparison, null);
    });

    test("query trend over collections", async () => {
      const response = await api.execute(
        `query ($ids: [ID!]!) {
          trend(collectionIds: $ids, metric: "clicks", aggregate: MAX) {
            trend { series { points { value } } }
            userErrors { message }
          }
          resultColumns(collectionIds: $ids) { name weekCount }
        }`,
        { ids: [globalId(fixture), globalId(sibling)] },
      );
      assert.equal(response.errors, undefined);
      assert.deepEqual(response.data!.trend.userErrors, []);
      assert.deepEqual(
        response.data!.trend.trend.series[0].points.map((point: any) => point.value),
        [100, null, 10],
      );
      assert.deepEqual(response.data!.resultColumns, [
        { name: "campaign", weekCount: 3 },
        { name: "clicks", weekCount: 3 },
      ]);
    });

    test("query trend rejects bad ids", async () => {
      const response = await api.execute(
        `query ($ids: [ID!]!) {
          trend(collectionIds: $ids, metric: "clicks") { trend { metric } userErrors { field message } }
        }`,
        { ids: [encodeGlobalID("Week", fixture.weeks[0]!.id)] },
      );
      assert.deepEqual(response.data!.trend.userErrors[0].field, ["collectionIds"]);
      assert.match(response.data!.trend.userErrors[0].message, /not found/);
    });

    test("week result pages rows", async () => {
      const query = `query ($id: ID!, $after: String) {
        week(id: $id) {
          result(first: 2, after: $after) {
            columns { name type }
            totalCount
            rowsPurged
            rows { rowNumber values }
            hasNextPage
            endCursor
          }
        }
      }`;
      const id = encodeGlobalID("Week", fixture.weeks[0]!.id);
      const first = await api.execute(query, { id });
      assert.equal(first.errors, undefined);
      const page = first.data!.week.result;
      assert.deepEqual(page.columns, [
        { name: "campaign", type: "STRING" },
        { name: "clicks", type: "INTEGER" },
      ]);
      assert.equal(page.totalCount, 3);
      assert.deepEqual(page.rows, [
        { rowNumber: 1, values: ["A", 1] },
        { rowNumber: 2, values: ["B", 2] },
      ]);
      assert.equal(page.hasNextPage, true);
      const second = await api.execute(query, { id, after: page.endCursor });
      assert.deepEqual(second.data!.week.result.rows, [{ rowNumber: 3, values: ["A", 3] }]);
      assert.equal(second.data!.week.result.hasNextPage, false);

      const empty = await api.execute(query, { id: encodeGlobalID("Week", fixture.weeks[1]!.id) });
      assert.equal(empty.data!.week.result, null);
    });
  });
}
