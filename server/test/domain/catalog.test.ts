import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { decryptCredentials } from "../../src/db/secrets.ts";
import { createAccount, regionEndpoints, updateAccount } from "../../src/domain/accounts.ts";
import { DomainValidationError, NotFoundError } from "../../src/domain/errors.ts";
import { createInstance, updateInstance } from "../../src/domain/instances.ts";
import { createWorkflow, updateWorkflow } from "../../src/domain/workflows.ts";
import { backends, createTestDatabase } from "../support/database.ts";

// Accounts, instances and workflows: the rows a collection refers to.

const secretKey = randomBytes(32);
const credentials = {
  clientId: "amzn1.client",
  clientSecret: "s3cret-value",
  refreshToken: "Atzr|token",
};

/** Returns the [field path, code] pairs of a DomainValidationError. */
async function rejection(promise: Promise<unknown>): Promise<string[][]> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DomainValidationError, String(error));
    return error.userErrors.map((userError) => [userError.field.join("."), userError.code]);
  }
  assert.fail("expected a DomainValidationError");
}

for (const backend of backends) {
  describe(`catalog on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("createAccount uses region defaults", async () => {
      const account = await createAccount(db.prisma, secretKey, {
        name: "EU brand",
        region: "EU",
        entityId: "ENTITY123",
        marketplaceId: "A1PA6795UKMFR9",
        credentials,
      });
      assert.equal(account.apiBaseUrl, "https://advertising-api-eu.amazon.com");
      assert.equal(account.tokenUrl, "https://api.amazon.co.uk/auth/o2/token");
      assert.equal("credentials" in account, false);
      const stored = await db.prisma.account.findUniqueOrThrow({ where: { id: account.id } });
      assert.doesNotMatch(stored.credentials, /s3cret/);
      assert.deepEqual(decryptCredentials(secretKey, stored.credentials), credentials);
    });

    test("createAccount rejects bad fields", async () => {
      const problems = await rejection(
        createAccount(db.prisma, secretKey, {
          name: "",
          region: "SA" as "NA",
          entityId: "ENTITY 1",
          marketplaceId: "ATVP",
          apiBaseUrl: "http://advertising-api.example",
          credentials: { ...credentials, clientSecret: "" },
        }),
      );
      assert.deepEqual(problems, [
        ["input.region", "INVALID_FIELD"],
        ["input.name", "MISSING_FIELD"],
        ["input.entityId", "INVALID_FIELD"],
        ["input.apiBaseUrl", "INVALID_URL"],
        ["input.credentials.clientSecret", "MISSING_FIELD"],
      ]);
      assert.equal(await db.prisma.account.count({ where: { name: "" } }), 0);
    });

    test("createAccount error hides secrets", async () => {
      await createAccount(db.prisma, secretKey, {
        name: "Dup",
        region: "NA",
        entityId: "ENTITY9",
        marketplaceId: "ATVPDKIKX0DER",
        credentials,
      });
      await assert.rejects(
        createAccount(db.prisma, secretKey, {
          name: "Dup",
          region: "NA",
          entityId: "ENTITY9",
          marketplaceId: "ATVPDKIKX0DER",
          credentials,
        }),
        (error: unknown) =>
          error instanceof DomainValidationError &&
          error.userErrors[0]?.code === "NAME_TAKEN" &&
          !error.message.includes("s3cret") &&
          !error.message.includes("Atzr"),
      );
    });

    test("updateAccount moves default URLs", async () => {
      const account = await createAccount(db.prisma, secretKey, {
        name: "Mover",
        region: "NA",
        entityId: "ENTITY2",
        marketplaceId: "ATVPDKIKX0DER",
        credentials,
      });
      const moved = await updateAccount(db.prisma, secretKey, account.id, {
        region: "FE",
        credentials: { refreshToken: "Atzr|new" },
      });
      assert.equal(moved.apiBaseUrl, regionEndpoints.FE.apiBaseUrl);
      assert.equal(moved.tokenUrl, regionEndpoints.FE.tokenUrl);
      const stored = await db.prisma.account.findUniqueOrThrow({ where: { id: account.id } });
      assert.deepEqual(decryptCredentials(secretKey, stored.credentials), {
        ...credentials,
        refreshToken: "Atzr|new",
      });
    });

    test("updateAccount to a new host needs secrets", async () => {
      const account = await createAccount(db.prisma, secretKey, {
        name: "Redirected",
        region: "NA",
        entityId: "ENTITY4",
        marketplaceId: "ATVPDKIKX0DER",
        credentials,
      });
      const redirect = { apiBaseUrl: "https://amc-proxy.example.test" };
      await assert.rejects(
        updateAccount(db.prisma, secretKey, account.id, redirect),
        (error: DomainValidationError) =>
          error.userErrors.some((e) => e.code === "CREDENTIALS_REQUIRED"),
      );
      const unchanged = await db.prisma.account.findUniqueOrThrow({ where: { id: account.id } });
      assert.equal(unchanged.apiBaseUrl, regionEndpoints.NA.apiBaseUrl);

      const fresh = { clientSecret: "new-secret", refreshToken: "Atzr|fresh" };
      const moved = await updateAccount(db.prisma, secretKey, account.id, {
        ...redirect,
        credentials: fresh,
      });
      assert.equal(moved.apiBaseUrl, "https://amc-proxy.example.test");
    });

    test("link-local URLs are rejected", async () => {
      await assert.rejects(
        createAccount(db.prisma, secretKey, {
          name: "Metadata",
          region: "NA",
          entityId: "ENTITY5",
          marketplaceId: "ATVPDKIKX0DER",
          apiBaseUrl: "https://169.254.169.254",
          credentials,
        }),
        (error: DomainValidationError) =>
          error.userErrors.some((e) => e.field.includes("apiBaseUrl") && e.code === "INVALID_URL"),
      );
    });

    test("updateAccount keeps custom URLs", async () => {
      const account = await createAccount(db.prisma, secretKey, {
        name: "Sandbox",
        region: "NA",
        entityId: "ENTITY3",
        marketplaceId: "ATVPDKIKX0DER",
        apiBaseUrl: "http://127.0.0.1:4010/",
        tokenUrl: "http://127.0.0.1:4010/auth/o2/token",
        credentials,
        isSandbox: true,
      });
      assert.equal(account.apiBaseUrl, "http://127.0.0.1:4010");
      const moved = await updateAccount(db.prisma, secretKey, account.id, { region: "EU" });
      assert.equal(moved.apiBaseUrl, "http://127.0.0.1:4010");
      assert.equal(moved.isSandbox, true);
      await assert.rejects(
        updateAccount(db.prisma, secretKey, "00000000-0000-4000-8000-000000000000", {}),
        NotFoundError,
      );
    });

    test("createInstance validates fields", async () => {
      const account = await createAccount(db.prisma, secretKey, {
        name: "Instances",
        region: "NA",
        entityId: "ENTITY4",
        marketplaceId: "ATVPDKIKX0DER",
        credentials,
      });
      const instance = await createInstance(db.prisma, {
        accountId: account.id,
        amcInstanceId: "amcabc123",
        name: "Main",
      });
      assert.equal(instance.maxConcurrentExecutions, 10);
      assert.deepEqual(
        await rejection(
          createInstance(db.prisma, {
            accountId: account.id,
            amcInstanceId: "amc/../x",
            name: "Bad",
            maxConcurrentExecutions: 0,
          }),
        ),
        [
          ["input.amcInstanceId", "INVALID_FIELD"],
          ["input.maxConcurrentExecutions", "INVALID_FIELD"],
        ],
      );
      assert.deepEqual(
        await rejection(
          createInstance(db.prisma, {
            accountId: account.id,
            amcInstanceId: "amcabc123",
            name: "Again",
          }),
        ),
        [["input.amcInstanceId", "DUPLICATE_INSTANCE"]],
      );
      assert.deepEqual(
        await rejection(
          createInstance(db.prisma, { accountId: "x", amcInstanceId: "amcz", name: "Z" }),
        ),
        [["input.accountId", "UNKNOWN_ACCOUNT"]],
      );
      const updated = await updateInstance(db.prisma, instance.id, { maxConcurrentExecutions: 4 });
      assert.equal(updated.maxConcurrentExecutions, 4);
      assert.equal(updated.name, "Main");
    });

    test("workflow version bumps on change", async () => {
      const workflow = await createWorkflow(db.prisma, {
        name: "Reach",
        sqlTemplate:
          "SELECT COUNT(DISTINCT user_id) FROM t WHERE d >= '{{start_date}}' AND b = {{brand}}",
        parameters: [{ name: "brand", type: "STRING", defaultValue: "Acme", required: true }],
      });
      assert.equal(workflow.version, 1);
      const renamed = await updateWorkflow(db.prisma, workflow.id, {
        name: "Reach v2",
        description: "Weekly reach",
      });
      assert.equal(renamed.version, 1);
      const sameParameters = await updateWorkflow(db.prisma, workflow.id, {
        parameters: [
          {
            passAs: "TEMPLATE",
            required: true,
            defaultValue: "Acme",
            type: "STRING",
            name: "brand",
          },
        ],
      });
      assert.equal(sameParameters.version, 1);
      const newSql = await updateWorkflow(db.prisma, workflow.id, {
        sqlTemplate: "SELECT 2 WHERE b = {{brand}}",
      });
      assert.equal(newSql.version, 2);
      const newParameters = await updateWorkflow(db.prisma, workflow.id, {
        parameters: [{ name: "brand", type: "STRING", defaultValue: "Other", required: true }],
      });
      assert.equal(newParameters.version, 3);
    });

    test("createWorkflow rejects bad template", async () => {
      assert.deepEqual(
        await rejection(
          createWorkflow(db.prisma, {
            name: "Broken",
            sqlTemplate: "SELECT {{missing}} {{c}} {{start_date",
            parameters: [
              { name: "c", type: "STRING", passAs: "CUSTOM_PARAMETER" },
              { name: "start_date", type: "DATE" },
              { name: "n", type: "INTEGER", defaultValue: "x" },
              { name: "c", type: "FLOAT" },
            ],
          }),
        ),
        [
          ["input.parameters.1.name", "INVALID_PARAMETER_NAME"],
          ["input.parameters.2.defaultValue", "INVALID_PARAMETER_VALUE"],
          ["input.parameters.3.type", "INVALID_PARAMETER_TYPE"],
          ["input.sqlTemplate", "UNKNOWN_PLACEHOLDER"],
          ["input.sqlTemplate", "MALFORMED_PLACEHOLDER"],
        ],
      );
      assert.equal(await db.prisma.workflow.count({ where: { name: "Broken" } }), 0);
    });

    test("invalid declaration is not also unknown", async () => {
      assert.deepEqual(
        await rejection(
          createWorkflow(db.prisma, {
            name: "Bad default",
            sqlTemplate: "SELECT x FROM t WHERE c IN ({{campaigns}})",
            parameters: [{ name: "campaigns", type: "STRING_LIST", defaultValue: [] }],
          }),
        ),
        [["input.parameters.0.defaultValue", "INVALID_PARAMETER_VALUE"]],
      );
    });

    test("createWorkflow accepts only queries", async () => {
      for (const sqlTemplate of ["DROP TABLE dsp_impressions", "-- a comment\nDELETE FROM x"]) {
        assert.deepEqual(
          await rejection(createWorkflow(db.prisma, { name: "Not a query", sqlTemplate })),
          [["input.sqlTemplate", "NOT_A_QUERY"]],
        );
      }
      const query = "/* weekly */\n-- reach\nWITH t AS (SELECT 1 AS n) SELECT SUM(n) FROM t";
      const created = await createWorkflow(db.prisma, { name: "A query", sqlTemplate: query });
      assert.equal(created.sqlTemplate, query);
    });
  });
}
