import assert from "node:assert/strict";
import { test } from "node:test";
import { addDays, lastCompleteWeeks, mondayOf } from "../src/lib/dates.ts";

test("mondayOf finds the ISO week start", () => {
  assert.equal(mondayOf("2026-12-04"), "2026-11-30");
  assert.equal(mondayOf("2026-11-30"), "2026-11-30");
  assert.equal(mondayOf("2026-12-06"), "2026-11-30");
});

test("addDays crosses month and year", () => {
  assert.equal(addDays("2025-12-31", 1), "2026-01-01");
  assert.equal(addDays("2026-03-01", -1), "2026-02-28");
});

test("last complete weeks wait 48 hours", () => {
  // Tuesday 1 December 2026, 23:00 UTC: Sunday 29 November ended 47 hours ago.
  const tuesday = Date.parse("2026-12-01T23:00:00Z");
  assert.deepEqual(lastCompleteWeeks(1, tuesday), {
    startDate: "2026-11-16",
    endDate: "2026-11-22",
  });
  // Wednesday 2 December, 00:00 UTC: exactly 48 hours, so the week of 23 November counts.
  const wednesday = Date.parse("2026-12-02T00:00:00Z");
  assert.deepEqual(lastCompleteWeeks(1, wednesday), {
    startDate: "2026-11-23",
    endDate: "2026-11-29",
  });
});

test("last 52 weeks span 364 days", () => {
  const range = lastCompleteWeeks(52, Date.parse("2026-12-04T12:00:00Z"));
  assert.equal(range.endDate, "2026-11-29");
  assert.equal(range.startDate, "2025-12-01");
  assert.equal(addDays(range.startDate, 363), range.endDate);
});
