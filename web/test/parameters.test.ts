import assert from "node:assert/strict";
import { test } from "node:test";
import type { WorkflowParameter } from "../src/api/types.ts";
import { toParameterValue } from "../src/lib/parameters.ts";

const list: WorkflowParameter = {
  name: "campaigns",
  type: "STRING_LIST",
  default: ["a"],
  required: false,
};

test("toParameterValue splits a list", () => {
  assert.deepEqual(toParameterValue(list, " B00A, B00B ,"), ["B00A", "B00B"]);
});

test("toParameterValue sends an empty list as no value", () => {
  assert.equal(toParameterValue(list, ""), null);
  assert.equal(toParameterValue(list, " , "), null);
});
