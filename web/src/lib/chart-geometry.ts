// Layout math of the trend chart, kept apart from React so it stays small and checkable.

/** One week of one series; `value` null is a gap (no result for that week). */
export interface TrendPoint {
  weekStart: string;
  isoWeek: string;
  value: number | null;
  partial: boolean;
  status: string;
}

/** Chart size and inner margins in SVG user units. */
export interface ChartFrame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Returns "nice" axis ticks (1, 2 or 5 times a power of ten) covering min..max. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const rawStep = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  const step =
    [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rawStep) ??
    rawStep;
  // The last tick is the first one at or above max, so no value lies above the axis.
  const ticks: number[] = [];
  for (let tick = Math.floor(min / step) * step; ; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
    if (tick >= max) break;
  }
  return ticks;
}

/** Returns x positions for `count` evenly spaced weeks inside the frame. */
export function xPositions(count: number, frame: ChartFrame): number[] {
  const inner = frame.width - frame.left - frame.right;
  if (count <= 1) return [frame.left + inner / 2];
  return Array.from({ length: count }, (_, index) => frame.left + (inner * index) / (count - 1));
}

/** Returns a function mapping a value to its y position for the given tick range. */
export function yScale(ticks: number[], frame: ChartFrame): (value: number) => number {
  const low = ticks[0] ?? 0;
  const high = ticks.at(-1) ?? 1;
  const inner = frame.height - frame.top - frame.bottom;
  return (value) => frame.top + inner - ((value - low) / (high - low || 1)) * inner;
}

/**
 * Returns SVG path data for a series, starting a new segment after every gap, so that a week
 * without a result shows as a break in the line instead of a drop to zero.
 */
export function linePath(
  values: (number | null)[],
  xs: number[],
  y: (value: number) => number,
): string {
  let path = "";
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null) {
      drawing = false;
      return;
    }
    path += `${drawing ? "L" : "M"}${xs[index]?.toFixed(1)},${y(value).toFixed(1)}`;
    drawing = true;
  });
  return path;
}
