import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  hashCollectionInput,
  validateCollectionInput,
  type CreateCollectionInput,
} from "../../src/domain/collection-input.ts";
import { DomainValidationError } from "../../src/domain/errors.ts";
import { testNow, testOptions, testTemplate } from "./fixtures.ts";

const workflow = {
  sqlTemplate: testTemplate,
  parameters: [
    { name: "brand", type: "STRING", defaultValue: "Acme", required: true, passAs: "TEMPLATE" },
    { name: "campaigns", type: "INTEGER_LIST", required: true, passAs: "CUSTOM_PARAMETER" },
  ],
};

const base: CreateCollectionInput = {
  name: "November",
  workflowId: "00000000-0000-4000-8000-000000000001",
  instanceId: "00000000-0000-4000-8000-000000000002",
  startDate: "2026-11-02",
  endDate: "2026-11-29",
  parameterValues: { campaigns: [1] },
};

/** Returns the [field, code] pairs of the validation error, failing when none is thrown. */
function problems(
  input: Partial<CreateCollectionInput>,
  context: { workflow?: typeof workflow | null; instanceExists?: boolean } = {},
): string[][] {
  try {
    validateCollectionInput(
      { ...base, ...input },
      context.workflow === undefined ? workflow : context.workflow,
      context.instanceExists ?? true,
      testOptions,
    );
  } catch (error) {
    assert.ok(error instanceof DomainValidationError, String(error));
    return error.userErrors.map((userError) => [userError.field.join("."), userError.code]);
  }
  assert.fail("expected validation to fail");
}

// testNow is 2026-12-02, so AMC's retention starts on 2025-11-02.
const invalidCases: [name: string, input: Partial<CreateCollectionInput>, expected: string[][]][] =
  [
    ["end before start", { endDate: "2026-11-01" }, [["input.endDate", "END_BEFORE_START"]]],
    ["impossible start", { startDate: "2026-02-29" }, [["input.startDate", "INVALID_DATE"]]],
    ["malformed end", { endDate: "11/29/2026" }, [["input.endDate", "INVALID_DATE"]]],
    ["missing end", { endDate: null }, [["input.endDate", "MISSING_END_DATE"]]],
    ["before retention", { startDate: "2025-10-27" }, [["input.startDate", "BEFORE_RETENTION"]]],
    ["end in future", { endDate: "2026-12-06" }, [["input.endDate", "END_IN_FUTURE"]]],
    ["empty name", { name: "  " }, [["input.name", "INVALID_NAME"]]],
    ["NUL in name", { name: "a\u0000b" }, [["input.name", "INVALID_NAME"]]],
    ["name too long", { name: "x".repeat(201) }, [["input.name", "INVALID_NAME"]]],
    [
      "NUL in idempotency key",
      { idempotencyKey: "k\u0000" },
      [["input.idempotencyKey", "INVALID_IDEMPOTENCY_KEY"]],
    ],
    ["unknown zone", { timezone: "Europe/Atlantis" }, [["input.timezone", "INVALID_TIMEZONE"]]],
    ["invalid mode", { mode: "WEEKLY" as "ROLLING" }, [["input.mode", "INVALID_MODE"]]],
    [
      "rolling with end",
      { mode: "ROLLING", endDate: "2026-11-29" },
      [["input.endDate", "END_DATE_NOT_ALLOWED"]],
    ],
    [
      "wrong parameter type",
      { parameterValues: { campaigns: ["x"] } },
      [["input.parameterValues.campaigns", "INVALID_PARAMETER_VALUE"]],
    ],
    [
      "parameter values as list",
      { parameterValues: [1, 2] as unknown as Record<string, unknown> },
      [["input.parameterValues", "INVALID_PARAMETER_VALUES"]],
    ],
    [
      "parameter values as text",
      { parameterValues: "campaigns=1" as unknown as Record<string, unknown> },
      [["input.parameterValues", "INVALID_PARAMETER_VALUES"]],
    ],
    [
      "missing required parameter",
      { parameterValues: {} },
      [["input.parameterValues.campaigns", "MISSING_PARAMETER"]],
    ],
    [
      "undeclared parameter",
      { parameterValues: { campaigns: [1], extra: 1 } },
      [["input.parameterValues.extra", "UNKNOWN_PARAMETER"]],
    ],
    [
      "empty idempotency key",
      { idempotencyKey: "" },
      [["input.idempotencyKey", "INVALID_IDEMPOTENCY_KEY"]],
    ],
    [
      "several problems",
      { name: "", startDate: "2026-11-31", timezone: "Nowhere" },
      [
        ["input.name", "INVALID_NAME"],
        ["input.timezone", "INVALID_TIMEZONE"],
        ["input.startDate", "INVALID_DATE"],
      ],
    ],
  ];

