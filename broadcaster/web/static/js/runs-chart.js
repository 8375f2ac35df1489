/* The runs chart: stacked delivered/failed bars per run plus a duration line, sized to its
 * box so the labels keep their real pixel size on a phone. */

import { drawYAxes, drawAxisTitles } from "./axes.js";
import { $, el, svgEl } from "./dom.js";
import { fmtNum, fmtLocal, fmtDuration } from "./format.js";
import { RUN_STATUS, TRIGGER } from "./labels.js";
import { labelIndexes, niceRange } from "./scales.js";
import { CHART_RUNS, runDurationMs } from "./state.js";

/* Chart: stacked delivered/failed bars per run plus a duration line, sized to its box so
 * the labels keep their real pixel size on a phone. */
export function renderRunsChart(runs) {
  const box = $("runs-chart");
  const list = runs.slice(0, CHART_RUNS).reverse();
  if (!list.length) {
    box.replaceChildren(el("p", "empty", "暂无数据"));
    return;
  }
  const width = Math.max(300, Math.round(box.clientWidth || 800));
  const height = width < 500 ? 230 : 270;
  const m = { top: 28, right: 46, bottom: 40, left: 46 };
  const plot = { w: width - m.left - m.right, h: height - m.top - m.bottom };
  const tasks = Math.max(...list.map((r) => (Number(r.success_count) || 0) + (Number(r.failed_count) || 0)));
  const countScale = niceRange(0, Math.max(tasks, 1));
  const durations = list.map((r) => (r.finished_at ? runDurationMs(r) / 1000 : null));
  const durScale = niceRange(0, Math.max(1, ...durations.filter((d) => d !== null)));

  const svg = svgEl("svg", {
    class: "chart__svg", width, height, viewBox: `0 0 ${width} ${height}`,
    role: "img", "aria-labelledby": "runs-chart-title",
  });
  svg.append(svgEl("title", { id: "runs-chart-title" },
    `最近 ${list.length} 次回传：成功/失败任务数（柱）与耗时（线）`));
  const plotArea = svgEl("g", { transform: `translate(${m.left},${m.top})` });
  svg.append(plotArea);

  drawYAxes(plotArea, plot, { scale: countScale, key: null }, { scale: durScale, key: "dur" });
  const band = plot.w / list.length;
  list.forEach((run, i) => plotArea.append(runBar(run, i, band, plot, countScale.max)));
  plotArea.append(durationLine(list, durations, band, plot, durScale.max));
  drawXLabels(plotArea, list, band, plot);
  drawAxisTitles(svg, width, height, m, { text: "任务数", key: null }, { text: "耗时（秒）", key: "dur" },
    "回传批次（ID，左旧右新）");
  box.replaceChildren(svg, chartLegend());
}

function runBar(run, index, band, plot, countMax) {
  const ok = Number(run.success_count) || 0;
  const failed = Number(run.failed_count) || 0;
  const barW = Math.max(1, Math.min(28, band * 0.7));
  const x = index * band + (band - barW) / 2;
  const okH = (ok / countMax) * plot.h;
  const failH = (failed / countMax) * plot.h;
  const g = svgEl("g", { class: "chart__bar" });
  g.append(svgEl("title", {}, `#${run.id} · ${TRIGGER[run.trigger] || run.trigger || ""} · ` +
    `${RUN_STATUS[run.status] || run.status} · 开始 ${fmtLocal(run.started_at)}\n` +
    `成功 ${fmtNum(ok)} · 失败 ${fmtNum(failed)} · 耗时 ${fmtDuration(runDurationMs(run))}`));
  g.append(svgEl("rect", { class: "chart__hit", x: index * band, y: 0, width: band, height: plot.h }));
  if (okH > 0) g.append(svgEl("rect", { class: "chart__ok", x, y: plot.h - okH, width: barW, height: okH }));
  if (failH > 0) g.append(svgEl("rect", { class: "chart__fail", x, y: plot.h - okH - failH, width: barW, height: failH }));
  if (run.status === "running") g.classList.add("chart__bar--running");
  return g;
}

function durationLine(list, durations, band, plot, durMax) {
  const g = svgEl("g", { class: "chart__line" });
  let segment = [];
  const flush = () => {
    if (segment.length > 1) g.append(svgEl("polyline", { class: "chart__dur", points: segment.join(" ") }));
    segment = [];
  };
  durations.forEach((d, i) => {
    if (d === null) {
      flush();
      return;
    }
    const x = i * band + band / 2;
    const y = plot.h - (d / durMax) * plot.h;
    segment.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    const dot = svgEl("circle", { class: "chart__dot", cx: x.toFixed(1), cy: y.toFixed(1), r: band < 8 ? 1.5 : 2.5 });
    dot.append(svgEl("title", {}, `#${list[i].id} 耗时 ${fmtDuration(d * 1000)}`));
    g.append(dot);
  });
  flush();
  // Dots above the line so their tooltips win.
  for (const dot of Array.from(g.querySelectorAll("circle"))) g.append(dot);
  return g;
}

function drawXLabels(g, list, band, plot) {
  for (const i of labelIndexes(list.length, plot.w)) {
    const run = list[i];
    g.append(svgEl("text", { class: "chart__tick", x: i * band + band / 2, y: plot.h + 14, "text-anchor": "middle" },
      `#${run.id}`));
  }
}

function chartLegend() {
  const legend = el("ul", "chart__legend");
  for (const [cls, label] of [["ok", "成功（已送达）"], ["fail", "失败"], ["dur", "耗时"]]) {
    const item = el("li", "chart__legend-item");
    item.append(el("span", `swatch swatch--${cls}`), el("span", null, label));
    legend.append(item);
  }
  return legend;
}
