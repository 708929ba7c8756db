import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  addDaysToDay,
  amcTimeWindow,
  dataReadyAt,
  dayToDbDate,
  dbDateToDay,
  InvalidDateError,
  isValidDay,
  planWeeks,
} from "../../src/domain/weeks.ts";

// weeks-timezones.test.ts re-runs this file under several TZ values; every expectation here
// must hold whatever the process's time zone is.

type Row = [start: string, end: string, isoWeek: string, partial: boolean];

const planningCases: { name: string; start: string; end: string; weeks: Row[] }[] = [
  {
    name: "two whole weeks",
    start: "2024-01-01",
    end: "2024-01-14",
    weeks: [
      ["2024-01-01", "2024-01-07", "2024-W01", false],
      ["2024-01-08", "2024-01-14", "2024-W02", false],
    ],
  },
  {
    name: "single day",
    start: "2024-01-01",
    end: "2024-01-01",
    weeks: [["2024-01-01", "2024-01-01", "2024-W01", true]],
  },
  {
    name: "partial last week",
    start: "2024-01-01",
    end: "2024-01-10",
    weeks: [
      ["2024-01-01", "2024-01-07", "2024-W01", false],
      ["2024-01-08", "2024-01-10", "2024-W02", true],
    ],
  },
  {
    name: "week across new year",
    start: "2024-12-30",
    end: "2025-01-05",
    weeks: [["2024-12-30", "2025-01-05", "2025-W01", false]],
  },
  {
    name: "US daylight-saving change inside",
    start: "2024-10-28",
    end: "2024-11-10",
    weeks: [
      ["2024-10-28", "2024-11-03", "2024-W44", false],
      ["2024-11-04", "2024-11-10", "2024-W45", false],
    ],
  },
  {
    name: "year with week 53",
    start: "2026-12-21",
    end: "2027-01-10",
    weeks: [
      ["2026-12-21", "2026-12-27", "2026-W52", false],
      ["2026-12-28", "2027-01-03", "2026-W53", false],
      ["2027-01-04", "2027-01-10", "2027-W01", false],
    ],
  },
  {
    name: "partial first week",
    start: "2024-01-03",
    end: "2024-01-08",
    weeks: [
      ["2024-01-03", "2024-01-07", "2024-W01", true],
      ["2024-01-08", "2024-01-08", "2024-W02", true],
    ],
  },
  {
    name: "leap day inside",
    start: "2024-02-26",
    end: "2024-03-03",
    weeks: [["2024-02-26", "2024-03-03", "2024-W09", false]],
  },
  {
    name: "EU daylight-saving change inside",
    start: "2024-03-25",
    end: "2024-03-31",
    weeks: [["2024-03-25", "2024-03-31", "2024-W13", false]],
  },
];

function rows(start: string, end: string, expandToWholeWeeks = false): Row[] {
  return planWeeks({ startDate: start, endDate: end, expandToWholeWeeks }).map((week) => [
    week.startDate,
    week.endDate,
    week.isoWeek,
    week.partial,
  ]);
}

describe(`planWeeks (TZ=${process.env.TZ ?? "unset"})`, () => {
  for (const testCase of planningCases) {
    test(`planWeeks ${testCase.name}`, () => {
      assert.deepEqual(rows(testCase.start, testCase.end), testCase.weeks);
    });
  }

  test("planWeeks expands to whole weeks", () => {
    assert.deepEqual(rows("2024-01-03", "2024-01-10", true), [
      ["2024-01-01", "2024-01-07", "2024-W01", false],
      ["2024-01-08", "2024-01-14", "2024-W02", false],
    ]);
  });

  test("planWeeks covers every day once", () => {
    // Two full years, including the 2024 leap day and both daylight-saving changes.
    const weeks = planWeeks({ startDate: "2023-06-07", endDate: "2025-06-05" });
    let expected = "2023-06-07";
    for (const week of weeks) {
      assert.equal(week.startDate, expected);
      expected = addDaysToDay(week.endDate, 1);
    }
    assert.equal(expected, "2025-06-06");
    assert.equal(new Set(weeks.map((week) => week.isoWeek)).size, weeks.length);
  });

  test("planWeeks rejects end before start", () => {
    assert.throws(
      () => planWeeks({ startDate: "2024-01-10", endDate: "2024-01-09" }),
      InvalidDateError,
    );
  });

  test("planWeeks rejects impossible dates", () => {
    for (const bad of ["2023-02-29", "2024-13-01", "2024-1-01", "20240101", "2024-01-32", ""]) {
      assert.throws(() => planWeeks({ startDate: bad, endDate: "2024-12-31" }), InvalidDateError);
    }
  });
});

describe(`date helpers (TZ=${process.env.TZ ?? "unset"})`, () => {
  test("isValidDay accepts leap days only", () => {
    assert.equal(isValidDay("2024-02-29"), true);
    assert.equal(isValidDay("2023-02-29"), false);
    assert.equal(isValidDay("2000-02-29"), true);
    assert.equal(isValidDay("1900-02-29"), false);
  });

  test("db date round trip", () => {
    for (const day of ["2024-01-01", "2024-03-31", "2024-10-27", "2024-11-03", "2026-12-31"]) {
      const date = dayToDbDate(day);
      assert.equal(date.toISOString(), `${day}T00:00:00.000Z`);
      assert.equal(dbDateToDay(date), day);
    }
  });

  test("amcTimeWindow ends the day after", () => {
    const week = { startDate: "2024-12-30", endDate: "2025-01-05" };
    assert.deepEqual(amcTimeWindow(week, "America/New_York"), {
      timeWindowStart: "2024-12-30T00:00:00",
      timeWindowEnd: "2025-01-06T00:00:00",
      timeWindowTimeZone: "America/New_York",
    });
  });

  test("amcTimeWindow rejects unknown zone", () => {
    const week = { startDate: "2024-01-01", endDate: "2024-01-07" };
    assert.throws(() => amcTimeWindow(week, "Mars/Olympus"), InvalidDateError);
  });

  const readyCases: [endDate: string, timezone: string, instant: string][] = [
    ["2024-01-07", "UTC", "2024-01-10T00:00:00.000Z"],
    ["2024-01-07", "America/New_York", "2024-01-10T05:00:00.000Z"],
    ["2024-07-07", "America/New_York", "2024-07-10T04:00:00.000Z"],
    // The window ends at 2024-11-04 00:00 EST, after the change back from EDT on 11-03.
    ["2024-11-03", "America/New_York", "2024-11-06T05:00:00.000Z"],
    ["2024-03-31", "Europe/Berlin", "2024-04-02T22:00:00.000Z"],
    ["2024-01-07", "Asia/Tokyo", "2024-01-09T15:00:00.000Z"],
    // Santiago skips midnight on 2024-09-08: that day starts at 01:00 -03, which is 04:00 UTC.
    ["2024-09-07", "America/Santiago", "2024-09-10T04:00:00.000Z"],
  ];
  for (const [endDate, timezone, instant] of readyCases) {
    test(`dataReadyAt ${endDate} in ${timezone}`, () => {
      assert.equal(dataReadyAt(endDate, timezone).toISOString(), instant);
    });
  }
});
