import assert from "node:assert/strict";
import { test } from "node:test";
import { tokenizeSql } from "../src/lib/sql-highlight.ts";

const sample = [
  "-- campaigns per week",
  "SELECT campaign, SUM(impressions) AS imps, 'it''s a -- string' AS note",
  "FROM dsp_impressions /* inline */",
  "WHERE event_dt >= {{start_date}} AND cost > 1.5e3",
  "GROUP BY campaign",
].join("\n");

test("tokenizer keeps every character", () => {
  const tokens = tokenizeSql(sample);
  assert.equal(tokens.map((token) => token.text).join(""), sample);
});

test("tokenizer classifies token kinds", () => {
  const kinds = new Map(tokenizeSql(sample).map((token) => [token.text, token.kind]));
  assert.equal(kinds.get("-- campaigns per week"), "comment");
  assert.equal(kinds.get("SELECT"), "keyword");
  assert.equal(kinds.get("SUM"), "function");
  assert.equal(kinds.get("'it''s a -- string'"), "string");
  assert.equal(kinds.get("/* inline */"), "comment");
  assert.equal(kinds.get("{{start_date}}"), "placeholder");
  assert.equal(kinds.get("1.5e3"), "number");
  assert.equal(kinds.get("campaign"), "plain");
});

test("tokenizer survives unterminated string", () => {
  const sql = "SELECT 'open";
  const tokens = tokenizeSql(sql);
  assert.equal(tokens.at(-1)?.kind, "string");
  assert.equal(tokens.map((token) => token.text).join(""), sql);
});
