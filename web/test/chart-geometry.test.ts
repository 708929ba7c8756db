import assert from "node:assert/strict";
import { test } from "node:test";
import {
  linePath,
  niceTicks,
  xPositions,
  yScale,
  type ChartFrame,
} from "../src/lib/chart-geometry.ts";

const frame: ChartFrame = { width: 100, height: 100, left: 0, right: 0, top: 0, bottom: 0 };

test("niceTicks covers the range", () => {
  const ticks = niceTicks(0, 930);
  assert.equal(ticks[0], 0);
  assert.ok((ticks.at(-1) ?? 0) >= 930);
  assert.deepEqual(ticks.slice(0, 3), [0, 200, 400]);
});

test("niceTicks top tick reaches the maximum", () => {
  // 1148 with a step of 500 once ended at 1000 and drew the peak above the axis.
  const ticks = niceTicks(0, 1148);
  assert.ok(ticks.at(-1)! >= 1148, `top tick ${ticks.at(-1)} is below 1148`);
  assert.equal(ticks[0], 0);
});

test("niceTicks widens a flat range", () => {
  const ticks = niceTicks(5, 5);
  assert.ok(ticks.length >= 2);
  assert.ok((ticks[0] ?? 5) < 5);
  assert.ok((ticks.at(-1) ?? 5) > 5);
});

test("linePath breaks at gaps", () => {
  const xs = xPositions(4, frame);
  const y = yScale([0, 10], frame);
  const path = linePath([0, 10, null, 5], xs, y);
  assert.equal(path, "M0.0,100.0L33.3,0.0M100.0,50.0");
});

test("xPositions centres a single week", () => {
  assert.deepEqual(xPositions(1, frame), [50]);
});
