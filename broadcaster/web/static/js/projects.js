/* 项目: the dramas (tasks sharing a project id) with their totals, gains and stalled tasks, as the
 * server finds them for the search and sort (project-query.js), one page at a time with the true
 * total; a project opens its chart and tasks (project-detail.js). */

import { $, el, cell, timeNode, labelCells, placeholderRow, showInlineError, hideInlineError } from "./dom.js";
import { fmtNum } from "./format.js";
import { api, ApiError, errorText } from "./http.js";
import { openProject, projectDetail } from "./project-detail.js";
import { PROJECT_PAGE_SIZE, gainText, projectExportQuery, projectListQuery, projectsSummaryText } from "./project-query.js";
import { state } from "./state.js";
import { SEARCH_DEBOUNCE_MS, pageInfo } from "./task-query.js";

const COLUMNS = 9;
const list = { offset: 0, total: 0, rows: [], seq: 0, loaded: false, filtered: false };
let searchTimer = null;

function currentFilters() {
  return { q: $("project-filter").value, sort: $("project-sort").value };
}

export async function loadProjects() {
  const seq = ++list.seq;
  const filters = currentFilters();
  const exportQuery = projectExportQuery(filters);
  $("project-export").href = `${state.apiBase}/projects.csv${exportQuery ? `?${exportQuery}` : ""}`;
  $("projects-table").setAttribute("aria-busy", "true");
  try {
    const { body } = await api("GET", `/projects?${projectListQuery(filters, list.offset)}`);
    if (seq !== list.seq) return;
    if (body.success === false || !Array.isArray(body.data)) throw new ApiError(errorText(body, { status: 200 }), 200);
    if (!body.data.length && list.offset > 0 && body.total > 0) {
      list.offset = pageInfo(0, body.total, PROJECT_PAGE_SIZE).last; // fewer projects than this page now
      loadProjects();
      return;
    }
    Object.assign(list, { rows: body.data, total: Number(body.total) || 0, loaded: true,
                          filtered: Boolean(String(filters.q || "").trim()) });
    hideInlineError("projects-error");
    $("projects-summary").textContent = projectsSummaryText(list.total, list.filtered, body.as_of);
    renderProjects();
  } catch (err) {
    if (seq !== list.seq) return;
    showInlineError("projects-error", `项目列表加载失败：${err.message}`);
    if (!list.loaded) placeholderRow($("projects-table").tBodies[0], COLUMNS, "加载失败", "placeholder placeholder--error");
  } finally {
    if (seq === list.seq) $("projects-table").removeAttribute("aria-busy");
  }
}

/* Typing searches once the user pauses; a new search or sort starts at the first page. */
export function onProjectSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(onProjectQueryChange, SEARCH_DEBOUNCE_MS);
}

export function onProjectQueryChange() {
  clearTimeout(searchTimer);
  searchTimer = null;
  list.offset = 0;
  loadProjects();
}

/* which: "first", "prev", "next" or "last". */
export function goToProjectPage(which) {
  const info = pageInfo(list.offset, list.total, PROJECT_PAGE_SIZE);
  const offset = which === "first" ? 0 : info[which];
  if (offset === null || offset === undefined || offset === list.offset) return;
  list.offset = offset;
  loadProjects();
}

function renderProjects() {
  const info = pageInfo(list.offset, list.total, PROJECT_PAGE_SIZE);
  $("project-pager").hidden = info.pages <= 1;
  $("project-page-info").textContent = `第 ${fmtNum(info.page)} / ${fmtNum(info.pages)} 页（每页 ${PROJECT_PAGE_SIZE} 个）`;
  for (const [id, key] of [["project-first", "prev"], ["project-prev", "prev"], ["project-next", "next"], ["project-last", "next"]]) {
    $(id).disabled = info[key] === null;
  }
  const tbody = $("projects-table").tBodies[0];
  if (!list.rows.length) {
    placeholderRow(tbody, COLUMNS, list.filtered ? "没有匹配的项目" : "暂无项目（任务设置了项目 ID 才会出现在这里）",
      "placeholder placeholder--empty");
    return;
  }
  tbody.replaceChildren(...list.rows.map(projectRow));
}

function projectRow(p) {
  const tr = el("tr", "row--clickable");
  tr.dataset.projectId = p.project_id;
  tr.tabIndex = 0;
  tr.title = "点击查看该项目的走势和任务";
  if (projectDetail.projectId === p.project_id) tr.classList.add("row--selected");
  const name = el("td", "task-cell cell--wide");
  name.append(el("div", "task-label__title", p.sample_title || "（无标题）"), el("div", "task-label__id mono", p.project_id));
  const tasks = cell(`${fmtNum(p.tasks)}（${fmtNum(p.active_tasks)}）`, "num");
  tasks.title = `${fmtNum(p.tasks)} 个任务，其中 ${fmtNum(p.active_tasks)} 个进行中`;
  const videos = cell(fmtNum(p.videos), "num");
  if (p.unavailable) {
    videos.append(el("div", "counts__reason counts__reason--unavailable", `不可用 ${fmtNum(p.unavailable)}`));
  }
  const stalled = cell(fmtNum(p.stalled), p.stalled ? "num num--warn" : "num");
  tr.append(name, tasks, videos, cell(fmtNum(p.views), "num"), cell(fmtNum(p.likes), "num"),
    gainCell(p.gain_24h), gainCell(p.gain_7d), stalled, cell(p.last_read_at ? timeNode(p.last_read_at) : "—"));
  return labelCells(tr, "projects-table");
}

function gainCell(value) {
  return cell(gainText(value), value > 0 ? "num num--ok" : value < 0 ? "num num--fail" : "num muted");
}

export function onProjectsTableEvent(event) {
  if (event.type === "keydown" && event.key !== "Enter" && event.key !== " ") return;
  const tr = event.target.closest("tr[data-project-id]");
  if (!tr) return;
  if (event.type === "keydown") event.preventDefault();
  for (const row of $("projects-table").tBodies[0].rows) row.classList.toggle("row--selected", row === tr);
  openProject(tr.dataset.projectId);
}
