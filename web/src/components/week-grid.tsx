"use client";

import Link from "next/link";
import { useRef, useState, type KeyboardEvent } from "react";
import type { Week, WeekStatus } from "@/api/types.ts";
import { humanize } from "@/lib/format.ts";

const legendStatuses: WeekStatus[] = [
  "PENDING",
  "RUNNING",
  "SUCCESS",
  "FAILED",
  "SKIPPED",
  "CANCELLED",
];

/** Returns the accessible name of a week cell, such as "2025-W02, 6 to 12 Jan: Success". */
function describeWeek(week: Week): string {
  const partial = week.partial ? ", partial week" : "";
  const error = week.status === "FAILED" && week.errorMessage ? ` (${week.errorMessage})` : "";
  return `${week.isoWeek}, ${week.startDate} to ${week.endDate}${partial}: ${humanize(week.status)}${error}`;
}

/** Number of columns the CSS grid currently shows, for Up and Down arrow moves. */
function columnCount(grid: HTMLElement | null): number {
  if (!grid) return 1;
  const columns = getComputedStyle(grid).gridTemplateColumns.split(" ").filter(Boolean).length;
  return Math.max(1, columns);
}

/**
 * Renders one cell per week, coloured by status. The grid is a single Tab stop (a roving
 * tabindex). Arrow keys, Home and End move between weeks, and Enter opens the focused week.
 */
export function WeekGrid({ weeks, label }: { weeks: Week[]; label: string }) {
  const [activeIndex, setActiveIndex] = useState(0);
  const gridRef = useRef<HTMLDivElement>(null);
  const cellRefs = useRef<(HTMLAnchorElement | null)[]>([]);
  const focusIndex = Math.min(activeIndex, Math.max(0, weeks.length - 1));

  const moveTo = (index: number) => {
    const clamped = Math.min(Math.max(index, 0), weeks.length - 1);
    setActiveIndex(clamped);
    cellRefs.current[clamped]?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const columns = columnCount(gridRef.current);
    const moves: Record<string, number> = {
      ArrowRight: focusIndex + 1,
      ArrowLeft: focusIndex - 1,
      ArrowDown: focusIndex + columns,
      ArrowUp: focusIndex - columns,
      Home: 0,
      End: weeks.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    moveTo(target);
  };

  return (
    <div>
      <div
        className="week-grid"
        role="group"
        aria-label={label}
        ref={gridRef}
        onKeyDown={onKeyDown}
      >
        {weeks.map((week, index) => (
          <Link
            key={week.id}
            href={`/weeks/${encodeURIComponent(week.id)}`}
            ref={(element) => {
              cellRefs.current[index] = element;
            }}
            className={`week-cell week-${week.status}`}
            data-status={week.status}
            data-partial={week.partial}
            data-testid="week-cell"
            tabIndex={index === focusIndex ? 0 : -1}
            aria-label={describeWeek(week)}
            title={describeWeek(week)}
            onFocus={() => setActiveIndex(index)}
          />
        ))}
      </div>
      <ul className="legend" aria-label="Week colours">
        {legendStatuses.map((status) => (
          <li key={status}>
            <span className={`legend-swatch week-cell week-${status}`} aria-hidden="true" />
            {humanize(status)}
          </li>
        ))}
        <li>
          <span
            className="legend-swatch week-cell week-SUCCESS"
            data-partial="true"
            aria-hidden="true"
          />
          Partial week (striped)
        </li>
      </ul>
    </div>
  );
}
