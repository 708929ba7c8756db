import { formatDateTime, humanize } from "@/lib/format.ts";

/** One entry of an execution's timeline. */
export interface TimelineEvent {
  time: string;
  kind: string;
  message: string;
}

/** Submits, status changes, throttling waits, retries and errors of an execution, oldest first. */
export function Timeline({ events, label }: { events: TimelineEvent[]; label: string }) {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline" aria-label={label}>
      {events.map((event, index) => (
        <li key={`${event.time}-${index}`} className={`kind-${event.kind}`}>
          <time dateTime={event.time}>{formatDateTime(event.time)}</time> ·{" "}
          <strong>{humanize(event.kind)}</strong>
          <div>{event.message}</div>
        </li>
      ))}
    </ol>
  );
}
