import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { ConfigError, loadConfig } from "../src/config.ts";

describe("loadConfig", () => {
  test("defaults use embedded PGlite on loopback", () => {
    const config = loadConfig({});
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.port, 4000);
    assert.deepEqual(config.database, {
      kind: "pglite",
      dataDir: path.resolve(import.meta.dirname, "../../data/pglite"),
    });
    assert.equal(config.sandbox.enabled, true);
    assert.equal(config.scheduler.maxActiveCollections, 5);
    assert.equal(config.scheduler.maxRunningWeeksPerCollection, 10);
    assert.equal(config.scheduler.maxRunningPerInstance, 10);
  });

  test("database URL selects the backend", () => {
    assert.equal(loadConfig({ DATABASE_URL: "memory:" }).database.kind, "pglite-memory");
    const postgres = loadConfig({
      DATABASE_URL: "postgresql://u@127.0.0.1:5432/db",
      DATABASE_POOL_SIZE: "7",
    });
    assert.deepEqual(postgres.database, {
      kind: "postgres",
      url: "postgresql://u@127.0.0.1:5432/db",
      poolSize: 7,
    });
  });

  test("every invalid variable is listed", () => {
    try {
      loadConfig({ PORT: "-1", LOG_LEVEL: "loud", AMC_SANDBOX: "maybe", DATABASE_URL: "sqlite:x" });
      assert.fail("loadConfig accepted invalid variables");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 4);
      assert.match(error.message, /PORT="-1" is invalid/);
      assert.match(error.message, /LOG_LEVEL="loud" is invalid: expected one of fatal/);
      assert.match(error.message, /AMC_SANDBOX="maybe" is invalid/);
      assert.match(error.message, /unsupported scheme "sqlite:"/);
    }
  });

  test("API tokens parse as role and token", () => {
    const config = loadConfig({
      API_TOKENS: "admin:0123456789abcdef0123,viewer:abcdefabcdefabcdef",
    });
    assert.deepEqual(
      config.bootstrapTokens.map((t) => t.role),
      ["ADMIN", "VIEWER"],
    );
    assert.throws(
      () => loadConfig({ API_TOKENS: "root:short" }),
      /API_TOKENS has an invalid entry/,
    );
  });

  test("poll interval bounds must be ordered", () => {
    assert.throws(
      () => loadConfig({ POLL_INTERVAL_MIN_MS: "5000", POLL_INTERVAL_MAX_MS: "1000" }),
      /POLL_INTERVAL_MIN_MS \(5000\) is greater than POLL_INTERVAL_MAX_MS \(1000\)/,
    );
  });
});
