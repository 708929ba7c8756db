// Calendar arithmetic on "YYYY-MM-DD" days, done in UTC so the browser's time zone never
// shifts a day.

const dayMs = 24 * 60 * 60 * 1000;

/** Hours after the end of a day until AMC's data for it is complete. */
export const dataCompleteAfterHours = 48;

function toDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function parseDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** Returns the day `days` after `day` (negative for earlier). */
export function addDays(day: string, days: number): string {
  return toDay(new Date(parseDay(day).getTime() + days * dayMs));
}

/** Returns the Monday of the ISO week that contains `day`. */
export function mondayOf(day: string): string {
  const weekday = parseDay(day).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/**
 * Returns the last `weeks` complete Monday-to-Sunday weeks whose data AMC has finished
 * loading at `nowMs`: a week counts once 48 hours have passed since the end of its Sunday.
 * Days are taken in UTC; the server clamps and checks the range again for the chosen time zone.
 */
export function lastCompleteWeeks(
  weeks: number,
  nowMs: number = Date.now(),
): {
  startDate: string;
  endDate: string;
} {
  // The latest day whose data is complete ended at least 48 hours ago.
  const latestCompleteDay = toDay(
    new Date(nowMs - dataCompleteAfterHours * 60 * 60 * 1000 - dayMs),
  );
  const lastSunday = addDays(mondayOf(addDays(latestCompleteDay, 1)), -1);
  const firstMonday = addDays(lastSunday, -(weeks * 7) + 1);
  return { startDate: firstMonday, endDate: lastSunday };
}
