import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { spawnTsx, waitForExit, waitForOutput } from "../support/processes.ts";

// The server process as an operator runs it: configured by environment variables only.

const quiet = { AMC_SANDBOX: "off", SCHEDULER: "off", PORT: "0" };

describe("server process", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "amc-server-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test("serves health and ready, stops on SIGTERM", async () => {
    const child = spawnTsx("src/main.ts", { ...quiet, DATA_DIR: dataDir });
    const exited = waitForExit(child);
    const output = await waitForOutput(child, /"msg":"server listening"/);
    const url = /"url":"([^"]+)"/.exec(
      output.split("server listening")[0]!.split("\n").at(-1)!,
    )?.[1];
    assert.ok(url, `no URL in output:\n${output}`);

    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${url}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, "ready");
    assert.ok(existsSync(path.join(dataDir, ".lock")), "the data directory is not locked");

    child.kill("SIGTERM");
    const result = await exited;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!existsSync(path.join(dataDir, ".lock")), "the lock survived a clean shutdown");
    assert.ok(existsSync(path.join(dataDir, "secret.key")), "no key file was created");
  });

  test("second process on one data directory fails fast", async () => {
    const first = spawnTsx("src/main.ts", { ...quiet, DATA_DIR: dataDir });
    const firstExit = waitForExit(first);
    await waitForOutput(first, /server listening/);
    try {
      const second = await waitForExit(spawnTsx("src/main.ts", { ...quiet, DATA_DIR: dataDir }));
      assert.equal(second.code, 1);
      assert.match(second.stdout + second.stderr, /is in use by process \d+/);
    } finally {
      first.kill("SIGTERM");
      await firstExit;
    }
  });

  test("stale lock of a killed process is taken over", async () => {
    const first = spawnTsx("src/main.ts", { ...quiet, DATA_DIR: dataDir });
    const firstExit = waitForExit(first);
    await waitForOutput(first, /server listening/);
    first.kill("SIGKILL");
    await firstExit;
    assert.ok(existsSync(path.join(dataDir, ".lock")), "SIGKILL should leave the lock file");

    const second = spawnTsx("src/main.ts", { ...quiet, DATA_DIR: dataDir });
    const secondExit = waitForExit(second);
    await waitForOutput(second, /server listening/);
    second.kill("SIGTERM");
    assert.equal((await secondExit).code, 0);
  });
});

describe("server start-up errors", () => {
  const cases: { name: string; env: Record<string, string>; expected: RegExp }[] = [
    {
      name: "unreachable PostgreSQL",
      env: {
        DATABASE_URL: "postgresql://nobody:hunter2@127.0.0.1:1/none",
        SECRET_KEY: "a".repeat(64),
      },
      expected: /Cannot connect to PostgreSQL at postgresql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/,
    },
    {
      name: "unsupported database URL",
      env: { DATABASE_URL: "mysql://localhost/db" },
      expected: /DATABASE_URL has the unsupported scheme "mysql:"/,
    },
    {
      name: "invalid port",
      env: { PORT: "http" },
      expected: /PORT="http" is invalid: expected a whole number from 0 to 65535/,
    },
    {
      name: "PostgreSQL without a secret key",
      env: { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/test" },
      expected: /SECRET_KEY is missing/,
    },
  ];
  for (const { name, env, expected } of cases) {
    test(`${name} is reported`, async () => {
      const result = await waitForExit(spawnTsx("src/main.ts", { ...quiet, ...env }));
      assert.equal(result.code, 1);
      const output = result.stdout + result.stderr;
      assert.match(output, expected);
      assert.doesNotMatch(output, /hunter2/, "the password leaked into the output");
    });
  }

  test("sandbox port held by another server is reported", async () => {
    const { createServer } = await import("node:http");
    const other = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as { port: number }).port;
    try {
      const result = await waitForExit(
        spawnTsx("src/main.ts", {
          ...quiet,
          AMC_SANDBOX: "on",
          AMC_SANDBOX_PORT: String(port),
          DATABASE_URL: "memory:",
        }),
      );
      assert.equal(result.code, 1);
      assert.match(result.stdout + result.stderr, /in use by a process that is not an AMC sandbox/);

      const taken = await waitForExit(
        spawnTsx("src/main.ts", { ...quiet, PORT: String(port), DATABASE_URL: "memory:" }),
      );
      assert.equal(taken.code, 1);
      assert.match(
        taken.stdout + taken.stderr,
        new RegExp(`PORT ${port} on 127\\.0\\.0\\.1 is in use`),
      );
    } finally {
      other.close();
    }
  });

  test("unwritable data directory is reported", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "amc-unwritable-"));
    const blocker = path.join(dir, "file");
    await writeFile(blocker, "not a directory");
    try {
      const result = await waitForExit(spawnTsx("src/main.ts", { ...quiet, DATA_DIR: blocker }));
      assert.equal(result.code, 1);
      assert.match(result.stdout + result.stderr, /Cannot write the data directory .*file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
