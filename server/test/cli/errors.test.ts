import assert from "node:assert/strict";
import { test } from "node:test";
import { parseParams } from "../../src/cli/commands.ts";
import { UserErrorsError } from "../../src/cli/errors.ts";

test("parseParams keeps JSON types", () => {
  assert.deepEqual(parseParams(["ids=[1,2]", "name=Brand A", "min=10"]), {
    ids: [1, 2],
    name: "Brand A",
    min: 10,
  });
});

test("list error shows the JSON form", () => {
  const error = new UserErrorsError([
    {
      field: ["input", "parameters", "campaigns"],
      message: 'Parameter "campaigns" (STRING_LIST) must be a list of strings, got "a,b".',
      code: "INVALID_PARAMETER_VALUE",
    },
  ]);
  assert.match(error.message, /^input\.parameters\.campaigns: Parameter "campaigns"/);
  assert.match(error.message, /write a list as JSON: --param name='\["a","b"\]'/);
});

test("other errors get no list hint", () => {
  const error = new UserErrorsError([
    { field: ["input", "startDate"], message: "Start date is missing.", code: "MISSING_FIELD" },
  ]);
  assert.equal(error.message, "input.startDate: Start date is missing. (MISSING_FIELD)");
});
