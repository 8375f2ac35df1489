/* A task's count history as chart data (pure: no DOM). */

import { parseTime } from "./format.js";
import { niceRange } from "./scales.js";

export const RANGE_TEXT = { 24: "最近 24 小时", 168: "最近 7 天", 720: "最近 30 天" };
export const SERIES = { views: "播放量", likes: "点赞数" };
export const MAX_DOTS = 120;

/* Beyond MAX_DOTS points the line alone reads better; hovering still shows each point. */
export function drawsDots(count) {
  return count <= MAX_DOTS;
}

/* The answer's points with their time in ms (`t`), dropping any whose time does not parse. */
export function historyPoints(raw) {
  return (raw || []).map((p) => ({ ...p, t: parseTime(p.at) })).filter((p) => p.t !== null);
}

/* One line per count the video has; each gets its own axis (views left, likes right),
 * because a video's likes are a small fraction of its views. */
export function historySeries(points, plot) {
  const series = [];
  for (const key of Object.keys(SERIES)) {
    const known = points.filter((p) => p[key] !== null && p[key] !== undefined);
    if (!known.length) continue;
    const values = known.map((p) => p[key]);
    const scale = niceRange(Math.min(...values), Math.max(...values), 1);
    const y = (v) => plot.h - ((v - scale.min) / (scale.max - scale.min)) * plot.h;
    series.push({ key, label: SERIES[key], points: known, scale, y, side: series.length ? "right" : "left" });
  }
  return series;
}
