import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { AccessConfigError, createAccessControl } from "../../src/auth/access-control.ts";
import { createApiToken, hashToken } from "../../src/auth/tokens.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createTestDatabase } from "../support/database.ts";
import { createTestApi, testConfig, testLogger, tokens, type TestApi } from "./support.ts";

// Authentication, open local access, request limits, CSRF prevention and error masking.

describe("access control", () => {
  let database: Database;
  let api: TestApi;

  before(async () => {
    database = await createTestDatabase("pglite");
    api = await createTestApi(database, {
      services: {
        amcApiStats: () => {
          throw new Error("secret detail that must stay in the log");
        },
      },
    });
  });

  after(async () => {
    await api.close();
    await database.close();
  });

  test("missing token returns 401", async () => {
    const response = await api.yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { role } }" }),
    });
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    const body = (await response.json()) as any;
    assert.equal(body.errors[0].extensions.code, "UNAUTHENTICATED");
  });

  test("unknown or malformed tokens return 401", async () => {
    for (const authorization of ["Bearer amc_unknown", "Basic dXNlcjpwYXNz", "Bearer"]) {
      const response = await api.yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify({ query: "{ viewer { role } }" }),
      });
      assert.equal(response.status, 401, authorization);
    }
  });

  test("each environment token has its role", async () => {
    for (const [role, token] of Object.entries(tokens)) {
      const response = await api.execute(`{ viewer { role } }`, {}, token);
      assert.equal(response.data!.viewer.role, role.toUpperCase());
    }
  });

  test("open access only on loopback without tokens", async () => {
    const openConfig = testConfig({ API_TOKENS: "" });
    const access = await createAccessControl(openConfig, database.prisma, testLogger);
    assert.equal(access.open, true);
    assert.deepEqual(await access.authenticate(undefined), {
      role: "ADMIN",
      tokenId: null,
      source: "open local access",
    });
    await assert.rejects(
      createAccessControl(
        testConfig({ API_TOKENS: "", HOST: "0.0.0.0" }),
        database.prisma,
        testLogger,
      ),
      AccessConfigError,
    );
    const withTokens = await createAccessControl(
      testConfig({ HOST: "0.0.0.0" }),
      database.prisma,
      testLogger,
    );
    assert.equal(withTokens.open, false);
    assert.equal(await withTokens.authenticate(undefined), null);
  });

  test("stored admin token ends open access", async () => {
    await createApiToken(database.prisma, { name: "first", role: "ADMIN" });
    const access = await createAccessControl(
      testConfig({ API_TOKENS: "" }),
      database.prisma,
      testLogger,
    );
    assert.equal(await access.authenticate(undefined), null);
    await database.prisma.apiToken.deleteMany();
  });

  test("viewer token keeps open access", async () => {
    // Closing open mode with a viewer token would leave no one able to manage tokens.
    await createApiToken(database.prisma, { name: "reader", role: "VIEWER" });
    const access = await createAccessControl(
      testConfig({ API_TOKENS: "" }),
      database.prisma,
      testLogger,
    );
    const viewer = await access.authenticate(undefined);
    assert.equal(viewer?.role, "ADMIN");
    await database.prisma.apiToken.deleteMany();
  });

  test("depth limit rejects deep queries", async () => {
    const deep = `{ collections { edges { node { weeks { edges { node { collection { weeks { edges {
      node { collection { weeks { edges { node { id } } } } } } } } } } } } } } }`;
    const response = await api.execute(deep);
    assert.ok(response.errors?.length, "a deep query must fail");
    assert.match(response.errors![0]!.message, /depth/i);
    assert.equal(response.data, undefined);
  });

  test("depth limit error has code", async () => {
    const deep = `{ collections { edges { node { weeks { edges { node { collection { weeks { edges {
      node { collection { weeks { edges { node { id } } } } } } } } } } } } } } }`;
    const response = await api.execute(deep);
    assert.equal(response.errors?.length, 1);
    assert.equal(response.errors![0]!.extensions?.code, "QUERY_TOO_DEEP");
    assert.match(response.errors![0]!.message, /depth of 15 .* more than the maximum of 12\./);
    assert.equal(response.data, undefined);
  });

  test("cost limit error has code", async () => {
    // Within the depth limit, but 100 collections of 100 weeks of many fields each.
    const costly = `{ collections(first: 100) { edges { node { weeks(first: 100) { edges { node {
      id status attempts version startDate endDate executions { id status } } } } } } } }`;
    const response = await api.execute(costly);
    assert.equal(response.errors?.length, 1);
    assert.equal(response.errors![0]!.extensions?.code, "QUERY_TOO_COSTLY");
    assert.match(
      response.errors![0]!.message,
      /estimated cost is \d+, more than the maximum of 20000\./,
    );
    assert.match(response.errors![0]!.message, /first or last/);
    assert.equal(response.data, undefined);
  });

  test("CSRF prevention rejects simple requests", async () => {
    const get = await api.yoga.fetch(
      `http://localhost/graphql?query=${encodeURIComponent("{ viewer { role } }")}`,
      { headers: { authorization: `Bearer ${tokens.admin}` } },
    );
    assert.equal(get.status, 403);
    const form = await api.yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Bearer ${tokens.admin}`,
      },
      body: "query=%7B%20viewer%20%7B%20role%20%7D%20%7D",
    });
    assert.equal(form.status, 403);
    const withHeader = await api.yoga.fetch(
      `http://localhost/graphql?query=${encodeURIComponent("{ viewer { role } }")}`,
      { headers: { authorization: `Bearer ${tokens.admin}`, "x-graphql-yoga-csrf": "1" } },
    );
    assert.equal(withHeader.status, 200);
  });

  test("unexpected errors are masked", async () => {
    const response = await api.execute(`{ operatorMetrics { amcApiStats { requestCount } } }`);
    const error = response.errors?.[0];
    assert.equal(error?.extensions?.code, "INTERNAL_SERVER_ERROR");
    assert.match(error?.extensions?.errorId ?? "", /^[0-9a-f-]{36}$/);
    assert.doesNotMatch(JSON.stringify(response), /secret detail/);
  });
});

describe("token:create command", () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "amc-token-"));
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test("token:create prints a stored token", async () => {
    const cli = path.resolve(import.meta.dirname, "../../src/auth/create-token-cli.ts");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", cli, "--role", "operator", "--name", "ci"],
      { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "" } },
    );
    const token = stdout.trim();
    assert.match(token, /^amc_[A-Za-z0-9_-]{43}$/);
    const database = await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
    try {
      const stored = await database.prisma.apiToken.findFirstOrThrow();
      assert.equal(stored.tokenHash, hashToken(token));
      assert.equal(stored.role, "OPERATOR");
      assert.notEqual(stored.tokenHash, token);
    } finally {
      await database.close();
    }
  });
});
