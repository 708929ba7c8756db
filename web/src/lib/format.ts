// Formatting for tables and headers. Times show in the browser's time zone; calendar days
// ("YYYY-MM-DD") are shown as they are because they have no time zone.

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "medium",
});

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** Formats an ISO 8601 instant, or returns "—" for null. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}

/** Formats a duration in ms as "850 ms", "12.3 s" or "4 min 05 s". */
export function formatDurationMs(durationMs: number | null | undefined): string {
  if (durationMs === null || durationMs === undefined) return "—";
  if (durationMs < 1000) return `${Math.round(durationMs)} ms`;
  const seconds = durationMs / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return `${minutes} min ${String(rest).padStart(2, "0")} s`;
}

/** Formats a number with thousands separators and at most two decimals, or "—". */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return numberFormat.format(value);
}

/** Formats a signed percentage change such as "+12.5 %". */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const sign = value > 0 ? "+" : "";
  return `${sign}${numberFormat.format(value)} %`;
}

/** Turns an enum value such as "SUCCESS" into "Success". */
export function humanize(value: string): string {
  const lower = value.toLowerCase().replaceAll("_", " ");
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
