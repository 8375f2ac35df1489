/* A task's count history: the chart of views and likes over 24 h, 7 or 30 days. */

import { drawYAxes, drawAxisTitles, drawTimeTicks } from "./axes.js";
import { $, el, svgEl } from "./dom.js";
import { fmtNum, fmtLocal, signed } from "./format.js";
import { RANGE_TEXT, drawsDots, historyPoints, historySeries } from "./history-data.js";
import { apiData } from "./http.js";
import { PLATFORM } from "./labels.js";
import { HOUR_MS } from "./scales.js";
import { state, serverNow } from "./state.js";
import { taskById } from "./tasks.js";

const HISTORY_HOURS = [24, 168, 720];

export function openTaskHistory(id) {
  state.history.taskId = String(id);
  state.history.data = null;
  for (const tr of $("tasks-table").tBodies[0].rows) tr.classList.toggle("row--selected", tr.dataset.taskId === String(id));
  const task = taskById(id);
  $("task-history-title").textContent = `任务 #${id}${task && task.title ? `「${task.title}」` : ""}的数据走势`;
  const section = $("task-history");
  section.hidden = false;
  loadTaskHistory();
  section.scrollIntoView({ block: "nearest" });
}

export function closeTaskHistory() {
  state.history.taskId = null;
  state.history.data = null;
  state.history.seq += 1;
  $("task-history").hidden = true;
  for (const tr of $("tasks-table").tBodies[0].rows) tr.classList.remove("row--selected");
}

export function selectHistoryRange(hours) {
  if (!HISTORY_HOURS.includes(hours)) return;
  state.history.hours = hours;
  loadTaskHistory();
}

function renderRangeButtons() {
  for (const btn of document.querySelectorAll("#task-history .range-btn")) {
    const on = Number(btn.dataset.hours) === state.history.hours;
    btn.setAttribute("aria-pressed", String(on));
    btn.classList.toggle("btn--on", on);
  }
}

async function loadTaskHistory() {
  const { taskId, hours } = state.history;
  if (taskId === null) return;
  const seq = ++state.history.seq;
  renderRangeButtons();
  $("task-history-summary").textContent = "加载中…";
  $("history-chart").replaceChildren(el("p", "empty", "加载中…"));
  try {
    const data = await apiData(`/tasks/${encodeURIComponent(taskId)}/history?hours=${hours}`);
    if (seq !== state.history.seq) return;
    state.history.data = data;
    renderHistoryChart();
  } catch (err) {
    if (seq !== state.history.seq) return;
    $("task-history-summary").textContent = "";
    $("history-chart").replaceChildren(el("p", "empty", `⚠️ 加载失败：${err.message}`));
  }
}

function renderHistorySummary(data, points) {
  const task = taskById(data.task_id);
  const parts = [PLATFORM[data.platform] || data.platform || "平台未知"];
  if (task) parts.push(`当前 播放 ${fmtNum(task.view_count)} / 点赞 ${fmtNum(task.like_count)}`);
  parts.push(`${RANGE_TEXT[state.history.hours]}内 ${fmtNum(points.length)} 个数据点`);
  if (points.length > 1) {
    const first = points[0];
    const last = points[points.length - 1];
    const change = (key) => (first[key] === null || last[key] === null ? NaN : last[key] - first[key]);
    parts.push(`期间 播放 ${signed(change("views"))} · 点赞 ${signed(change("likes"))}`);
  }
  $("task-history-summary").textContent = parts.join(" · ");
}

export function renderHistoryChart() {
  const data = state.history.data;
  const box = $("history-chart");
  const points = historyPoints(data.points);
  renderHistorySummary(data, points);
  const width = Math.max(300, Math.round(box.clientWidth || 800));
  const height = width < 500 ? 230 : 280;
  const side = width < 500 ? 50 : 64;
  const m = { top: 28, right: side, bottom: 40, left: side };
  const plot = { w: width - m.left - m.right, h: height - m.top - m.bottom };
  const series = historySeries(points, plot);
  if (!series.length) {
    box.replaceChildren(el("p", "empty", data.platform
      ? `${RANGE_TEXT[state.history.hours]}内没有记录到计数变化（只在读取到的计数有变化时记一个点）`
      : "该任务的视频还没有读取过计数"));
    return;
  }
  const end = serverNow();
  const start = end - state.history.hours * HOUR_MS;
  const x = (t) => ((Math.min(Math.max(t, start), end) - start) / (end - start)) * plot.w;

  const svg = svgEl("svg", {
    class: "chart__svg", width, height, viewBox: `0 0 ${width} ${height}`,
    role: "img", "aria-labelledby": "history-chart-title",
  });
  svg.append(svgEl("title", { id: "history-chart-title" },
    `${RANGE_TEXT[state.history.hours]}的${series.map((s) => s.label).join("与")}（${points.length} 个数据点）`));
  const plotArea = svgEl("g", { transform: `translate(${m.left},${m.top})` });
  svg.append(plotArea);
  // Counts are large and move little: each axis spans its data (historySeries), not zero to the maximum.
  const [left, right] = series;
  drawYAxes(plotArea, plot, left, right);
  drawTimeTicks(plotArea, plot, start, end, x);
  for (const s of series) plotArea.append(historyLine(s, x));
  drawAxisTitles(svg, width, height, m, { text: left.label, key: left.key },
    right && { text: right.label, key: right.key }, "时间（本机时区，左旧右新）");
  plotArea.append(historyHover(points, series, x, plot));
  box.replaceChildren(svg, historyLegend(series, data.platform));
}

function historyLine(s, x) {
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

function historyLegend(series, platform) {
  const legend = el("ul", "chart__legend");
  for (const s of series) {
    const item = el("li", "chart__legend-item");
    item.append(el("span", `swatch swatch--${s.key}`), el("span", null, `${s.label}（${s.side === "left" ? "左轴" : "右轴"}）`));
    legend.append(item);
  }
  if (!series.some((s) => s.key === "views") && platform === "douyin") {
    legend.append(el("li", "chart__legend-item muted", "抖音不公开播放量"));
  }
  return legend;
}

/* Hovering (or touching) the plot shows the nearest point's exact time and counts. */
function historyHover(points, series, x, plot) {
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