describe("validateCollectionInput", () => {
  for (const [name, input, expected] of invalidCases) {
    test(`validation rejects ${name}`, () => {
      assert.deepEqual(problems(input), expected);
    });
  }

  test("validation rejects too many weeks", () => {
    const options = { ...testOptions, maxWeeks: 3 };
    assert.throws(
      () => validateCollectionInput(base, workflow, true, options),
      (error: unknown) =>
        error instanceof DomainValidationError &&
        error.userErrors[0]?.code === "TOO_MANY_WEEKS" &&
        /4 weeks; the maximum is 3/.test(error.userErrors[0].message),
    );
  });

  test("validation rejects unknown references", () => {
    assert.deepEqual(problems({}, { workflow: null, instanceExists: false }), [
      ["input.workflowId", "UNKNOWN_WORKFLOW"],
      ["input.instanceId", "UNKNOWN_INSTANCE"],
    ]);
  });

  test("validation lists unknown placeholders", () => {
    const broken = { ...workflow, sqlTemplate: `${testTemplate} AND {{region}} AND {{ zone }}` };
    const [error] = (() => {
      try {
        validateCollectionInput(base, broken, true, testOptions);
      } catch (caught) {
        return (caught as DomainValidationError).userErrors;
      }
      return [];
    })();
    assert.equal(error?.code, "UNKNOWN_PLACEHOLDER");
    assert.match(error?.message ?? "", /\{\{region\}\}, \{\{zone\}\}/);
  });

  test("validation accepts today as end", () => {
    const result = validateCollectionInput(
      { ...base, endDate: "2026-12-02" },
      workflow,
      true,
      testOptions,
    );
    assert.equal(result.weeks.length, 5);
    assert.equal(result.endDate, "2026-12-02");
  });

  test("validation uses collection time zone", () => {
    // At 2026-12-02 23:00 UTC it is already 2026-12-03 in Tokyo, so an end on 12-03 is today
    // there, while in UTC at testNow it is tomorrow.
    const lateNow = new Date("2026-12-02T23:00:00Z");
    const input = { ...base, endDate: "2026-12-03", timezone: "Asia/Tokyo" };
    const result = validateCollectionInput(input, workflow, true, { ...testOptions, now: lateNow });
    assert.equal(result.endDate, "2026-12-03");
    assert.deepEqual(problems({ endDate: "2026-12-03", timezone: "UTC" }), [
      ["input.endDate", "END_IN_FUTURE"],
    ]);
  });

  test("validation canonicalises time zone", () => {
    const result = validateCollectionInput(
      { ...base, timezone: "utc" },
      workflow,
      true,
      testOptions,
    );
    assert.equal(result.timezone, "UTC");
    const tokyo = { ...base, timezone: "asia/tokyo" };
    assert.equal(
      validateCollectionInput(tokyo, workflow, true, testOptions).timezone,
      "Asia/Tokyo",
    );
  });

  test("validation expands whole weeks", () => {
    const input = {
      ...base,
      startDate: "2026-11-04",
      endDate: "2026-11-25",
      expandToWholeWeeks: true,
    };
    const result = validateCollectionInput(input, workflow, true, testOptions);
    assert.equal(result.startDate, "2026-11-02");
    assert.equal(result.endDate, "2026-11-29");
    assert.equal(
      result.weeks.every((week) => !week.partial),
      true,
    );
  });

  test("validation plans rolling through last week", () => {
    const input = { ...base, mode: "ROLLING" as const, endDate: null };
    const result = validateCollectionInput(input, workflow, true, testOptions);
    assert.equal(result.endDate, "2026-11-29");
    assert.equal(result.weeks.length, 4);
  });

  test("validation plans rolling current week", () => {
    const input = { ...base, mode: "ROLLING" as const, endDate: null, startDate: "2026-12-01" };
    const result = validateCollectionInput(input, workflow, true, testOptions);
    assert.equal(result.startDate, "2026-12-01");
    assert.equal(result.endDate, "2026-12-06");
    assert.equal(result.weeks.length, 1);
  });

  test("hashCollectionInput ignores key and order", () => {
    const reordered: CreateCollectionInput = {
      parameterValues: { campaigns: [1] },
      endDate: base.endDate,
      startDate: base.startDate,
      instanceId: base.instanceId,
      workflowId: base.workflowId,
      name: base.name,
      idempotencyKey: "k",
      timezone: "UTC",
    };
    assert.equal(hashCollectionInput(reordered), hashCollectionInput(base));
    assert.notEqual(
      hashCollectionInput({ ...base, parameterValues: { campaigns: [2] } }),
      hashCollectionInput(base),
    );
  });

  test("testNow is a Wednesday", () => {
    assert.equal(testNow.getUTCDay(), 3);
  });
});
