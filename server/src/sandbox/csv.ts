// CSV as AMC writes result files: a header row, comma separators, CRLF-free "\n" line ends,
// and fields quoted (with doubled quotes) only when they contain a comma, quote or line break.

/** Formats one field. Null and undefined become an empty field. */
export function formatCsvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Formats one record with its trailing line break. */
export function formatCsvRecord(values: readonly unknown[]): string {
  return values.map(formatCsvField).join(",") + "\n";
}

/** Splits a header and rows into CSV files of at most about `maxBytes` each, every one headed. */
export function splitCsv(header: string[], rows: unknown[][], maxBytes: number): Buffer[] {
  const headerLine = formatCsvRecord(header);
  const parts: Buffer[] = [];
  let current: string[] = [headerLine];
  let size = Buffer.byteLength(headerLine);
  for (const row of rows) {
    const line = formatCsvRecord(row);
    const lineBytes = Buffer.byteLength(line);
    if (current.length > 1 && size + lineBytes > maxBytes) {
      parts.push(Buffer.from(current.join("")));
      current = [headerLine];
      size = Buffer.byteLength(headerLine);
    }
    current.push(line);
    size += lineBytes;
  }
  parts.push(Buffer.from(current.join("")));
  return parts;
}
