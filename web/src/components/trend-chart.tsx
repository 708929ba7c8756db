import {
  linePath,
  niceTicks,
  xPositions,
  yScale,
  type ChartFrame,
  type TrendPoint,
} from "@/lib/chart-geometry.ts";
import { formatNumber } from "@/lib/format.ts";

/** A named line of the chart, one point per week. */
export interface TrendSeries {
  name: string;
  points: TrendPoint[];
}

const frame: ChartFrame = { width: 960, height: 320, left: 70, right: 20, top: 16, bottom: 48 };
const palette = [
  "#1f5fbf",
  "#d9480f",
  "#2b8a3e",
  "#862e9c",
  "#c2255c",
  "#1098ad",
  "#e67700",
  "#495057",
];

/** Hand-written SVG line chart: gaps break the line, partial weeks have hollow markers. */
export function TrendChart({ series, title }: { series: TrendSeries[]; title: string }) {
  const weeks = series[0]?.points ?? [];
  const values = series
    .flatMap((line) => line.points.map((point) => point.value))
    .filter((value) => value !== null);
  if (weeks.length === 0) return <p className="muted">No weeks to chart yet.</p>;

  const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values));
  const xs = xPositions(weeks.length, frame);
  const y = yScale(ticks, frame);
  const labelEvery = Math.max(1, Math.ceil(weeks.length / 12));
  const baseline = frame.height - frame.bottom;

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-labelledby="trend-title">
        <title id="trend-title">{title}</title>
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              className="chart-axis"
              x1={frame.left}
              x2={frame.width - frame.right}
              y1={y(tick)}
              y2={y(tick)}
            />
            <text className="chart-label" x={frame.left - 8} y={y(tick) + 4} textAnchor="end">
              {formatNumber(tick)}
            </text>
          </g>
        ))}
        {weeks.map((week, index) =>
          index % labelEvery === 0 ? (
            <text
              key={week.isoWeek}
              className="chart-label"
              x={xs[index]}
              y={baseline + 18}
              textAnchor="middle"
            >
              {week.isoWeek.replace(/^\d{4}-/, "")}
            </text>
          ) : null,
        )}
        {weeks.map((week, index) =>
          week.value === null && series.every((line) => line.points[index]?.value === null) ? (
            <rect
              key={`gap-${week.isoWeek}`}
              data-testid="trend-gap"
              x={(xs[index] ?? 0) - 3}
              y={baseline - 6}
              width={6}
              height={6}
              fill="#c8322c"
            >
              <title>{`${week.isoWeek}: no result (${week.status.toLowerCase()})`}</title>
            </rect>
          ) : null,
        )}
        {series.map((line, seriesIndex) => {
          const color = palette[seriesIndex % palette.length];
          const seriesValues = line.points.map((point) => point.value);
          return (
            <g key={line.name} data-series={line.name}>
              <path className="chart-line" d={linePath(seriesValues, xs, y)} stroke={color} />
              {line.points.map((point, index) =>
                point.value === null ? null : (
                  <circle
                    key={point.isoWeek}
                    data-testid="trend-point"
                    data-partial={point.partial}
                    cx={xs[index]}
                    cy={y(point.value)}
                    r={point.partial ? 4.5 : 3.5}
                    fill={point.partial ? "#fff" : color}
                    stroke={color}
                    strokeWidth={point.partial ? 2 : 1}
                  >
                    <title>{`${line.name} · ${point.isoWeek}: ${formatNumber(point.value)}${point.partial ? " (partial week)" : ""}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend">
          {series.map((line, index) => (
            <li key={line.name}>
              <span
                className="legend-swatch"
                style={{ background: palette[index % palette.length] }}
                aria-hidden="true"
              />
              {line.name}
            </li>
          ))}
          <li>Hollow marker: partial week</li>
          <li>
            <span className="legend-swatch" style={{ background: "#c8322c" }} aria-hidden="true" />
            Week without a result (gap)
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}
