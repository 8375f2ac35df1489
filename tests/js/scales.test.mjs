// Axis scales and ticks of the two charts (static/js/scales.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  DAY_MS, HOUR_MS, TIME_STEPS, labelIndexes, niceRange, timeLabel, timeStep, timeTicks,
} from "../../static/js/scales.js";
import { startEachTestInUtc } from "./zone.mjs";

const close = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≉ ${expected}`);

/* A step is 1, 2 or 5 times a power of ten. */
function isRoundStep(step) {
  const mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
  return [1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-9);
}

describe("niceRange", () => {
  test("zero to a count: the runs chart's scale", () => {
    assert.deepEqual(niceRange(0, 7), { min: 0, max: 8, step: 2, ticks: 4 });
    assert.deepEqual(niceRange(0, 10), { min: 0, max: 10, step: 5, ticks: 2 });
    assert.deepEqual(niceRange(0, 1234567), { min: 0, max: 1500000, step: 500000, ticks: 3 });
    assert.deepEqual(niceRange(0, 1), { min: 0, max: 1, step: 0.5, ticks: 2 });
  });

  test("fractions keep round steps despite floating point", () => {
    const scale = niceRange(0, 0.3);
    close(scale.step, 0.1);
    close(scale.max, 0.3);
    assert.equal(scale.ticks, 3);
  });

  test("a range of large counts spans its data, not zero to the maximum", () => {
    assert.deepEqual(niceRange(12500, 12680, 1), { min: 12500, max: 12700, step: 50, ticks: 4 });
    assert.deepEqual(niceRange(1234000, 1234567, 1), { min: 1234000, max: 1234600, step: 200, ticks: 3 });
  });

  test("a flat range is padded so the line has height, never below zero for counts", () => {
    assert.deepEqual(niceRange(0, 0), { min: 0, max: 1, step: 0.5, ticks: 2 });
    assert.deepEqual(niceRange(0, 0, 1), { min: 0, max: 1, step: 1, ticks: 1 });
    assert.deepEqual(niceRange(1000, 1000, 1), { min: 950, max: 1050, step: 50, ticks: 2 });
    assert.deepEqual(niceRange(5, 5, 1), { min: 4, max: 6, step: 1, ticks: 2 });
    assert.deepEqual(niceRange(-5, -5), { min: -6, max: -4, step: 0.5, ticks: 4 });
  });

  test("minStep keeps whole-number ticks for counts", () => {
    assert.equal(niceRange(3, 4, 1).step, 1);
    assert.equal(niceRange(3, 4).step, 0.5);
  });

  test("any range: round step, covers the data, at most six ticks", () => {
    const cases = [[0, 1], [0, 3], [0, 49], [0, 50], [0, 51], [0, 99999], [7, 7], [10, 11], [-40, 260],
      [123, 98765], [0.001, 0.002], [1e9, 1e9 + 5e8]];
    for (const [lo, hi] of cases) {
      const { min, max, step, ticks } = niceRange(lo, hi);
      assert.ok(isRoundStep(step), `step ${step} of [${lo}, ${hi}]`);
      assert.ok(min <= lo && max >= hi, `[${min}, ${max}] covers [${lo}, ${hi}]`);
      assert.ok(ticks >= 1 && ticks <= 6, `${ticks} ticks for [${lo}, ${hi}]`);
      close(min + step * ticks, max);
    }
  });
});

describe("labelIndexes (thinning the runs chart's x labels)", () => {
  test("every bar labelled when there is room", () => {
    assert.deepEqual(labelIndexes(5, 900), [0, 1, 2, 3, 4]);
    assert.deepEqual(labelIndexes(1, 300), [0]);
    assert.deepEqual(labelIndexes(0, 900), []);
  });

  test("every n-th bar and always the newest, without crowding it", () => {
    assert.deepEqual(labelIndexes(50, 900), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45, 49]);
    assert.deepEqual(labelIndexes(50, 300), [0, 9, 18, 27, 36, 49]);
    // 45 would crowd the newest (48): dropped
    assert.deepEqual(labelIndexes(49, 300), [0, 9, 18, 27, 36, 48]);
    assert.deepEqual(labelIndexes(10, 100), [0, 9]);
  });

  test("at least ~48 px per label on any width", () => {
    for (const [count, width] of [[50, 208], [50, 600], [37, 454], [50, 20]]) {
      const shown = labelIndexes(count, width);
      assert.ok(shown.length <= Math.max(2, Math.floor(width / 48) + 1), `${shown.length} labels on ${width}px`);
      assert.equal(shown[shown.length - 1], count - 1);
    }
  });
});

describe("timeStep", () => {
  test("the smallest step that fits the width", () => {
    assert.equal(timeStep(24 * HOUR_MS, 800), 2 * HOUR_MS); // 14 labels fit
    assert.equal(timeStep(24 * HOUR_MS, 300), 6 * HOUR_MS); // 5 fit
    assert.equal(timeStep(7 * DAY_MS, 800), 12 * HOUR_MS);
    assert.equal(timeStep(30 * DAY_MS, 800), 5 * DAY_MS);
    assert.equal(timeStep(30 * DAY_MS, 100), 7 * DAY_MS); // never fewer than three labels' room, and never a bigger step
  });

  test("the steps grow", () => {
    assert.deepEqual([...TIME_STEPS].sort((a, b) => a - b), TIME_STEPS);
  });
});

describe("timeTicks and timeLabel in the browser's zone", () => {
  startEachTestInUtc();

  test("hour steps start on a multiple of the step", () => {
    const start = Date.UTC(2026, 11, 7, 4, 48);
    const ticks = timeTicks(start, start + 24 * HOUR_MS, 6 * HOUR_MS);
    assert.deepEqual(ticks.map((t) => new Date(t).toISOString().slice(5, 16)),
      ["12-07T06:00", "12-07T12:00", "12-07T18:00", "12-08T00:00"]);
  });

  test("day steps land on local midnights", () => {
    const start = Date.UTC(2026, 11, 1, 10);
    const ticks = timeTicks(start, start + 7 * DAY_MS, DAY_MS);
    assert.equal(ticks.length, 7);
    assert.ok(ticks.every((t) => new Date(t).getUTCHours() === 0));
  });

  test("ticks stay within the window, a tick on its start included", () => {
    const start = Date.UTC(2026, 11, 7, 0);
    const ticks = timeTicks(start, start + 3 * HOUR_MS, HOUR_MS);
    assert.deepEqual(ticks, [0, 1, 2, 3].map((h) => start + h * HOUR_MS));
  });

  test("Shanghai: the midnights are Shanghai's", () => {
    process.env.TZ = "Asia/Shanghai";
    const start = Date.UTC(2026, 11, 1, 10);
    const ticks = timeTicks(start, start + 3 * DAY_MS, DAY_MS);
    assert.ok(ticks.every((t) => new Date(t).getUTCHours() === 16), ticks.map((t) => new Date(t).toISOString()).join());
    assert.equal(timeLabel(ticks[0], DAY_MS), "12-02");
  });

  test("daylight saving: a day step keeps to midnight across the change", () => {
    process.env.TZ = "America/Los_Angeles";
    const start = Date.UTC(2026, 2, 6, 12); // 2026-03-06 04:00 PST; clocks go forward on 03-08
    const ticks = timeTicks(start, start + 4 * DAY_MS, DAY_MS);
    assert.deepEqual(ticks.map((t) => timeLabel(t, HOUR_MS)), ["03-07", "03-08", "03-09", "03-10"]);
    assert.equal(ticks[2] - ticks[1], 23 * HOUR_MS);
  });

  test("labels: a day for day steps and midnights, a clock time otherwise", () => {
    assert.equal(timeLabel(Date.UTC(2026, 0, 5, 0, 0), DAY_MS), "01-05");
    assert.equal(timeLabel(Date.UTC(2026, 0, 5, 0, 0), HOUR_MS), "01-05");
    assert.equal(timeLabel(Date.UTC(2026, 0, 5, 6, 0), HOUR_MS), "06:00");
    assert.equal(timeLabel(Date.UTC(2026, 0, 5, 6, 0), 2 * DAY_MS), "01-05");
  });
});
