/* A chart of views and likes over time (a task's video, or a project's totals): one line per
 * count with its own axis, round time ticks, and a hover that shows each point's time and counts. */

import { drawYAxes, drawAxisTitles, drawTimeTicks } from "./axes.js";
import { el, svgEl } from "./dom.js";
import { fmtNum, fmtLocal } from "./format.js";
import { RANGE_TEXT, drawsDots, historySeries } from "./history-data.js";
import { HOUR_MS } from "./scales.js";
import { serverNow } from "./state.js";

/* Draw `points` (historyPoints) of the last `hours` into `box`; `emptyText` when no line can be drawn,
 * `note` an extra legend item (e.g. why there are no views). */
export function drawCountChart(box, points, { hours, titleId, emptyText, note }) {
  const width = Math.max(300, Math.round(box.clientWidth || 800));
  const height = width < 500 ? 230 : 280;
  const side = width < 500 ? 50 : 64;
  const m = { top: 28, right: side, bottom: 40, left: side };
  const plot = { w: width - m.left - m.right, h: height - m.top - m.bottom };
  const series = historySeries(points, plot);
  if (!series.length) {
    box.replaceChildren(el("p", "empty", emptyText));
    return;
  }
  const end = serverNow();
  const start = end - hours * HOUR_MS;
  const x = (t) => ((Math.min(Math.max(t, start), end) - start) / (end - start)) * plot.w;

  const svg = svgEl("svg", {
    class: "chart__svg", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": titleId,
  });
  svg.append(svgEl("title", { id: titleId },
    `${RANGE_TEXT[hours] || `最近 ${hours} 小时`}的${series.map((s) => s.label).join("与")}（${points.length} 个数据点）`));
  const plotArea = svgEl("g", { transform: `translate(${m.left},${m.top})` });
  svg.append(plotArea);
  // Counts are large and move little: each axis spans its data (historySeries), not zero to the maximum.
  const [left, right] = series;
  drawYAxes(plotArea, plot, left, right);
  drawTimeTicks(plotArea, plot, start, end, x);
  for (const s of series) plotArea.append(countLine(s, x));
  drawAxisTitles(svg, width, height, m, { text: left.label, key: left.key },
    right && { text: right.label, key: right.key }, "时间（本机时区，左旧右新）");
  plotArea.append(countHover(points, series, x, plot));
  box.replaceChildren(svg, countLegend(series, note));
}

function countLine(s, x) {
  const g = svgEl("g", { class: `chart__series chart__series--${s.key}` });
  const coords = s.points.map((p) => [x(p.t), s.y(p[s.key])]);
  if (coords.length > 1) {
    g.append(svgEl("polyline", {
      class: `chart__trend chart__trend--${s.key}`,
      points: coords.map(([cx, cy]) => `${cx.toFixed(1)},${cy.toFixed(1)}`).join(" "),
    }));
  }
  if (drawsDots(coords.length)) {
    for (const [cx, cy] of coords) {
      g.append(svgEl("circle", { class: `chart__pt chart__pt--${s.key}`, cx: cx.toFixed(1), cy: cy.toFixed(1), r: 2.5 }));
    }
  }
  return g;
}

function countLegend(series, note) {
  const legend = el("ul", "chart__legend");
  for (const s of series) {
    const item = el("li", "chart__legend-item");
    item.append(el("span", `swatch swatch--${s.key}`), el("span", null, `${s.label}（${s.side === "left" ? "左轴" : "右轴"}）`));
    legend.append(item);
  }
  if (note && !series.some((s) => s.key === "views")) legend.append(el("li", "chart__legend-item muted", note));
  return legend;
}

/* Hovering (or touching) the plot shows the nearest point's exact time and counts. */
function countHover(points, series, x, plot) {
  const layer = svgEl("g", { class: "chart__hover" });
  const guide = svgEl("line", { class: "chart__guide", y1: 0, y2: plot.h, visibility: "hidden" });
  const marks = series.map((s) => svgEl("circle", { class: `chart__mark chart__mark--${s.key}`, r: 4.5, visibility: "hidden" }));
  const tip = svgEl("g", { class: "chart__tip", visibility: "hidden" });
  const box = svgEl("rect", { class: "chart__tip-box", rx: 6, ry: 6, height: 62 });
  const lines = [0, 1, 2].map((i) => svgEl("text", { class: i ? "chart__tip-text" : "chart__tip-time", x: 10, y: 19 + i * 18 }));
  tip.append(box, ...lines);
  const hit = svgEl("rect", { class: "chart__hit chart__hit--history", x: 0, y: 0, width: plot.w, height: plot.h });
  layer.append(guide, ...marks, tip, hit);

  const hide = () => [guide, tip, ...marks].forEach((node) => node.setAttribute("visibility", "hidden"));
  const show = (event) => {
    const rect = hit.getBoundingClientRect();
    if (!rect.width) return;
    const px = ((event.clientX - rect.left) / rect.width) * plot.w;
    let nearest = points[0];
    for (const p of points) if (Math.abs(x(p.t) - px) < Math.abs(x(nearest.t) - px)) nearest = p;
    const cx = x(nearest.t);
    guide.setAttribute("x1", cx);
    guide.setAttribute("x2", cx);
    guide.setAttribute("visibility", "visible");
    const ys = [];
    series.forEach((s, i) => {
      const known = nearest[s.key] !== null && nearest[s.key] !== undefined;
      marks[i].setAttribute("visibility", known ? "visible" : "hidden");
      if (!known) return;
      marks[i].setAttribute("cx", cx);
      marks[i].setAttribute("cy", s.y(nearest[s.key]));
      ys.push(s.y(nearest[s.key]));
    });
    lines[0].textContent = fmtLocal(nearest.at);
    lines[1].textContent = `播放量 ${nearest.views === null ? "—（不公开）" : fmtNum(nearest.views)}`;
    lines[2].textContent = `点赞数 ${nearest.likes === null ? "—（未知）" : fmtNum(nearest.likes)}`;
    tip.setAttribute("visibility", "visible");
    tip.dataset.at = nearest.at;
    const w = Math.ceil(Math.max(...lines.map((line) => line.getComputedTextLength()))) + 20;
    box.setAttribute("width", w);
    const tx = cx + 14 + w <= plot.w ? cx + 14 : Math.max(0, cx - 14 - w);
    const ty = Math.min(Math.max(0, (ys.length ? Math.min(...ys) : plot.h / 2) - 31), plot.h - 62);
    tip.setAttribute("transform", `translate(${tx.toFixed(1)},${ty.toFixed(1)})`);
  };
  hit.addEventListener("pointermove", show);
  hit.addEventListener("pointerdown", show);
  hit.addEventListener("pointerleave", hide);
  return layer;
}
