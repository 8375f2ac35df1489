/* Axis scales and ticks shared by the two charts (pure: no DOM). */

import { pad2 } from "./format.js";

export const HOUR_MS = 3600 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export const TIME_STEPS = [HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 4 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS,
  2 * DAY_MS, 5 * DAY_MS, 7 * DAY_MS];

/* An axis from a round number below `lo` to one above `hi` with 3-6 round ticks (steps of 1, 2
   or 5 times a power of ten, at least `minStep`); a flat range is padded so it has height. */
export function niceRange(lo, hi, minStep = 0) {
  let low = lo;
  let high = hi;
  if (high === low) {
    const pad = Math.max(1, Math.abs(high) * 0.05);
    low = lo >= 0 ? Math.max(0, low - pad) : low - pad;
    high += pad;
  }
  const rough = (high - low) / 4;
  const exp = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = Math.max(minStep, [1, 2, 5, 10].map((f) => f * exp).find((s) => s >= rough));
  const min = Math.floor(low / step) * step;
  const max = Math.max(min + step, Math.ceil(high / step) * step);
  return { min, max, step, ticks: Math.round((max - min) / step) };
}

/* Which of `count` bars get a label so each has ~`spacing` px: every n-th from the first, and
   always the last (dropping the n-th before it when the two would crowd). */
export function labelIndexes(count, width, spacing = 48) {
  const every = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(width / spacing))));
  const indexes = [];
  for (let i = 0; i < count; i += 1) {
    if (i % every !== 0 && i !== count - 1) continue;
    if (i !== count - 1 && count - 1 - i < every) continue;
    indexes.push(i);
  }
  return indexes;
}

/* The smallest round time step that leaves ~`spacing` px per label on a `width` px wide axis. */
export function timeStep(spanMs, width, spacing = 56) {
  const fit = Math.max(3, Math.floor(width / spacing));
  return TIME_STEPS.find((s) => spanMs / s <= fit) || TIME_STEPS[TIME_STEPS.length - 1];
}

/* Round local times (whole hours, midnights) from `start` to `end`, `step` apart. */
export function timeTicks(start, end, step) {
  const tick = new Date(start);
  tick.setMinutes(0, 0, 0);
  if (step >= DAY_MS) tick.setHours(0);
  else tick.setHours(Math.floor(tick.getHours() / (step / HOUR_MS)) * (step / HOUR_MS));
  const ticks = [];
  // Calendar steps, so a daylight-saving day keeps the ticks on midnight.
  while (tick.getTime() <= end) {
    if (tick.getTime() >= start) ticks.push(tick.getTime());
    if (step >= DAY_MS) tick.setDate(tick.getDate() + step / DAY_MS);
    else tick.setHours(tick.getHours() + step / HOUR_MS);
  }
  return ticks;
}

export function timeLabel(t, step) {
  const d = new Date(t);
  const day = `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  if (step >= DAY_MS || (d.getHours() === 0 && d.getMinutes() === 0)) return day;
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}
