"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { PreviewWeeksQuery } from "@/api/documents.ts";
import { describeError } from "@/api/user-errors.ts";
import { useDebounced } from "@/lib/use-debounced.ts";

interface PreviewWeek {
  startDate: string;
  endDate: string;
  isoWeek: string;
  partial: boolean;
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

function isValidRange(range: { startDate: string; endDate: string }): boolean {
  const daysValid = dayPattern.test(range.startDate) && dayPattern.test(range.endDate);
  return daysValid && range.startDate <= range.endDate;
}

/** Live preview of the weeks a new collection would get, computed by the server. */
export function WeekPreview(props: { startDate: string; endDate: string; timezone: string }) {
  // Debounced by value: the props object is new on every render of the form.
  const debouncedKey = useDebounced(JSON.stringify(props), 250);
  const variables = useMemo(() => JSON.parse(debouncedKey) as typeof props, [debouncedKey]);
  // Validity follows the current input at once, so the preview of an older range never shows
  // beside a range that has none.
  const valid = isValidRange(props) && isValidRange(variables);
  const [{ data, fetching, error }] = useQuery<{ previewWeeks: PreviewWeek[] }>({
    query: PreviewWeeksQuery,
    variables,
    pause: !valid,
  });

  if (!valid)
    return <p className="muted">Choose a start date on or before the end date to see the weeks.</p>;
  const message = describeError(error);
  if (message) return <p className="error-text">Preview failed: {message}</p>;
  const weeks = data?.previewWeeks;
  if (!weeks) return <p aria-busy={fetching}>Computing weeks…</p>;
  const partial = weeks.filter((week) => week.partial);
  const first = weeks[0];
  const last = weeks.at(-1);
  return (
    <div data-testid="week-preview">
      <p>
        <strong>{weeks.length} weeks</strong>
        {first && last && (
          <>
            {" "}
            from {first.isoWeek} ({first.startDate}) to {last.isoWeek} ({last.endDate})
          </>
        )}
      </p>
      {partial.length > 0 ? (
        <p className="muted">
          Partial weeks (fewer than 7 days):{" "}
          {partial
            .map((week) => `${week.isoWeek} (${week.startDate} – ${week.endDate})`)
            .join(", ")}
        </p>
      ) : (
        <p className="muted">Every week is a full Monday-to-Sunday week.</p>
      )}
    </div>
  );
}
