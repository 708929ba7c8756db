import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { Database } from "../../src/db/database.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { seedCollection, seedSetup } from "./seed.ts";
import { createCountingPrisma, createTestApi, tokens, type TestApi } from "./support.ts";

// Every Query field, run in process through yoga.fetch on both database backends.

for (const backend of backends) {
  describe(`queries on ${backend}`, () => {
    let database: Database;
    let api: TestApi;
    let setup: Awaited<ReturnType<typeof seedSetup>>;
    let first: Awaited<ReturnType<typeof seedCollection>>;
    let second: Awaited<ReturnType<typeof seedCollection>>;

    before(async () => {
      database = await createTestDatabase(backend);
      api = await createTestApi(database);
      setup = await seedSetup(database);
      first = await seedCollection(database, setup, {
        name: "Brand reach",
        statuses: ["SUCCESS", "FAILED", "PENDING", "RUNNING"],
      });
      second = await seedCollection(database, setup, { name: "Path to purchase", weekCount: 2 });
      await database.prisma.collection.update({
        where: { id: second.collection.id },
        data: { status: "PAUSED" },
      });
      const execution = await database.prisma.execution.create({
        data: {
          weekId: first.weeks[1]!.id,
          attempt: 1,
          amcExecutionId: "exec-1",
          status: "FAILED",
          statusReason: "Query timed out",
          sql: "SELECT 1",
          timeWindowStart: "2025-01-13T00:00:00",
          timeWindowEnd: "2025-01-20T00:00:00",
          timeWindowTimeZone: "UTC",
        },
      });
      await database.prisma.executionEvent.createMany({
        data: [
          {
            executionId: execution.id,
            kind: "SUBMITTED",
            message: "Submitted",
            at: new Date(1000),
          },
          { executionId: execution.id, kind: "STATUS", message: "FAILED", at: new Date(2000) },
        ],
      });
    });

    after(async () => {
      await api.close();
      await database.close();
    });

    test("collections lists newest first with totalCount", async () => {
      const response = await api.execute(
        `{ collections(first: 10) { totalCount edges { node { name status } } } }`,
      );
      assert.equal(response.errors, undefined);
      assert.equal(response.data!.collections.totalCount, 2);
      assert.deepEqual(
        response.data!.collections.edges.map((edge: any) => edge.node.name),
        ["Path to purchase", "Brand reach"],
      );
    });

    test("collections filters by status, instance and search", async () => {
      const query = `query ($status: CollectionStatus, $instanceId: ID, $search: String) {
        collections(status: $status, instanceId: $instanceId, search: $search) {
          totalCount edges { node { name } }
        }
      }`;
      const paused = await api.execute(query, { status: "PAUSED" });
      assert.deepEqual(paused.data!.collections.edges, [{ node: { name: "Path to purchase" } }]);
      const searched = await api.execute(query, { search: "bRaNd" });
      assert.deepEqual(searched.data!.collections.edges, [{ node: { name: "Brand reach" } }]);
      const onInstance = await api.execute(query, {
        instanceId: encodeGlobalID("Instance", setup.instance.id),
      });
      assert.equal(onInstance.data!.collections.totalCount, 2);
      const otherInstance = await api.execute(query, { instanceId: "not-a-global-id" });
      assert.equal(otherInstance.data!.collections.totalCount, 0);
    });

    test("collections pages forward and backward", async () => {
      const page = `query ($first: Int, $after: String, $last: Int, $before: String) {
        collections(first: $first, after: $after, last: $last, before: $before) {
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { name } }
        }
      }`;
      const one = await api.execute(page, { first: 1 });
      assert.equal(one.data!.collections.pageInfo.hasNextPage, true);
      const two = await api.execute(page, {
        first: 1,
        after: one.data!.collections.pageInfo.endCursor,
      });
      assert.deepEqual(
        two.data!.collections.edges.map((edge: any) => edge.node.name),
        ["Brand reach"],
      );
      assert.equal(two.data!.collections.pageInfo.hasNextPage, false);
      const back = await api.execute(page, {
        last: 1,
        before: two.data!.collections.pageInfo.startCursor,
      });
      assert.deepEqual(
        back.data!.collections.edges.map((edge: any) => edge.node.name),
        ["Path to purchase"],
      );
    });

    test("bad paging arguments return BAD_USER_INPUT", async () => {
      for (const args of [`first: -1`, `after: "garbage"`]) {
        const response = await api.execute(`{ collections(${args}) { totalCount } }`);
        assert.equal(response.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", args);
      }
      const clamped = await api.execute(`{ collections(first: 1000) { edges { cursor } } }`);
      assert.equal(clamped.errors, undefined);
    });

    test("collection returns fields, progress and weeks", async () => {
      const response = await api.execute(
        `query ($id: ID!) { collection(id: $id) {
          id name status mode startDate endDate timezone parameters version createdAt
          workflow { name sql version parameters { name type default required passAs } }
          instance { name amcInstanceId maxConcurrentExecutions account { name region } }
          progress { total pending running succeeded failed skipped cancelled percent }
          averageWeekDurationMs
          failed: weeks(status: FAILED) { totalCount edges { node { isoWeek status } } }
          weeks(first: 2) { totalCount pageInfo { hasNextPage } edges { node { startDate endDate isoWeek partial } } }
        } }`,
        { id: encodeGlobalID("Collection", first.collection.id) },
      );
      assert.equal(response.errors, undefined);
      const collection = response.data!.collection;
      assert.equal(collection.name, "Brand reach");
      assert.equal(collection.startDate, "2025-01-06");
      assert.equal(collection.endDate, "2025-02-02");
      assert.deepEqual(collection.parameters, { minimum: 1 });
      assert.deepEqual(collection.progress, {
        total: 4,
        pending: 1,
        running: 1,
        succeeded: 1,
        failed: 1,
        skipped: 0,
        cancelled: 0,
        percent: 50,
      });
      assert.equal(collection.averageWeekDurationMs, 1000);
      assert.deepEqual(collection.failed, {
        totalCount: 1,
        edges: [{ node: { isoWeek: "2025-W03", status: "FAILED" } }],
      });
      assert.equal(collection.weeks.totalCount, 4);
      assert.equal(collection.weeks.pageInfo.hasNextPage, true);
      assert.deepEqual(collection.weeks.edges[0].node, {
        startDate: "2025-01-06",
        endDate: "2025-01-12",
        isoWeek: "2025-W02",
        partial: false,
      });
      assert.deepEqual(collection.workflow.parameters, [
        { name: "minimum", type: "INTEGER", default: 0, required: false, passAs: "TEMPLATE" },
      ]);
      assert.equal(collection.instance.account.region, "NA");
    });

    test("collection returns null for unknown ids", async () => {
      const query = `query ($id: ID!) { collection(id: $id) { id } }`;
      for (const id of [
        encodeGlobalID("Collection", "00000000-0000-4000-8000-000000000000"),
        encodeGlobalID("Week", first.collection.id),
        "garbage",
      ]) {
        const response = await api.execute(query, { id });
        assert.equal(response.errors, undefined, `errors for ${id}`);
        assert.equal(response.data!.collection, null, `collection for ${id}`);
      }
    });

    test("week returns executions and timeline", async () => {
      const response = await api.execute(
        `query ($id: ID!) { week(id: $id) {
          isoWeek status attempts errorMessage version durationMs rowCount startedAt finishedAt
          collection { name }
          executions { attempt amcExecutionId status statusReason sql timeWindowStart timeWindowEnd
            timeline { time kind message } }
        } }`,
        { id: encodeGlobalID("Week", first.weeks[1]!.id) },
      );
      assert.equal(response.errors, undefined);
      const week = response.data!.week;
      assert.equal(week.collection.name, "Brand reach");
      assert.equal(week.executions.length, 1);
      assert.equal(week.executions[0].statusReason, "Query timed out");
      assert.deepEqual(week.executions[0].timeline, [
        { time: "1970-01-01T00:00:01.000Z", kind: "SUBMITTED", message: "Submitted" },
        { time: "1970-01-01T00:00:02.000Z", kind: "STATUS", message: "FAILED" },
      ]);
    });

    test("execution and node resolve global ids", async () => {
      const execution = await database.prisma.execution.findFirstOrThrow();
      const id = encodeGlobalID("Execution", execution.id);
      const response = await api.execute(
        `query ($id: ID!) {
          execution(id: $id) { id attempt status week { isoWeek } }
          node(id: $id) { id ... on Execution { amcExecutionId } }
        }`,
        { id },
      );
      assert.equal(response.errors, undefined);
      assert.equal(response.data!.execution.id, id);
      assert.equal(response.data!.execution.week.isoWeek, "2025-W03");
      assert.equal(response.data!.node.amcExecutionId, "exec-1");
    });

    test("workflows, instances and accounts list", async () => {
      const response = await api.execute(`{
        workflows { totalCount edges { node { name } } }
        instances { totalCount edges { node { name account { name } } } }
        accounts { totalCount edges { node { name entityId marketplaceId apiBaseUrl instances { name } } } }
      }`);
      assert.equal(response.errors, undefined);
      assert.equal(response.data!.workflows.totalCount, 1);
      const account = await database.prisma.account.findUniqueOrThrow({
        where: { id: setup.instance.accountId },
      });
      assert.equal(response.data!.instances.edges[0].node.account.name, account.name);
      assert.equal(response.data!.accounts.edges[0].node.instances.length, 1);
    });

    test("accounts never return credentials", async () => {
      const response = await api.execute(`{ accounts { edges { node { credentials } } } }`);
      assert.match(response.errors?.[0]?.message ?? "", /Cannot query field "credentials"/);
      const everything = await api.execute(`{ accounts { edges { node { id name tokenUrl } } } }`);
      assert.doesNotMatch(JSON.stringify(everything), /ciphertext-that-must-never-be-readable/);
    });

    test("previewWeeks plans clamped weeks", async () => {
      const response = await api.execute(
        `{ previewWeeks(startDate: "2025-01-08", endDate: "2025-01-20", timezone: "America/New_York") {
          startDate endDate isoWeek partial dataReadyAt } }`,
      );
      assert.equal(response.errors, undefined);
      assert.deepEqual(
        response.data!.previewWeeks.map((week: any) => [
          week.startDate,
          week.endDate,
          week.partial,
        ]),
        [
          ["2025-01-08", "2025-01-12", true],
          ["2025-01-13", "2025-01-19", false],
          ["2025-01-20", "2025-01-20", true],
        ],
      );
      assert.equal(response.data!.previewWeeks[0].dataReadyAt, "2025-01-15T05:00:00.000Z");
    });

    test("previewWeeks rejects bad ranges", async () => {
      const cases = [
        `{ previewWeeks(startDate: "2025-02-01", endDate: "2025-01-01") { isoWeek } }`,
        `{ previewWeeks(startDate: "2025-01-01", endDate: "2025-02-01", timezone: "Mars/Base") { isoWeek } }`,
        `{ previewWeeks(startDate: "2000-01-01", endDate: "2025-02-01") { isoWeek } }`,
      ];
      for (const query of cases) {
        const response = await api.execute(query);
        assert.equal(response.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", query);
      }
      const invalidDate = await api.execute(
        `{ previewWeeks(startDate: "2025-02-30", endDate: "2025-03-01") { isoWeek } }`,
      );
      assert.ok(invalidDate.errors?.length, "2025-02-30 must be rejected");
    });

    test("invalid Date names value and format", async () => {
      const literal = (value: string) =>
        `{ previewWeeks(startDate: ${value}, endDate: "2025-03-01") { isoWeek } }`;
      const variable = `query ($day: Date!) { previewWeeks(startDate: $day, endDate: "2025-03-01") { isoWeek } }`;
      const cases: { query: string; variables?: Record<string, unknown>; shown: string }[] = [
        { query: literal('"2025-02-30"'), shown: '"2025-02-30"' },
        { query: literal('"06/01/2025"'), shown: '"06/01/2025"' },
        { query: literal("20250106"), shown: "20250106" },
        { query: variable, variables: { day: "2025-1-6" }, shown: '"2025-1-6"' },
        { query: variable, variables: { day: "2025-02-30" }, shown: '"2025-02-30"' },
      ];
      for (const { query, variables, shown } of cases) {
        const response = await api.execute(query, variables);
        const error = response.errors?.[0];
        assert.equal(response.errors?.length, 1, `${shown}: ${JSON.stringify(response.errors)}`);
        assert.equal(error?.extensions?.code, "BAD_USER_INPUT", shown);
        assert.ok(error?.message.includes(`Invalid Date ${shown}`), error?.message);
        assert.ok(error?.message.includes("YYYY-MM-DD"), error?.message);
      }
    });

    test("operatorMetrics groups failures", async () => {
      const response = await api.execute(`{ operatorMetrics {
        failuresByReason { reason count }
        failuresByInstance { instance { name } count }
        failuresByWeek { startDate endDate isoWeek count }
        amcApiStats { amcInstanceId requestCount }
      } }`);
      assert.equal(response.errors, undefined);
      const metrics = response.data!.operatorMetrics;
      assert.deepEqual(metrics.failuresByReason, [{ reason: "Query timed out", count: 1 }]);
      assert.deepEqual(metrics.failuresByInstance, [
        { instance: { name: setup.instance.name }, count: 1 },
      ]);
      assert.deepEqual(metrics.failuresByWeek, [
        { startDate: "2025-01-13", endDate: "2025-01-19", isoWeek: "2025-W03", count: 1 },
      ]);
      const other = await api.execute(
        `query ($id: ID) { operatorMetrics(collectionId: $id) { failuresByReason { count } } }`,
        { id: encodeGlobalID("Collection", second.collection.id) },
      );
      assert.deepEqual(other.data!.operatorMetrics.failuresByReason, []);
    });

    test("viewer reports the token's role", async () => {
      const response = await api.execute(`{ viewer { role openAccess } }`, {}, tokens.viewer);
      assert.deepEqual(response.data!.viewer, { role: "VIEWER", openAccess: false });
    });

    test("collections page costs constant statements", async () => {
      for (let index = 0; index < 8; index += 1) {
        await seedCollection(database, setup, { weekCount: 3 });
      }
      const counting = createCountingPrisma(database);
      const countingApi = await createTestApi(database, { services: { prisma: counting.prisma } });
      const query = `query ($first: Int) { collections(first: $first) { totalCount edges { node {
        name progress { total percent } averageWeekDurationMs
        workflow { name } instance { name account { name } }
        weeks(first: 10) { totalCount edges { node { isoWeek status executions { status timeline { kind } } } } }
      } } } }`;
      const small = await countingApi.execute(query, { first: 2 });
      assert.equal(small.errors, undefined);
      const smallCount = counting.statements.length;
      counting.statements.length = 0;
      const large = await countingApi.execute(query, { first: 10 });
      assert.equal(large.errors, undefined);
      assert.equal(large.data!.collections.edges.length, 10);
      assert.equal(
        counting.statements.length,
        smallCount,
        `statements for 10 collections:\n${counting.statements.join("\n")}`,
      );
      assert.ok(smallCount <= 12, `expected at most 12 statements, got ${smallCount}`);
      await countingApi.close();
      await counting.prisma.$disconnect();
    });
  });
}
