/* SVG axes of the charts: the count gridlines and ticks, the axis titles and the time ticks. */

import { svgEl } from "./dom.js";
import { compactNumber } from "./format.js";
import { timeLabel, timeStep, timeTicks } from "./scales.js";

/* Gridlines and ticks of the left axis, ticks of the optional right one. A side is
   { scale, key }; `key` adds a modifier class to its ticks (null: none). */
export function drawYAxes(g, plot, left, right) {
  const tickClass = (side) => (side.key ? `chart__tick chart__tick--${side.key}` : "chart__tick");
  for (let i = 0; i <= left.scale.ticks; i += 1) {
    const y = plot.h - (plot.h * i) / left.scale.ticks;
    g.append(svgEl("line", { class: "chart__grid", x1: 0, x2: plot.w, y1: y, y2: y }));
    g.append(svgEl("text", { class: tickClass(left), x: -6, y: y + 4, "text-anchor": "end" },
      compactNumber(left.scale.min + left.scale.step * i)));
  }
  for (let i = 0; right && i <= right.scale.ticks; i += 1) {
    const y = plot.h - (plot.h * i) / right.scale.ticks;
    g.append(svgEl("text", { class: tickClass(right), x: plot.w + 6, y: y + 4, "text-anchor": "start" },
      compactNumber(right.scale.min + right.scale.step * i)));
  }
  g.append(svgEl("line", { class: "chart__axis", x1: 0, x2: plot.w, y1: plot.h, y2: plot.h }));
}

/* Each axis's title above it ({ text, key }, as the sides of drawYAxes), and the time axis's below. */
export function drawAxisTitles(svg, width, height, m, left, right, bottom) {
  const labelClass = (side) => (side.key ? `chart__label chart__label--${side.key}` : "chart__label");
  svg.append(svgEl("text", { class: labelClass(left), x: 4, y: 14, "text-anchor": "start" }, left.text));
  if (right) {
    svg.append(svgEl("text", { class: labelClass(right), x: width - 4, y: 14, "text-anchor": "end" }, right.text));
  }
  svg.append(svgEl("text", { class: "chart__label", x: m.left + (width - m.left - m.right) / 2, y: height - 6,
    "text-anchor": "middle" }, bottom));
}

/* Round local times (whole hours, midnights) at a step that leaves ~56 px per label. */
export function drawTimeTicks(g, plot, start, end, x) {
  const step = timeStep(end - start, plot.w);
  for (const t of timeTicks(start, end, step)) {
    const px = x(t);
    g.append(svgEl("line", { class: "chart__grid chart__grid--time", x1: px, x2: px, y1: 0, y2: plot.h }));
    g.append(svgEl("text", { class: "chart__tick", x: px, y: plot.h + 15, "text-anchor": "middle" }, timeLabel(t, step)));
  }
}
