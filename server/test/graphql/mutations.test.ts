import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { Database } from "../../src/db/database.ts";
import type { Execution } from "../../src/generated/prisma/client.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { createTestApi, tokens, type TestApi } from "./support.ts";

// Every mutation through yoga.fetch: the happy path, userErrors for bad input with nothing
// stored, and NOT_FOUND for unknown ids.

const credentials = {
  clientId: "client-id",
  clientSecret: "client-secret-value",
  refreshToken: "refresh-token-value",
};

/** Monday about three months before now, so the range is within AMC's retention and past. */
function recentMonday(weeksAgo: number): string {
  const date = new Date(Date.now() - weeksAgo * 7 * 86_400_000);
  const day = date.getUTCDay();
  date.setUTCDate(date.getUTCDate() - ((day + 6) % 7));
  return date.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const createCollectionMutation = `mutation ($input: CreateCollectionInput!) {
  createCollection(input: $input) {
    collection { id name status startDate endDate timezone parameters progress { total } weeks { totalCount } }
    userErrors { field message code }
  }
}`;

for (const backend of backends) {
  describe(`mutations on ${backend}`, () => {
    let database: Database;
    let api: TestApi;
    const cancelled: Execution[][] = [];
    let accountId: string;
    let instanceId: string;
    let workflowId: string;
    const startDate = recentMonday(12);
    const endDate = addDays(startDate, 27);

    before(async () => {
      database = await createTestDatabase(backend);
      api = await createTestApi(database, {
        services: {
          cancelAmcExecutions: async (executions) => {
            cancelled.push(executions);
          },
        },
      });
    });

    after(async () => {
      await api.close();
      await database.close();
    });

    test("createAccount stores encrypted credentials", async () => {
      const response = await api.execute(
        `mutation ($input: CreateAccountInput!) { createAccount(input: $input) {
          account { id name region apiBaseUrl } userErrors { field code } } }`,
        {
          input: {
            name: "Acme US",
            region: "NA",
            entityId: "ENTITYACME",
            marketplaceId: "ATVPDKIKX0DER",
            credentials,
          },
        },
      );
      assert.equal(response.errors, undefined);
      assert.deepEqual(response.data!.createAccount.userErrors, []);
      accountId = response.data!.createAccount.account.id;
      assert.equal(
        response.data!.createAccount.account.apiBaseUrl,
        "https://advertising-api.amazon.com",
      );
      const stored = await database.prisma.account.findFirstOrThrow();
      assert.doesNotMatch(stored.credentials, /client-secret-value/);
    });

    test("createAccount rejects invalid input", async () => {
      const response = await api.execute(
        `mutation ($input: CreateAccountInput!) { createAccount(input: $input) {
          account { id } userErrors { field message code } } }`,
        {
          input: {
            name: " ",
            region: "EU",
            entityId: "ENTITYX",
            marketplaceId: "A1PA6795UKMFR9",
            credentials: { ...credentials, clientSecret: "" },
          },
        },
      );
      const payload = response.data!.createAccount;
      assert.equal(payload.account, null);
      const fields = payload.userErrors.map((error: any) => error.field.join("."));
      assert.ok(fields.includes("input.name"), fields.join(", "));
      assert.ok(fields.includes("input.credentials.clientSecret"), fields.join(", "));
      assert.equal(await database.prisma.account.count(), 1);
    });

    test("updateAccount changes fields", async () => {
      const response = await api.execute(
        `mutation ($id: ID!, $input: UpdateAccountInput!) { updateAccount(id: $id, input: $input) {
          account { name } userErrors { code } } }`,
        {
          id: accountId,
          input: { name: "Acme United States", credentials: { refreshToken: "new-refresh" } },
        },
      );
      assert.deepEqual(response.data!.updateAccount, {
        account: { name: "Acme United States" },
        userErrors: [],
      });
      const missing = await api.execute(
        `mutation ($id: ID!) { updateAccount(id: $id, input: {name: "x"}) { account { id } userErrors { field code } } }`,
        { id: encodeGlobalID("Account", "00000000-0000-4000-8000-000000000000") },
      );
      assert.deepEqual(missing.data!.updateAccount.userErrors, [
        { field: ["id"], code: "NOT_FOUND" },
      ]);
    });

    test("createInstance and updateInstance", async () => {
      const created = await api.execute(
        `mutation ($input: CreateInstanceInput!) { createInstance(input: $input) {
          instance { id name amcInstanceId maxConcurrentExecutions account { name } } userErrors { code } } }`,
        { input: { accountId, amcInstanceId: "amcacme01", name: "Acme AMC" } },
      );
      assert.deepEqual(created.data!.createInstance.userErrors, []);
      instanceId = created.data!.createInstance.instance.id;
      assert.equal(created.data!.createInstance.instance.maxConcurrentExecutions, 10);
      const updated = await api.execute(
        `mutation ($id: ID!) { updateInstance(id: $id, input: {maxConcurrentExecutions: 4}) {
          instance { maxConcurrentExecutions } userErrors { code } } }`,
        { id: instanceId },
      );
      assert.equal(updated.data!.updateInstance.instance.maxConcurrentExecutions, 4);
      const invalid = await api.execute(
        `mutation ($input: CreateInstanceInput!) { createInstance(input: $input) {
          instance { id } userErrors { field code } } }`,
        { input: { accountId, amcInstanceId: "bad id/..", name: "Bad" } },
      );
      assert.equal(invalid.data!.createInstance.instance, null);
      assert.deepEqual(invalid.data!.createInstance.userErrors[0].field, [
        "input",
        "amcInstanceId",
      ]);
      assert.equal(await database.prisma.instance.count(), 1);
    });

    test("createWorkflow and updateWorkflow", async () => {
      const created = await api.execute(
        `mutation ($input: CreateWorkflowInput!) { createWorkflow(input: $input) {
          workflow { id name version parameters { name type default required } } userErrors { field code } } }`,
        {
          input: {
            name: "Weekly reach",
            sql: "SELECT COUNT(*) AS n FROM t WHERE d >= '{{start_date}}' AND d <= '{{end_date}}' AND x > {{minimum}}",
            parameters: [{ name: "minimum", type: "INTEGER", default: "0" }],
          },
        },
      );
      assert.deepEqual(created.data!.createWorkflow.userErrors, []);
      workflowId = created.data!.createWorkflow.workflow.id;
      assert.equal(created.data!.createWorkflow.workflow.version, 1);
      const renamed = await api.execute(
        `mutation ($id: ID!) { updateWorkflow(id: $id, input: {description: "Reach per week"}) {
          workflow { version description } userErrors { code } } }`,
        { id: workflowId },
      );
      assert.deepEqual(renamed.data!.updateWorkflow.workflow, {
        version: 1,
        description: "Reach per week",
      });
      const invalid = await api.execute(
        `mutation ($id: ID!) { updateWorkflow(id: $id, input: {sql: "SELECT {{nope}}"}) {
          workflow { version } userErrors { field code } } }`,
        { id: workflowId },
      );
      assert.equal(invalid.data!.updateWorkflow.workflow, null);
      assert.equal(invalid.data!.updateWorkflow.userErrors[0].field[1], "sql");
      const blank = await api.execute(
        `mutation { createWorkflow(input: {name: "Blank", sql: " "}) {
          workflow { id } userErrors { field message } } }`,
      );
      assert.deepEqual(blank.data!.createWorkflow.userErrors[0].field, ["input", "sql"]);
      assert.match(blank.data!.createWorkflow.userErrors[0].message, /^sql is missing/);
      const stored = await database.prisma.workflow.findUniqueOrThrow({
        where: { name: "Weekly reach" },
      });
      assert.equal(stored.version, 1);
      assert.match(stored.sqlTemplate, /minimum/);
    });

    test("createCollection plans weeks", async () => {
      const response = await api.execute(createCollectionMutation, {
        input: {
          name: "Reach Q3",
          workflowId,
          instanceId,
          startDate,
          endDate,
          parameters: { minimum: "5" },
          idempotencyKey: `reach-q3-${backend}`,
        },
      });
      assert.equal(response.errors, undefined);
      const payload = response.data!.createCollection;
      assert.deepEqual(payload.userErrors, []);
      assert.equal(payload.collection.status, "ACTIVE");
      assert.equal(payload.collection.startDate, startDate);
      assert.equal(payload.collection.weeks.totalCount, 4);
      assert.equal(payload.collection.progress.total, 4);
      const repeated = await api.execute(createCollectionMutation, {
        input: {
          name: "Reach Q3",
          workflowId,
          instanceId,
          startDate,
          endDate,
          parameters: { minimum: "5" },
          idempotencyKey: `reach-q3-${backend}`,
        },
      });
      assert.equal(repeated.data!.createCollection.collection.id, payload.collection.id);
    });

    test("createCollection rejects bad input, storing nothing", async () => {
      const before = await database.prisma.collection.count();
      const response = await api.execute(createCollectionMutation, {
        input: {
          name: "",
          workflowId: "not-an-id",
          instanceId,
          startDate: endDate,
          endDate: startDate,
          timezone: "Nowhere/Special",
        },
      });
      assert.equal(response.errors, undefined);
      const payload = response.data!.createCollection;
      assert.equal(payload.collection, null);
      const fields = payload.userErrors.map((error: any) => error.field.join("."));
      for (const field of ["input.name", "input.workflowId", "input.timezone"]) {
        assert.ok(fields.includes(field), `${field} missing from ${fields.join(", ")}`);
      }
      assert.ok(payload.userErrors.every((error: any) => error.message.length > 0));
      assert.equal(await database.prisma.collection.count(), before);
      const reused = await api.execute(createCollectionMutation, {
        input: {
          name: "Other",
          workflowId,
          instanceId,
          startDate,
          endDate,
          idempotencyKey: `reach-q3-${backend}`,
        },
      });
      assert.equal(reused.data!.createCollection.userErrors[0].code, "IDEMPOTENCY_KEY_REUSED");
    });

    test("pause, resume and cancel a collection", async () => {
      const collection = await database.prisma.collection.findFirstOrThrow();
      const id = encodeGlobalID("Collection", collection.id);
      const run = (name: string) =>
        api.execute(
          `mutation ($id: ID!) { ${name}(id: $id) { collection { status version } userErrors { field code message } } }`,
          { id },
        );
      const paused = await run("pauseCollection");
      assert.equal(paused.data!.pauseCollection.collection.status, "PAUSED");
      assert.ok(paused.data!.pauseCollection.collection.version > collection.version);
      const pausedAgain = await run("pauseCollection");
      assert.equal(pausedAgain.data!.pauseCollection.collection, null);
      assert.equal(pausedAgain.data!.pauseCollection.userErrors[0].code, "ILLEGAL_TRANSITION");
      // Messages name objects by the global ids clients use, not by database ids.
      const message: string = pausedAgain.data!.pauseCollection.userErrors[0].message;
      assert.ok(message.includes(id), message);
      assert.ok(!message.includes(collection.id), message);
      const resumed = await run("resumeCollection");
      assert.equal(resumed.data!.resumeCollection.collection.status, "ACTIVE");
      const cancelledPayload = await run("cancelCollection");
      assert.equal(cancelledPayload.data!.cancelCollection.collection.status, "CANCELLED");
      const weeks = await database.prisma.week.findMany({ where: { collectionId: collection.id } });
      assert.ok(weeks.every((week) => week.status === "CANCELLED"));
      const unknown = await api.execute(
        `mutation { pauseCollection(id: "nope") { collection { id } userErrors { field code } } }`,
      );
      assert.deepEqual(unknown.data!.pauseCollection.userErrors, [
        { field: ["id"], code: "NOT_FOUND" },
      ]);
    });

    test("retryWeek, skipWeek and retryFailedWeeks", async () => {
      const collection = await database.prisma.collection.findFirstOrThrow();
      const [a, b, c] = await database.prisma.week.findMany({
        where: { collectionId: collection.id },
        orderBy: { startDate: "asc" },
      });
      const retried = await api.execute(
        `mutation ($id: ID!) { retryWeek(id: $id) { week { status } userErrors { code } } }`,
        { id: encodeGlobalID("Week", a!.id) },
      );
      assert.deepEqual(retried.data!.retryWeek, { week: { status: "PENDING" }, userErrors: [] });
      const skipped = await api.execute(
        `mutation ($id: ID!) { skipWeek(id: $id) { week { status } userErrors { code } } }`,
        { id: encodeGlobalID("Week", a!.id) },
      );
      assert.equal(skipped.data!.skipWeek.week.status, "SKIPPED");
      await database.prisma.week.updateMany({
        where: { id: { in: [b!.id, c!.id] } },
        data: { status: "FAILED" },
      });
      const all = await api.execute(
        `mutation ($id: ID!) { retryFailedWeeks(collectionId: $id) { retriedCount collection { status } userErrors { code } } }`,
        { id: encodeGlobalID("Collection", collection.id) },
      );
      assert.equal(all.data!.retryFailedWeeks.retriedCount, 2);
      await database.prisma.week.update({ where: { id: b!.id }, data: { status: "SUCCESS" } });
      const withoutForce = await api.execute(
        `mutation ($id: ID!) { retryWeek(id: $id) { week { status } userErrors { code message } } }`,
        { id: encodeGlobalID("Week", b!.id) },
      );
      assert.equal(withoutForce.data!.retryWeek.week, null);
      assert.equal(withoutForce.data!.retryWeek.userErrors[0].code, "ILLEGAL_TRANSITION");
      const forced = await api.execute(
        `mutation ($id: ID!) { retryWeek(id: $id, force: true) { week { status } userErrors { code } } }`,
        { id: encodeGlobalID("Week", b!.id) },
      );
      assert.equal(forced.data!.retryWeek.week.status, "PENDING");
    });

    test("deleteCollection cancels in-flight executions first", async () => {
      const collection = await database.prisma.collection.findFirstOrThrow();
      const week = await database.prisma.week.findFirstOrThrow({
        where: { collectionId: collection.id },
      });
      await database.prisma.execution.create({
        data: {
          weekId: week.id,
          attempt: 9,
          amcExecutionId: "amc-running-1",
          status: "RUNNING",
          sql: "SELECT 1",
          timeWindowStart: "2025-01-06T00:00:00",
          timeWindowEnd: "2025-01-13T00:00:00",
          timeWindowTimeZone: "UTC",
        },
      });
      const id = encodeGlobalID("Collection", collection.id);
      const response = await api.execute(
        `mutation ($id: ID!) { deleteCollection(id: $id) { deletedCollectionId userErrors { code } } }`,
        { id },
      );
      assert.deepEqual(response.data!.deleteCollection, {
        deletedCollectionId: id,
        userErrors: [],
      });
      assert.deepEqual(
        cancelled.at(-1)?.map((execution) => execution.amcExecutionId),
        ["amc-running-1"],
      );
      assert.equal(await database.prisma.collection.count({ where: { id: collection.id } }), 0);
      const again = await api.execute(
        `mutation ($id: ID!) { deleteCollection(id: $id) { deletedCollectionId userErrors { field code } } }`,
        { id },
      );
      assert.deepEqual(again.data!.deleteCollection, {
        deletedCollectionId: null,
        userErrors: [{ field: ["id"], code: "NOT_FOUND" }],
      });
    });

    test("createApiToken returns a usable token once", async () => {
      const response = await api.execute(
        `mutation { createApiToken(input: {name: "ci", role: OPERATOR}) {
          token apiToken { id name role prefix } userErrors { code } } }`,
      );
      const payload = response.data!.createApiToken;
      assert.match(payload.token, /^amc_/);
      assert.equal(payload.apiToken.role, "OPERATOR");
      assert.ok(payload.token.startsWith(payload.apiToken.prefix));
      const viewer = await api.execute(`{ viewer { role tokenName } }`, {}, payload.token);
      assert.deepEqual(viewer.data!.viewer, { role: "OPERATOR", tokenName: "ci" });
      const listed = await api.execute(
        `{ apiTokens { totalCount edges { node { name lastUsedAt } } } }`,
      );
      assert.equal(listed.data!.apiTokens.totalCount, 1);
      const revoked = await api.execute(
        `mutation ($id: ID!) { revokeApiToken(id: $id) { apiToken { revokedAt } userErrors { code } } }`,
        { id: payload.apiToken.id },
      );
      assert.ok(revoked.data!.revokeApiToken.apiToken.revokedAt);
      const rejected = await api.execute(`{ viewer { role } }`, {}, payload.token);
      assert.equal(rejected.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
      const blank = await api.execute(
        `mutation { createApiToken(input: {name: "  ", role: VIEWER}) { token userErrors { field code } } }`,
      );
      assert.deepEqual(blank.data!.createApiToken, {
        token: null,
        userErrors: [{ field: ["input", "name"], code: "INVALID" }],
      });
    });

    test("deleteInstance and deleteAccount refuse while in use", async () => {
      const deleteInstance = `mutation ($id: ID!) { deleteInstance(id: $id) {
        deletedInstanceId userErrors { field code } } }`;
      const deleteAccount = `mutation ($id: ID!) { deleteAccount(id: $id) {
        deletedAccountId userErrors { field code } } }`;
      const created = await api.execute(createCollectionMutation, {
        input: {
          name: "Keeps the instance",
          workflowId,
          instanceId,
          startDate,
          endDate,
          parameters: { minimum: "5" },
        },
      });
      assert.deepEqual(created.data!.createCollection.userErrors, []);

      const accountInUse = await api.execute(
        `mutation ($id: ID!) { deleteAccount(id: $id) { userErrors { message } } }`,
        { id: accountId },
      );
      const inUseMessage: string = accountInUse.data!.deleteAccount.userErrors[0].message;
      assert.ok(inUseMessage.startsWith(`Account ${accountId} has 1 instance`), inUseMessage);
      const accountStillInUse = await api.execute(deleteAccount, { id: accountId });
      assert.deepEqual(accountStillInUse.data!.deleteAccount, {
        deletedAccountId: null,
        userErrors: [{ field: null, code: "ACCOUNT_IN_USE" }],
      });
      const instanceInUse = await api.execute(deleteInstance, { id: instanceId });
      assert.deepEqual(instanceInUse.data!.deleteInstance, {
        deletedInstanceId: null,
        userErrors: [{ field: null, code: "INSTANCE_IN_USE" }],
      });
      assert.equal(await database.prisma.instance.count(), 1);

      await database.prisma.collection.deleteMany();
      const deletedInstance = await api.execute(deleteInstance, { id: instanceId });
      assert.deepEqual(deletedInstance.data!.deleteInstance, {
        deletedInstanceId: instanceId,
        userErrors: [],
      });
      const deletedAccount = await api.execute(deleteAccount, { id: accountId });
      assert.deepEqual(deletedAccount.data!.deleteAccount, {
        deletedAccountId: accountId,
        userErrors: [],
      });
      assert.equal(await database.prisma.instance.count(), 0);
      assert.equal(await database.prisma.account.count(), 0);

      const again = await api.execute(deleteAccount, { id: accountId });
      assert.deepEqual(again.data!.deleteAccount.userErrors, [
        { field: ["id"], code: "NOT_FOUND" },
      ]);
    });
  });
}

describe("mutation permissions", () => {
  let database: Database;
  let api: TestApi;
  const unknownId = encodeGlobalID("Collection", "00000000-0000-4000-8000-000000000000");

  /** Each mutation with arguments that pass validation of the operation, and its role. */
  const mutations: { role: "OPERATOR" | "ADMIN"; operation: string }[] = [
    {
      role: "OPERATOR",
      operation: `createCollection(input: {name: "x", workflowId: "a", instanceId: "b", startDate: "2025-01-06", endDate: "2025-01-12"}) { userErrors { code } }`,
    },
    { role: "OPERATOR", operation: `retryWeek(id: "${unknownId}") { userErrors { code } }` },
    { role: "OPERATOR", operation: `skipWeek(id: "${unknownId}") { userErrors { code } }` },
    {
      role: "OPERATOR",
      operation: `retryFailedWeeks(collectionId: "${unknownId}") { userErrors { code } }`,
    },
    { role: "OPERATOR", operation: `pauseCollection(id: "${unknownId}") { userErrors { code } }` },
    { role: "OPERATOR", operation: `resumeCollection(id: "${unknownId}") { userErrors { code } }` },
    { role: "OPERATOR", operation: `cancelCollection(id: "${unknownId}") { userErrors { code } }` },
    { role: "OPERATOR", operation: `deleteCollection(id: "${unknownId}") { userErrors { code } }` },
    {
      role: "OPERATOR",
      operation: `createWorkflow(input: {name: "", sql: ""}) { userErrors { code } }`,
    },
    {
      role: "OPERATOR",
      operation: `updateWorkflow(id: "${unknownId}", input: {}) { userErrors { code } }`,
    },
    {
      role: "ADMIN",
      operation: `createInstance(input: {accountId: "a", amcInstanceId: "b", name: "c"}) { userErrors { code } }`,
    },
    {
      role: "ADMIN",
      operation: `updateInstance(id: "${unknownId}", input: {}) { userErrors { code } }`,
    },
    {
      role: "ADMIN",
      operation: `createAccount(input: {name: "", region: NA, entityId: "", marketplaceId: "", credentials: {clientId: "", clientSecret: "", refreshToken: ""}}) { userErrors { code } }`,
    },
    {
      role: "ADMIN",
      operation: `updateAccount(id: "${unknownId}", input: {}) { userErrors { code } }`,
    },
    {
      role: "ADMIN",
      operation: `createApiToken(input: {name: "", role: VIEWER}) { userErrors { code } }`,
    },
    { role: "ADMIN", operation: `revokeApiToken(id: "${unknownId}") { userErrors { code } }` },
    { role: "ADMIN", operation: `deleteInstance(id: "${unknownId}") { userErrors { code } }` },
    { role: "ADMIN", operation: `deleteAccount(id: "${unknownId}") { userErrors { code } }` },
  ];
  const roleTokens = { VIEWER: tokens.viewer, OPERATOR: tokens.operator, ADMIN: tokens.admin };
  const rank = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

  before(async () => {
    database = await createTestDatabase("pglite");
    api = await createTestApi(database);
  });

  after(async () => {
    await api.close();
    await database.close();
  });

  test("mutations require their role", async () => {
    for (const { role: required, operation } of mutations) {
      for (const [role, token] of Object.entries(roleTokens) as [keyof typeof rank, string][]) {
        const response = await api.execute(`mutation { ${operation} }`, {}, token);
        const name = operation.slice(0, operation.indexOf("("));
        if (rank[role] >= rank[required]) {
          assert.equal(
            response.errors,
            undefined,
            `${role} ${name}: ${JSON.stringify(response.errors)}`,
          );
        } else {
          assert.equal(response.errors?.[0]?.extensions?.code, "FORBIDDEN", `${role} ${name}`);
        }
      }
    }
  });

  test("apiTokens requires admin", async () => {
    const query = `{ apiTokens { totalCount } }`;
    const asOperator = await api.execute(query, {}, tokens.operator);
    assert.equal(asOperator.errors?.[0]?.extensions?.code, "FORBIDDEN");
    const asAdmin = await api.execute(query, {}, tokens.admin);
    assert.equal(asAdmin.errors, undefined);
    const created = await api.execute(
      `mutation { createApiToken(input: {name: "node", role: VIEWER}) { apiToken { id } } }`,
    );
    const nodeQuery = `query ($id: ID!) { node(id: $id) { id } }`;
    const id = created.data!.createApiToken.apiToken.id;
    const nodeAsOperator = await api.execute(nodeQuery, { id }, tokens.operator);
    assert.equal(nodeAsOperator.data!.node, null);
    const nodeAsAdmin = await api.execute(nodeQuery, { id }, tokens.admin);
    assert.equal(nodeAsAdmin.data!.node.id, id);
  });

  test("viewers read every query", async () => {
    const response = await api.execute(
      `{ collections { totalCount } workflows { totalCount } instances { totalCount } accounts { totalCount }
         viewer { role } operatorMetrics { failuresByReason { count } } }`,
      {},
      tokens.viewer,
    );
    assert.equal(response.errors, undefined);
  });
});
