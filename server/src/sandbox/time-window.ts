import { TZDate } from "@date-fns/tz";
import { AmcHttpError } from "./http.ts";

// AMC time windows: `yyyy-MM-ddTHH:mm:ss` local to an IANA time zone, aligned to whole hours,
// end exclusive. The sandbox converts them to UTC instants and echoes them in UTC.

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Time window types that AMC accepts. */
export const timeWindowTypes = [
  "EXPLICIT",
  "MOST_RECENT_DAY",
  "MOST_RECENT_WEEK",
  "CURRENT_MONTH",
  "PREVIOUS_MONTH",
] as const;
export type TimeWindowType = (typeof timeWindowTypes)[number];

/** A window resolved to UTC, with the local texts that AMC echoes. */
export interface ResolvedWindow {
  startMs: number;
  endMs: number;
  localStart: string;
  localEnd: string;
  timeZone: string;
}

/** Zones `checkTimeZone` accepted; building a formatter per request would cost more. */
const checkedTimeZones = new Set<string>();

/** Throws 400 unless `timeZone` is an IANA zone that the runtime supports. */
export function checkTimeZone(timeZone: string): void {
  if (checkedTimeZones.has(timeZone)) return;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    if (checkedTimeZones.size < 1000) checkedTimeZones.add(timeZone);
  } catch {
    throw new AmcHttpError(
      400,
      `timeWindowTimeZone "${timeZone}" is not a valid IANA time zone such as UTC or America/New_York.`,
    );
  }
}

/**
 * Local times already converted, by zone and text. Executions of a backfill repeat the same few
 * hundred window edges, and converting them took about a tenth of the sandbox's CPU time in the
 * scheduler benchmark. Cleared when full.
 */
const parsedLocalTimes = new Map<string, number>();

/** Converts a local `yyyy-MM-ddTHH:mm:ss` time to epoch milliseconds; 400 when malformed. */
export function parseLocalTime(field: string, text: string, timeZone: string): number {
  const key = `${timeZone} ${text}`;
  const known = parsedLocalTimes.get(key);
  if (known !== undefined) return known;
  const ms = convertLocalTime(field, text, timeZone);
  if (parsedLocalTimes.size >= 10_000) parsedLocalTimes.clear();
  parsedLocalTimes.set(key, ms);
  return ms;
}

function convertLocalTime(field: string, text: string, timeZone: string): number {
  const match = LOCAL_TIME.exec(text);
  if (!match) {
    throw new AmcHttpError(
      400,
      `${field} "${text}" is invalid: expected yyyy-MM-ddTHH:mm:ss such as 2025-01-06T00:00:00.`,
    );
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  if (minute !== 0 || second !== 0) {
    throw new AmcHttpError(
      400,
      `${field} "${text}" is invalid: AMC time windows start and end on whole hours (mm:ss = 00:00).`,
    );
  }
  const date = new TZDate(year!, month! - 1, day!, hour!, 0, 0, timeZone);
  if (formatLocal(date.getTime(), timeZone) !== text) {
    throw new AmcHttpError(400, `${field} "${text}" is not a valid time in ${timeZone}.`);
  }
  return date.getTime();
}

/** Formats an instant as `yyyy-MM-ddTHH:mm:ss` local to `timeZone`. */
export function formatLocal(ms: number, timeZone: string): string {
  const date = new TZDate(ms, timeZone);
  const pad = (value: number) => String(value).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** Formats an instant as AMC's UTC timestamp, `yyyy-MM-ddTHH:mm:ssZ`. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Returns the window of a relative window type, computed in `timeZone` at `nowMs`. */
export function resolveRelativeWindow(
  type: Exclude<TimeWindowType, "EXPLICIT">,
  nowMs: number,
  timeZone: string,
): ResolvedWindow {
  const now = new TZDate(nowMs, timeZone);
  const today = new TZDate(now.getFullYear(), now.getMonth(), now.getDate(), timeZone);
  const monthStart = new TZDate(now.getFullYear(), now.getMonth(), 1, timeZone);
  let start: number;
  let end: number;
  switch (type) {
    case "MOST_RECENT_DAY":
      start = new TZDate(now.getFullYear(), now.getMonth(), now.getDate() - 1, timeZone).getTime();
      end = today.getTime();
      break;
    case "MOST_RECENT_WEEK":
      start = new TZDate(now.getFullYear(), now.getMonth(), now.getDate() - 7, timeZone).getTime();
      end = today.getTime();
      break;
    case "CURRENT_MONTH":
      start = monthStart.getTime();
      end = Math.max(today.getTime(), start + DAY_MS);
      break;
    case "PREVIOUS_MONTH":
      start = new TZDate(now.getFullYear(), now.getMonth() - 1, 1, timeZone).getTime();
      end = monthStart.getTime();
      break;
  }
  return {
    startMs: start,
    endMs: end,
    localStart: formatLocal(start, timeZone),
    localEnd: formatLocal(end, timeZone),
    timeZone,
  };
}
