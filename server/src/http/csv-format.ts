// CSV output as RFC 4180 describes it: CRLF line ends, and fields that contain a comma, a
// quote, a line break or surrounding spaces are quoted with inner quotes doubled.

/** Returns one CSV field; null becomes an empty field. */
export function formatCsvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  if (!/[",\r\n]|^\s|\s$/.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

/** Returns one CSV line with its CRLF ending. */
export function formatCsvLine(
  values: readonly (string | number | boolean | null | undefined)[],
): string {
  return `${values.map(formatCsvField).join(",")}\r\n`;
}
