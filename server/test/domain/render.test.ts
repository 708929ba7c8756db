import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "pgsql-ast-parser";
import { DomainValidationError } from "../../src/domain/errors.ts";
import type { ParameterDefinition } from "../../src/domain/parameters.ts";
import { findUnknownPlaceholders, renderSql } from "../../src/domain/render.ts";

const week = { startDate: "2024-01-01", endDate: "2024-01-07" };

function parameter(
  name: string,
  type: ParameterDefinition["type"],
  extra: Partial<ParameterDefinition> = {},
): ParameterDefinition {
  return { name, type, defaultValue: null, required: false, passAs: "TEMPLATE", ...extra };
}

/** Returns the codes of a DomainValidationError thrown by `run`, failing when none is thrown. */
function errorCodes(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof DomainValidationError, `expected DomainValidationError: ${error}`);
    return error.userErrors.map((userError) => userError.code);
  }
  assert.fail("expected renderSql to throw");
}

describe("renderSql", () => {
  test("renderSql fills both dates everywhere", () => {
    const template =
      "SELECT '{{start_date}}' AS s, '{{ end_date }}' AS e FROM t WHERE d >= '{{start_date}}'";
    const { sql } = renderSql(template, week, [], {});
    assert.equal(sql, "SELECT '2024-01-01' AS s, '2024-01-07' AS e FROM t WHERE d >= '2024-01-01'");
    assert.doesNotMatch(sql, /\{\{/);
  });

  const literalCases: [ParameterDefinition["type"], unknown, string][] = [
    ["STRING", "Brand A", "'Brand A'"],
    ["STRING", "O'Brien", "'O''Brien'"],
    ["INTEGER", 42, "42"],
    ["INTEGER", "123456789012345678901", "123456789012345678901"],
    ["INTEGER", -5, "(-5)"],
    ["DECIMAL", 12.5, "12.5"],
    ["DECIMAL", 1e-7, "0.0000001"],
    ["DECIMAL", "-0.25", "(-0.25)"],
    ["DATE", "2024-02-29", "'2024-02-29'"],
    ["BOOLEAN", true, "TRUE"],
    ["BOOLEAN", false, "FALSE"],
    ["STRING_LIST", ["B00A", "B00B"], "'B00A', 'B00B'"],
    ["INTEGER_LIST", [1, "987654321098765432"], "1, 987654321098765432"],
    ["STRING", null, "NULL"],
  ];
  for (const [type, value, literal] of literalCases) {
    test(`renderSql ${type} literal ${JSON.stringify(value)}`, () => {
      const { sql } = renderSql("SELECT {{p}}", week, [parameter("p", type)], { p: value });
      assert.equal(sql, `SELECT ${literal}`);
    });
  }

  const invalidValues: [ParameterDefinition["type"], unknown][] = [
    ["STRING", 5],
    ["STRING", "a\\"],
    ["STRING", "a\u0000b"],
    ["STRING", "{{start_date}}"],
    ["INTEGER", 1.5],
    ["INTEGER", "12 OR 1=1"],
    ["INTEGER", "0x10"],
    ["INTEGER", 2 ** 60],
    ["DECIMAL", "1e5"],
    ["DECIMAL", Number.NaN],
    ["DECIMAL", "1; DROP TABLE t"],
    ["DATE", "2023-02-29"],
    ["DATE", "2024-01-01' OR '1'='1"],
    ["BOOLEAN", "true"],
    ["STRING_LIST", "a"],
    ["STRING_LIST", ["a", 1]],
    ["STRING_LIST", []],
    ["INTEGER_LIST", [1, "2) OR (1=1"]],
  ];
  for (const [type, value] of invalidValues) {
    test(`renderSql rejects ${type} ${JSON.stringify(value)}`, () => {
      const run = () => renderSql("SELECT {{p}}", week, [parameter("p", type)], { p: value });
      assert.deepEqual(errorCodes(run), ["INVALID_PARAMETER_VALUE"]);
    });
  }

  test("renderSql uses defaults", () => {
    const declared = [parameter("p", "INTEGER", { defaultValue: "7" })];
    assert.equal(renderSql("SELECT {{p}}", week, declared, {}).sql, "SELECT 7");
    assert.equal(renderSql("SELECT {{p}}", week, declared, { p: 8 }).sql, "SELECT 8");
  });

  test("renderSql rejects empty list over default", () => {
    const declared = [parameter("p", "STRING_LIST", { defaultValue: ["a"] })];
    const run = () => renderSql("SELECT {{p}}", week, declared, { p: [] });
    assert.deepEqual(errorCodes(run), ["INVALID_PARAMETER_VALUE"]);
  });

  test("renderSql rejects missing required", () => {
    const declared = [parameter("p", "STRING", { required: true })];
    assert.deepEqual(
      errorCodes(() => renderSql("SELECT {{p}}", week, declared, {})),
      ["MISSING_PARAMETER"],
    );
  });

  test("renderSql rejects undeclared values", () => {
    assert.deepEqual(
      errorCodes(() => renderSql("SELECT 1", week, [], { extra: 1 })),
      ["UNKNOWN_PARAMETER"],
    );
  });

  test("renderSql lists unknown placeholders", () => {
    const declared = [parameter("c", "STRING", { passAs: "CUSTOM_PARAMETER" })];
    try {
      renderSql("SELECT {{a}}, {{ b }}, {{a}}, {{c}}", week, declared, {});
      assert.fail("expected an error");
    } catch (error) {
      assert.ok(error instanceof DomainValidationError);
      assert.equal(error.userErrors.length, 1);
      const [userError] = error.userErrors;
      assert.equal(userError?.code, "UNKNOWN_PLACEHOLDER");
      assert.deepEqual(userError?.field, ["sqlTemplate"]);
      assert.match(userError?.message ?? "", /\{\{a\}\}, \{\{b\}\}, \{\{c\}\}/);
      assert.match(userError?.message ?? "", /CUSTOM_PARAMETER\('name'\)/);
    }
  });

  test("renderSql rejects malformed placeholders", () => {
    for (const template of ["SELECT {{start_date", "SELECT {{ bad-name }}", "SELECT }} 1"]) {
      assert.ok(errorCodes(() => renderSql(template, week, [], {})).length > 0, template);
    }
  });

  test("renderSql rejects invalid dates", () => {
    const run = () => renderSql("SELECT 1", { startDate: "2024-1-1", endDate: "x" }, [], {});
    assert.deepEqual(errorCodes(run), ["INVALID_DATE", "INVALID_DATE"]);
  });

  test("renderSql sends custom parameters", () => {
    const declared = [
      parameter("ids", "INTEGER_LIST", { passAs: "CUSTOM_PARAMETER" }),
      parameter("big", "INTEGER", { passAs: "CUSTOM_PARAMETER" }),
      parameter("rate", "DECIMAL", { passAs: "CUSTOM_PARAMETER" }),
      parameter("brand", "STRING", { passAs: "CUSTOM_PARAMETER", defaultValue: "X" }),
      parameter("unset", "STRING", { passAs: "CUSTOM_PARAMETER" }),
    ];
    const template = "SELECT 1 FROM t WHERE id IN (CUSTOM_PARAMETER('ids'))";
    const rendered = renderSql(template, week, declared, {
      ids: [1, "2"],
      big: "123456789012345678901",
      rate: "0.50",
    });
    assert.equal(rendered.sql, template);
    assert.deepEqual(rendered.parameterValues, {
      ids: [1, 2],
      big: "123456789012345678901",
      rate: 0.5,
      brand: "X",
    });
  });

  test("findUnknownPlaceholders lists names", () => {
    const declared = [
      parameter("a", "STRING"),
      parameter("c", "STRING", { passAs: "CUSTOM_PARAMETER" }),
    ];
    assert.deepEqual(
      findUnknownPlaceholders("{{a}} {{ b }} {{c}} {{start_date}} {{end_date}}", declared),
      ["b", "c"],
    );
  });
});

// Hostile values are rendered into a template and the result is parsed as PostgreSQL. The tree
// must equal that of a benign value: same statement count, same shape, and the literal must
// carry the hostile text unchanged.

const hostileStrings = [
  "'; DROP TABLE t; --",
  "x' OR '1'='1",
  "''''",
  "a'--",
  "/* comment */ */",
  "line1\nline2'\r\n; SELECT 2",
  "semi;colon",
  "unicode ’ quote ʼ and emoji 🙂",
  "$$ dollar $tag$",
  '" double "" quotes',
  "'",
];

const hostileTemplate =
  "SELECT COUNT(*) AS n FROM t WHERE s = {{s}} AND x = a + {{i}} AND y IN ({{list}}) " +
  "AND d >= '{{start_date}}' AND d <= '{{end_date}}' -- trailing comment\nAND z = 1";

const hostileDeclared = [
  parameter("s", "STRING"),
  parameter("i", "INTEGER"),
  parameter("list", "STRING_LIST"),
];

/** Parses SQL and replaces every string constant by a marker, to compare tree shapes. */
function shape(sql: string): { statements: number; tree: string; strings: string[] } {
  const statements = parse(sql);
  const strings: string[] = [];
  const tree = JSON.stringify(statements, (key, value) => {
    if (value && typeof value === "object" && value.type === "string") {
      strings.push(value.value);
      return { type: "string", value: "?" };
    }
    return value;
  });
  return { statements: statements.length, tree, strings };
}

describe("renderSql hostile values", () => {
  const benign = shape(
    renderSql(hostileTemplate, week, hostileDeclared, { s: "ok", i: -5, list: ["a", "b"] }).sql,
  );

  for (const hostile of hostileStrings) {
    test(`hostile string ${JSON.stringify(hostile).slice(0, 30)}`, () => {
      const values = { s: hostile, i: -5, list: [hostile, "b"] };
      const rendered = shape(renderSql(hostileTemplate, week, hostileDeclared, values).sql);
      assert.equal(rendered.statements, 1);
      assert.equal(rendered.tree, benign.tree);
      assert.deepEqual(rendered.strings.slice(0, 2), [hostile, hostile]);
    });
  }

  test("negative integer stays arithmetic", () => {
    const { sql } = renderSql("SELECT a-{{i}} FROM t", week, [parameter("i", "INTEGER")], {
      i: -5,
    });
    assert.equal(sql, "SELECT a-(-5) FROM t");
    assert.doesNotMatch(sql, /--/);
  });
});
