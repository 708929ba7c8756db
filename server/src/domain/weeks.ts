import { TZDate } from "@date-fns/tz";
import { addDays, addHours, getISOWeek, getISOWeekYear, startOfISOWeek } from "date-fns";

// Week planning on calendar dates. Every date is a "YYYY-MM-DD" string at the edges and a
// TZDate pinned to UTC inside, so date-fns does calendar arithmetic that cannot depend on the
// server's TZ or on daylight-saving changes. Instants appear only in `dataReadyAt`, which is
// computed in the collection's IANA time zone.

/** One Monday-to-Sunday week of a range, clamped to the range. */
export interface PlannedWeek {
  /** First day, "YYYY-MM-DD", inclusive. */
  startDate: string;
  /** Last day, "YYYY-MM-DD", inclusive. */
  endDate: string;
  /** ISO 8601 week label of the week's Monday, for example "2025-W01". */
  isoWeek: string;
  /** True when the range clamps the week to fewer than seven days. */
  partial: boolean;
}

/** Input of `planWeeks`. */
export interface PlanWeeksInput {
  /** First day of the range, "YYYY-MM-DD", inclusive. */
  startDate: string;
  /** Last day of the range, "YYYY-MM-DD", inclusive. */
  endDate: string;
  /** Widen the range to the Monday before the start and the Sunday after the end. */
  expandToWholeWeeks?: boolean;
}

/** The time window of one AMC execution, in the fields AMC's create call expects. */
export interface AmcTimeWindow {
  /** "yyyy-MM-ddTHH:mm:ss", local to timeWindowTimeZone, inclusive. */
  timeWindowStart: string;
  /** "yyyy-MM-ddTHH:mm:ss", local to timeWindowTimeZone, exclusive. */
  timeWindowEnd: string;
  /** IANA time zone name. */
  timeWindowTimeZone: string;
}

/** Hours after a window ends until AMC's data for it is complete. */
export const DATA_READY_DELAY_HOURS = 48;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Error raised for a malformed or impossible date string or an unknown time zone. */
export class InvalidDateError extends RangeError {
  override name = "InvalidDateError";
}

/** Returns true when `text` is a real calendar date written as "YYYY-MM-DD". */
export function isValidDay(text: string): boolean {
  return dayEpochMsOrNull(text) !== null;
}

/** Returns midnight UTC of the day in epoch ms, or null when `text` is not a real "YYYY-MM-DD" date. */
function dayEpochMsOrNull(text: string): number | null {
  const match = DAY_PATTERN.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2023-02-29 over to March 1 (and maps years 0-99 to 1900-1999), so compare
  // the parts back.
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return null;
  }
  return date.getTime();
}

/** Parses "YYYY-MM-DD" into a UTC-pinned date; throws InvalidDateError when it is not a real date. */
export function parseDay(text: string): TZDate {
  return new TZDate(dayEpochMs(text), "UTC");
}

/** Returns midnight UTC of the day in epoch ms; throws InvalidDateError when it is not a real date. */
function dayEpochMs(text: string): number {
  const epochMs = dayEpochMsOrNull(text);
  if (epochMs === null) {
    throw new InvalidDateError(
      `"${text}" is not a valid date: expected YYYY-MM-DD, e.g. 2024-01-31.`,
    );
  }
  return epochMs;
}

/** Formats a date as "YYYY-MM-DD" in the date's own zone (UTC for dates from `parseDay`). */
export function formatDay(date: Date): string {
  const year = String(date.getFullYear()).padStart(4, "0");
  const month = String(date.getMonth() + 1).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, "0");
  return `${year}-${month}-${day}`;
}

/**
 * Returns the day `days` after `day` (negative goes back), both "YYYY-MM-DD". UTC days all last
 * 24 hours, so plain arithmetic on epoch ms is exact, and cheaper than date-fns on a TZDate.
 */
