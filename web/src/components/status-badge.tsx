import { humanize } from "@/lib/format.ts";

/** Coloured status label; the text carries the meaning, the colour only repeats it. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`status status-${status}`} data-status={status}>
      {humanize(status)}
    </span>
  );
}
