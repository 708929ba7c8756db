import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

// Week planning must not depend on the server's time zone, so this re-runs the planning tests
// in child processes, one per TZ value, including zones west and east of UTC with and without
// daylight saving.

const run = promisify(execFile);
const serverDir = path.resolve(import.meta.dirname, "../..");
const zones = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo"];

/** Returns the environment of a child run, without the runner's marker, so the child reports as TAP. */
function childEnv(zone: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: zone };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

for (const zone of zones) {
  test(`planning tests under TZ=${zone}`, async () => {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "--test", "--test-reporter=tap", "test/domain/weeks.test.ts"],
      { cwd: serverDir, env: childEnv(zone) },
    );
    assert.match(stdout, new RegExp(`TZ=${zone.replace("/", "\\/")}`));
    assert.match(stdout, /# fail 0/);
    assert.doesNotMatch(stdout, /# pass 0\b/);
  });
}
