// Human and machine output of the command-line tool.

/** Output settings shared by every command. */
export interface Output {
  json: boolean;
}

/** Writes `value` as JSON (with --json) or the human text that `render` returns. */
export function print(output: Output, value: unknown, render: () => string): void {
  process.stdout.write(output.json ? JSON.stringify(value, null, 2) + "\n" : render() + "\n");
}

/** Pads each column of `rows` to its widest cell. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** Renders `done` of `total` as a 30-character bar with the counts. */
export function formatProgressBar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done} of ${total} weeks`;
}
