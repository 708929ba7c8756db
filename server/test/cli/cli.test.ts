import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createTestDatabase } from "../support/database.ts";
import { serverDir } from "../support/processes.ts";

// The command-line tool as scripts use it: a child process talking to a real server that runs
// the scheduler against the in-process AMC sandbox.

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(app: App, args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(serverDir, "bin/amc-collections.js"), ...args], {
    env: { ...process.env, AMC_API_URL: `${app.url}/graphql`, AMC_API_TOKEN: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

/** Monday `weeksAgo` weeks before the current week, as YYYY-MM-DD. */
function mondayWeeksAgo(weeksAgo: number): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7) - 7 * weeksAgo);
  return date.toISOString().slice(0, 10);
}

function sundayAfter(monday: string, weeks: number): string {
  const date = new Date(`${monday}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 7 * weeks - 1);
  return date.toISOString().slice(0, 10);
}

describe("command-line tool", () => {
  let app: App;
  before(async () => {
    const config = loadConfig({
      PORT: "0",
      DATABASE_URL: "memory:",
      AMC_SANDBOX_PORT: "0",
      AMC_SANDBOX_EXECUTION_MS: "50",
      SCHEDULER_TICK_MS: "50",
      POLL_INTERVAL_MIN_MS: "20",
      POLL_INTERVAL_MAX_MS: "200",
    });
    app = await startApp({
      config,
      logger: createLogger("silent"),
      database: await createTestDatabase("pglite"),
    });
  });
  after(async () => {
    await app?.stop();
  });

  test("create with wait runs to completion", async () => {
    const start = mondayWeeksAgo(6);
    const result = await runCli(app, [
      "create",
      "--workflow",
      "Weekly campaign delivery",
      "--instance",
      "amcsandbox01",
      "--start",
      start,
      "--end",
      sundayAfter(start, 4),
      "--name",
      "cli four weeks",
      "--idempotency-key",
      "cli-test-1",
      "--wait",
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const collection = JSON.parse(result.stdout) as {
      status: string;
      progress: { succeeded: number };
    };
    assert.equal(collection.status, "COMPLETED");
    assert.equal(collection.progress.succeeded, 4);
  });

  test("list prints the collections", async () => {
    const result = await runCli(app, ["list"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /cli four weeks\s+COMPLETED\s+4\/4/);
  });

  test("export streams the combined CSV", async () => {
    const list = await runCli(app, ["list", "--json"]);
    const id = (JSON.parse(list.stdout) as { nodes: { id: string }[] }).nodes[0]!.id;
    const result = await runCli(app, ["export", id]);
    assert.equal(result.code, 0, result.stderr);
    const [header, ...rows] = result.stdout.trim().split("\n");
    assert.match(header ?? "", /^week_start,week_end,iso_week,/);
    assert.ok(rows.length >= 4, `expected rows for four weeks, got ${rows.length}`);
  });

  test("retrying a succeeded week needs force", async () => {
    const list = await runCli(app, ["list", "--json"]);
    const id = (JSON.parse(list.stdout) as { nodes: { id: string }[] }).nodes[0]!.id;
    const shown = await runCli(app, ["show", id, "--json"]);
    const weekId = (JSON.parse(shown.stdout) as { weeks: { nodes: { id: string }[] } }).weeks
      .nodes[0]!.id;

    const refused = await runCli(app, ["retry-week", weekId]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /pass force/);

    const forced = await runCli(app, ["retry-week", weekId, "--force", "--json"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((JSON.parse(forced.stdout) as { status: string }).status, "PENDING");
  });

  test("invalid input exits 1 with the field", async () => {
    const result = await runCli(app, [
      "create",
      "--workflow",
      "Weekly campaign delivery",
      "--instance",
      "amcsandbox01",
      "--start",
      "2024-02-30",
      "--end",
      "2024-03-10",
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /startDate/);
    assert.match(result.stderr, /2024-02-30/);
  });

  test("unknown command exits 2", async () => {
    const result = await runCli(app, ["launch"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown command "launch"/);
  });

  test("unknown workflow lists the known ones", async () => {
    const result = await runCli(app, [
      "create",
      "--workflow",
      "nope",
      "--instance",
      "amcsandbox01",
      "--start",
      "2026-01-05",
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown workflow "nope"\. Known: .*"Weekly campaign delivery"/);
  });

  test("options before the command", async () => {
    const result = await runCli(app, ["--url", `${app.url}/graphql`, "--json", "workflows"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Array.isArray(JSON.parse(result.stdout)));
  });

  test("unknown instance lists AMC ids", async () => {
    const result = await runCli(app, [
      "create",
      "--workflow",
      "Weekly campaign delivery",
      "--instance",
      "amcsandbox09",
      "--start",
      "2026-01-05",
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown instance "amcsandbox09"\. Known: .*amcsandbox01 \("/);
  });
});