export function addDaysToDay(day: string, days: number): string {
  return new Date(dayEpochMs(day) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Returns the ISO 8601 week label ("2026-W53") of the week containing `day`. */
export function isoWeekLabel(day: string): string {
  return formatIsoWeek(parseDay(day));
}

function formatIsoWeek(date: Date): string {
  return `${getISOWeekYear(date)}-W${String(getISOWeek(date)).padStart(2, "0")}`;
}

/** Converts "YYYY-MM-DD" to the Date that Prisma reads and writes for a `@db.Date` column. */
export function dayToDbDate(day: string): Date {
  parseDay(day);
  return new Date(`${day}T00:00:00.000Z`);
}

/** Converts a `@db.Date` value from Prisma (UTC midnight) back to "YYYY-MM-DD". */
export function dbDateToDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Splits an inclusive date range into Monday-to-Sunday weeks. The first week starts on the
 * start date and the last ends on the end date, so no week requests data outside the range;
 * those clamped weeks are `partial`. Throws InvalidDateError for bad dates or an end before
 * the start. Pure: the result depends only on the arguments.
 */
export function planWeeks(input: PlanWeeksInput): PlannedWeek[] {
  let start = parseDay(input.startDate);
  let end = parseDay(input.endDate);
  if (end < start) {
    throw new InvalidDateError(
      `End date ${input.endDate} is before start date ${input.startDate}: swap them or pick a later end.`,
    );
  }
  if (input.expandToWholeWeeks) {
    start = startOfISOWeek(start);
    end = addDays(startOfISOWeek(end), 6);
  }

  // The loop stays on UTC-pinned dates and formats each week once: formatting and parsing
  // through Intl dominate the cost, and a year of weeks is planned on every create.
  const weeks: PlannedWeek[] = [];
  let weekStart: TZDate = start;
  while (weekStart <= end) {
    const monday = startOfISOWeek(weekStart);
    const sunday = addDays(monday, 6);
    const weekEnd = sunday < end ? sunday : end;
    weeks.push({
      startDate: formatDay(weekStart),
      endDate: formatDay(weekEnd),
      isoWeek: formatIsoWeek(monday),
      partial: weekStart.getTime() !== monday.getTime() || weekEnd.getTime() !== sunday.getTime(),
    });
    weekStart = addDays(weekEnd, 1);
  }
  return weeks;
}

/** Throws InvalidDateError unless `timezone` is an IANA time zone name known to this runtime's Intl data. */
export function assertTimeZone(timezone: string): void {
  if (!isValidTimeZone(timezone)) {
    throw new InvalidDateError(
      `"${timezone}" is not a known IANA time zone: use a name such as UTC or America/New_York.`,
    );
  }
}

/** Zones that `isValidTimeZone` accepted, capped at 1,000 (the IANA database has several hundred). */
const validTimeZones = new Set<string>();

/** Returns true when `timezone` is an IANA time zone name known to this runtime's Intl data. */
export function isValidTimeZone(timezone: string): boolean {
  if (timezone === "") return false;
  if (validTimeZones.has(timezone)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    return false;
  }
  // Building a formatter costs far more than a lookup, and the scheduler checks per week.
  if (validTimeZones.size < 1000) validTimeZones.add(timezone);
  return true;
}

/**
 * Builds the AMC time window of a week: `[start 00:00, day after end 00:00)`, written as local
 * wall-clock times and sent with `timeWindowTimeZone`, so AMC itself resolves the zone's
 * offsets (a week with a daylight-saving change is 167 or 169 hours long). The end is exclusive,
 * so it is the day after the week's inclusive last day. `{{end_date}}` in the SQL stays that
 * inclusive last day.
 * NOTE: where a daylight-saving change skips midnight (America/Santiago on 2024-09-08), the
 * window names a local 00:00:00 that does not exist; AMC does not document how it resolves it.
 */
export function amcTimeWindow(
  week: Pick<PlannedWeek, "startDate" | "endDate">,
  timezone: string,
): AmcTimeWindow {
  assertTimeZone(timezone);
  // A valid day formats back to its own text.
  dayEpochMs(week.startDate);
  return {
    timeWindowStart: `${week.startDate}T00:00:00`,
    timeWindowEnd: `${addDaysToDay(week.endDate, 1)}T00:00:00`,
    timeWindowTimeZone: timezone,
  };
}

/**
 * Returns the instant when AMC's data for a window ending on `weekEndDate` (inclusive) is
 * complete: midnight after that day in `timezone`, plus 48 hours.
 */
export function dataReadyAt(weekEndDate: string, timezone: string): Date {
  assertTimeZone(timezone);
  const dayAfter = parseDay(addDaysToDay(weekEndDate, 1));
  const windowEnd = new TZDate(
    dayAfter.getFullYear(),
    dayAfter.getMonth(),
    dayAfter.getDate(),
    timezone,
  );
  return new Date(addHours(windowEnd, DATA_READY_DELAY_HOURS).getTime());
}
