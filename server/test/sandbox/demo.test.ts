import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import type { Database } from "../../src/db/database.ts";
import { decryptCredentials } from "../../src/db/secrets.ts";
import { demoAccountName, seedDemoContent } from "../../src/demo/seed.ts";
import { demoWorkflows } from "../../src/demo/workflows.ts";
import { renderSql } from "../../src/domain/render.ts";
import { workflowParameters } from "../../src/domain/workflows.ts";
import { createLogger } from "../../src/logger.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { runToEnd, startTestSandbox, weekRequest, type TestSandbox } from "./helpers.ts";

const logger = createLogger("silent");
const endpoints = {
  apiBaseUrl: "http://127.0.0.1:4010",
  tokenUrl: "http://127.0.0.1:4010/auth/o2/token",
};

for (const backend of backends) {
  describe(`demo seed on ${backend}`, () => {
    let database: Database;
    const key = randomBytes(32);
    before(async () => {
      database = await createTestDatabase(backend);
    });
    after(async () => {
      await database.close();
    });

    test("seed creates sandbox account", async () => {
      assert.equal(await seedDemoContent(database.prisma, key, endpoints, logger), true);
      const account = await database.prisma.account.findUniqueOrThrow({
        where: { name: demoAccountName },
        include: { instances: true },
      });
      assert.equal(account.isSandbox, true);
      assert.equal(account.apiBaseUrl, endpoints.apiBaseUrl);
      assert.equal(account.tokenUrl, endpoints.tokenUrl);
      assert.equal(
        decryptCredentials(key, account.credentials).clientSecret,
        "sandbox-client-secret",
      );
      assert.deepEqual(account.instances.map((instance) => instance.amcInstanceId).sort(), [
        "amcsandbox01",
        "amcsandbox02",
      ]);
      assert.equal(await database.prisma.workflow.count(), demoWorkflows.length);
    });

    test("seed runs only once", async () => {
      assert.equal(await seedDemoContent(database.prisma, key, endpoints, logger), false);
      assert.equal(await database.prisma.account.count(), 1);
      assert.equal(await database.prisma.workflow.count(), demoWorkflows.length);
    });

    test("seed follows sandbox URL", async () => {
      const moved = {
        apiBaseUrl: "http://127.0.0.1:4999",
        tokenUrl: "http://127.0.0.1:4999/auth/o2/token",
      };
      await seedDemoContent(database.prisma, key, moved, logger);
      const account = await database.prisma.account.findUniqueOrThrow({
        where: { name: demoAccountName },
      });
      assert.equal(account.apiBaseUrl, moved.apiBaseUrl);
      assert.equal(account.tokenUrl, moved.tokenUrl);
    });
  });
}

describe("demo workflows in sandbox", () => {
  let t: TestSandbox;
  before(async () => {
    t = await startTestSandbox();
    await t.sandbox.warmUp();
  });
  after(async () => {
    await t.stop();
  });

  for (const workflow of demoWorkflows) {
    test(`${workflow.name} returns rows`, async () => {
      const parameters = workflowParameters({ parameters: (workflow.parameters ?? []) as never });
      for (const [startDate, endDate] of [
        ["2026-01-05", "2026-01-11"],
        ["2025-07-07", "2025-07-13"],
      ] as const) {
        const rendered = renderSql(workflow.sqlTemplate, { startDate, endDate }, parameters, {});
        const run = await runToEnd(
          t,
          "amcsandbox01",
          weekRequest(startDate, rendered.sql, { parameterValues: rendered.parameterValues }),
        );
        assert.equal(run.execution.status, "SUCCEEDED", run.execution.statusReason);
        const rows = run.parts.flatMap((part) => parse(part, { columns: true }) as object[]);
        assert.ok(rows.length >= 2, `${workflow.name} ${startDate}: ${rows.length} rows`);
      }
    });
  }
});
