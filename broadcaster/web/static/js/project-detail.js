/* One project: its totals, the chart of its total views and likes over 24 h, 7 or 30 days (a
 * point per hour), and its tasks most viewed first, each opening its own chart (history.js). */

import { $, el, badge, cell, labelCells, placeholderRow } from "./dom.js";
import { fmtLocal, fmtNum } from "./format.js";
import { drawCountChart } from "./history-chart.js";
import { RANGE_TEXT, historyPoints } from "./history-data.js";
import { TaskHistory } from "./history.js";
import { apiData } from "./http.js";
import { PLATFORM, TASK_STATUS, TONE } from "./labels.js";
import { PROJECT_ITEMS, projectFiguresText } from "./project-query.js";
import { countsCell, taskTitleCell } from "./tasks.js";

const RANGES = [24, 168, 720];
const COLUMNS = 5;

export const projectDetail = { projectId: null, hours: 168, data: null, asOf: null, seq: 0 };

/* The chart panel of a task in the project's list. */
export const projectTaskHistory = new TaskHistory({
  section: "project-task-history", title: "project-task-history-title", summary: "project-task-history-summary",
  chart: "project-task-history-chart", close: "project-task-history-close", table: "project-tasks-table",
}, (id) => (projectDetail.data ? projectDetail.data.items.find((t) => String(t.task_id) === String(id)) : null) || null);

function stallDays() {
  return document.body.dataset.stallDays || "3";
}

export function openProject(projectId) {
  if (projectDetail.projectId !== projectId) projectTaskHistory.close();
  projectDetail.projectId = projectId;
  projectDetail.data = null;
  $("project-detail-title").textContent = `项目 ${projectId}`;
  const section = $("project-detail");
  section.hidden = false;
  loadProject();
  section.scrollIntoView({ block: "nearest" });
}

export function closeProject() {
  projectDetail.projectId = null;
  projectDetail.data = null;
  projectDetail.seq += 1;
  projectTaskHistory.close();
  $("project-detail").hidden = true;
  for (const row of $("projects-table").tBodies[0].rows) row.classList.remove("row--selected");
}

export function selectProjectRange(hours) {
  if (!RANGES.includes(hours)) return;
  projectDetail.hours = hours;
  loadProject();
}

function renderRangeButtons() {
  for (const btn of document.querySelectorAll("#project-detail > .run-detail__head .range-btn")) {
    const on = Number(btn.dataset.hours) === projectDetail.hours;
    btn.setAttribute("aria-pressed", String(on));
    btn.classList.toggle("btn--on", on);
  }
}

async function loadProject() {
  const { projectId, hours } = projectDetail;
  if (projectId === null) return;
  const seq = ++projectDetail.seq;
  renderRangeButtons();
  $("project-detail-summary").textContent = "加载中…";
  $("project-chart").replaceChildren(el("p", "empty", "加载中…"));
  try {
    const data = await apiData(`/projects/${encodeURIComponent(projectId)}?hours=${hours}&limit=${PROJECT_ITEMS}`);
    if (seq !== projectDetail.seq) return;
    projectDetail.data = data;
    renderProject();
  } catch (err) {
    if (seq !== projectDetail.seq) return;
    $("project-detail-summary").textContent = "";
    $("project-chart").replaceChildren(el("p", "empty", `⚠️ 加载失败：${err.message}`));
  }
}

/* Draw (again, e.g. after a resize) what was loaded. */
export function renderProject() {
  const data = projectDetail.data;
  if (!data) return;
  $("project-detail-title").textContent = `项目「${data.sample_title || data.project_id}」`;
  $("project-detail-summary").textContent = projectFiguresText(data, stallDays());
  const points = historyPoints(data.series);
  drawCountChart($("project-chart"), points, {
    hours: projectDetail.hours, titleId: "project-chart-title",
    emptyText: `${RANGE_TEXT[projectDetail.hours]}内还没有该项目的计数（每小时末记一个点）`,
    note: data.views === null && data.likes !== null ? "项目中的视频都不公开播放量（抖音）" : null,
  });
  const last = points.length ? points[points.length - 1] : null;
  $("project-chart-note").textContent = last ? `最后一个点是 ${fmtLocal(last.at)} 的合计（项目数据截至此时）` : "";
  renderProjectTasks(data);
  projectTaskHistory.render();
}

function renderProjectTasks(data) {
  const tbody = $("project-tasks-table").tBodies[0];
  const items = data.items || [];
  $("project-tasks-note").textContent = items.length < data.tasks
    ? `显示播放量最高的 ${fmtNum(items.length)} 个任务（共 ${fmtNum(data.tasks)} 个；全部任务可在“任务列表”中搜索项目 ID 查看）`
    : `共 ${fmtNum(items.length)} 个任务，播放量从高到低`;
  if (!items.length) {
    placeholderRow(tbody, COLUMNS, "该项目没有任务", "placeholder placeholder--empty");
    return;
  }
  tbody.replaceChildren(...items.map((task) => {
    const tr = el("tr", "row--clickable");
    tr.dataset.taskId = String(task.task_id);
    tr.title = "点击查看播放量与点赞数走势";
    if (projectTaskHistory.isOpen(task.task_id)) tr.classList.add("row--selected");
    const chart = el("button", "btn btn--small btn--ghost task-history-btn", "📈 走势");
    chart.type = "button";
    tr.append(taskTitleCell(task), cell(PLATFORM[task.platform] || task.platform || "未知"), countsCell(task),
      cell(badge(TASK_STATUS[task.status] || task.status || "—", TONE[task.status])), cell(chart));
    return labelCells(tr, "project-tasks-table");
  }));
}

export function onProjectTasksClick(event) {
  if (event.target.closest("a")) return; // the video link opens the video
  const tr = event.target.closest("tr[data-task-id]");
  if (tr) projectTaskHistory.open(tr.dataset.taskId);
}
