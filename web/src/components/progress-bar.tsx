import type { Progress } from "@/api/types.ts";

function share(count: number, total: number): string {
  return total === 0 ? "0%" : `${(count / total) * 100}%`;
}

/** Returns the label "38 of 52 weeks" counting weeks that finished, whatever their outcome. */
export function progressLabel(progress: Progress): string {
  const finished = progress.succeeded + progress.failed + progress.skipped + progress.cancelled;
  return `${finished} of ${progress.total} weeks`;
}

/** Stacked bar of succeeded, failed and running weeks with a text label. */
export function ProgressBar({ progress, label }: { progress: Progress; label: string }) {
  const finished = progress.succeeded + progress.failed + progress.skipped + progress.cancelled;
  const text = progressLabel(progress);
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={finished}
        aria-valuetext={text}
      >
        <span
          className="progress-succeeded"
          style={{ width: share(progress.succeeded, progress.total) }}
        />
        <span
          className="progress-failed"
          style={{ width: share(progress.failed, progress.total) }}
        />
        <span
          className="progress-running"
          style={{ width: share(progress.running, progress.total) }}
        />
      </div>
      <span className="progress-label">
        {text}
        {progress.failed > 0 ? `, ${progress.failed} failed` : ""}
      </span>
    </div>
  );
}
