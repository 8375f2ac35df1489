/* The task list: one page of the tasks the server finds for the search, filters and sort
 * (task-query.js), with the true totals; paging, pause/resume in place, a task's chart. */

import {
  $, el, timeNode, badge, cell, labelCells, placeholderRow, showInlineError, hideInlineError,
  showMessage,
} from "./dom.js";
import { fmtNum, parseTime, fmtLocal, fmtAge } from "./format.js";
import { TaskHistory } from "./history.js";
import { ApiError, errorText, api } from "./http.js";
import { CALLBACK_STATUS, TASK_STATUS, PLATFORM, STATS_STATUS, TONE } from "./labels.js";
import { state, serverNow } from "./state.js";
import {
  SEARCH_DEBOUNCE_MS, TASK_FILTERS, TASK_PAGE_SIZE, countsAfterToggle, isFiltered, pageInfo, taskListQuery, tasksSummaryText,
} from "./task-query.js";
import { updateTaskExport } from "./exports.js";
import { suspectNote } from "./suspect.js";

/* The task list's chart panel (a task's count history). */
export const taskHistory = new TaskHistory({
  section: "task-history", title: "task-history-title", summary: "task-history-summary", chart: "history-chart",
  close: "task-history-close", table: "tasks-table",
}, (id) => taskById(id));

function currentFilters() {
  const filters = { q: $("task-filter").value, sort: $("task-sort").value };
  for (const [id, name] of TASK_FILTERS) filters[name] = $(id).value;
  return filters;
}

/* Read the page at state.taskOffset; a newer request (typing, paging) makes an older answer moot. */
export async function loadTasks() {
  const seq = ++state.tasksSeq;
  const filters = currentFilters();
  updateTaskExport(filters);
  $("tasks-table").setAttribute("aria-busy", "true");
  try {
    const { body } = await api("GET", `/tasks?${taskListQuery(filters, state.taskOffset)}`);
    if (seq !== state.tasksSeq) return;
    if (body.success === false || !Array.isArray(body.data)) throw new ApiError(errorText(body, { status: 200 }), 200);
    if (!body.data.length && state.taskOffset > 0 && body.total > 0) {
      state.taskOffset = pageInfo(0, body.total).last; // the list shrank below this page
      loadTasks();
      return;
    }
    state.tasks = body.data;
    state.taskTotal = Number(body.total) || 0;
    state.taskCounts = body.counts || null;
    state.taskFiltered = isFiltered(filters);
    state.tasksLoaded = true;
    hideInlineError("tasks-error");
    renderTasks();
  } catch (err) {
    if (seq !== state.tasksSeq) return;
    showInlineError("tasks-error", `任务列表加载失败：${err.message}`);
    if (!state.tasksLoaded) placeholderRow($("tasks-table").tBodies[0], 6, "加载失败", "placeholder placeholder--error");
  } finally {
    if (seq === state.tasksSeq) $("tasks-table").removeAttribute("aria-busy");
  }
}

let searchTimer = null;

/* Typing searches once the user pauses, not on every key. */
export function onTaskSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(onTaskQueryChange, SEARCH_DEBOUNCE_MS);
}

/* A new search, filter or sort starts again at the first page (with the search typed so far). */
export function onTaskQueryChange() {
  clearTimeout(searchTimer);
  searchTimer = null;
  state.taskOffset = 0;
  loadTasks();
}

/* which: "first", "prev", "next" or "last". A search still waiting for its pause goes first. */
export function goToTaskPage(which) {
  if (searchTimer !== null) {
    onTaskQueryChange();
    return;
  }
  const info = pageInfo(state.taskOffset, state.taskTotal);
  const offset = which === "first" ? 0 : info[which];
  if (offset === null || offset === undefined || offset === state.taskOffset) return;
  state.taskOffset = offset;
  loadTasks();
}

export function renderTasks() {
  renderTasksSummary();
  renderTaskPager();
  const tbody = $("tasks-table").tBodies[0];
  if (!state.tasks.length) {
    placeholderRow(tbody, 6, state.taskFiltered ? "没有匹配的任务" : "暂无数据", "placeholder placeholder--empty");
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const task of state.tasks) fragment.append(taskRow(task));
  tbody.replaceChildren(fragment);
}

function renderTasksSummary() {
  $("tasks-summary").textContent = tasksSummaryText(state.taskCounts, state.taskTotal, state.taskFiltered);
}

function renderTaskPager() {
  const info = pageInfo(state.taskOffset, state.taskTotal);
  $("task-pager").hidden = info.pages <= 1;
  const first = state.taskTotal ? state.taskOffset + 1 : 0;
  const last = state.taskOffset + state.tasks.length;
  $("task-page-info").textContent =
    `第 ${fmtNum(info.page)} / ${fmtNum(info.pages)} 页（第 ${fmtNum(first)}–${fmtNum(last)} 个，每页 ${TASK_PAGE_SIZE} 个）`;
  $("task-first").disabled = info.prev === null;
  $("task-prev").disabled = info.prev === null;
  $("task-next").disabled = info.next === null;
  $("task-last").disabled = info.next === null;
}

function taskRow(task) {
  const tr = el("tr", "row--clickable");
  tr.dataset.taskId = String(task.task_id);
  tr.title = "点击查看播放量与点赞数走势";
  if (taskHistory.isOpen(task.task_id)) tr.classList.add("row--selected");
  tr.append(
    taskTitleCell(task),
    cell(PLATFORM[task.platform] || (task.platform ? task.platform : "未知")),
    countsCell(task),
    lastCallbackCell(task),
    cell(badge(TASK_STATUS[task.status] || task.status || "—", TONE[task.status])),
    taskActionCell(task),
  );
  return labelCells(tr, "tasks-table");
}

export function taskTitleCell(task) {
  const td = el("td", "task-cell cell--wide");
  td.append(el("div", "task-label__title", task.title || "（无标题）"));
  const ids = [`ID ${task.task_id}`];
  if (task.external_task_id !== null && task.external_task_id !== undefined) ids.push(`X2C 任务 ${task.external_task_id}`);
  const meta = el("div", "task-label__id", ids.join(" · "));
  if (task.project_id) meta.title = `项目 ID：${task.project_id}`;
  if (task.video_url && /^https?:\/\//i.test(task.video_url)) {
    const link = el("a", "video-link", "打开视频 ↗");
    link.href = task.video_url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.title = task.video_url;
    meta.append(" · ", link);
  }
  td.append(meta);
  return td;
}

export function countsCell(task) {
  const td = el("td", "num counts");
  td.append(el("div", "counts__value", `${fmtNum(task.view_count)} / ${fmtNum(task.like_count)}`));
  const status = task.stats_status;
  if (status && status !== "ok") {
    const reason = task.stats_reason ? `：${task.stats_reason}` : "";
    td.append(el("div", `counts__reason counts__reason--${status}`, `${STATS_STATUS[status] || status}${reason}`));
  } else if (!status) {
    td.append(el("div", "counts__reason", "尚未读取"));
  }
  if (task.stats_suspect) td.append(suspectNote(task.stats_suspect));
  const fetched = parseTime(task.stats_fetched_at);
  if (fetched !== null) {
    const age = Math.max(0, (serverNow() - fetched) / 1000);
    td.append(el("div", "counts__age", `${fmtAge(age)}前读取`));
  }
  const tips = [];
  if (task.stats_reason) tips.push(`原因：${task.stats_reason}`);
  if (task.stats_fetched_at) tips.push(`数据更新于 ${fmtLocal(task.stats_fetched_at)}（${task.stats_fetched_at}）`);
  if (status === "ok" && task.platform === "douyin" && task.view_count === null) tips.push("抖音不公开播放量");
  if (tips.length) td.title = tips.join("\n");
  return td;
}

function lastCallbackCell(task) {
  const td = el("td", "callback-cell");
  td.append(badge(CALLBACK_STATUS[task.callback_status] || task.callback_status || "—", TONE[task.callback_status]));
  if (task.callback_last_attempt) td.append(" ", timeNode(task.callback_last_attempt));
  if (Number(task.callback_retry_count) > 0) {
    td.append(el("div", "counts__reason counts__reason--error", `连续失败 ${fmtNum(task.callback_retry_count)} 次`));
  }
  return td;
}

function taskActionCell(task) {
  const td = el("td", "task-actions");
  const chart = el("button", "btn btn--small btn--ghost task-history-btn", "📈 走势");
  chart.type = "button";
  chart.dataset.taskId = String(task.task_id);
  chart.title = "查看该任务视频的播放量与点赞数走势";
  td.append(chart);
  const btn = el("button", "btn btn--small task-toggle");
  btn.type = "button";
  btn.dataset.taskId = String(task.task_id);
  if (task.status === "active") {
    btn.textContent = "⏸️ 暂停";
    btn.dataset.nextStatus = "paused";
    btn.title = "暂停后不再回传该任务的数据";
  } else if (task.status === "paused") {
    btn.textContent = "▶️ 恢复";
    btn.dataset.nextStatus = "active";
    btn.classList.add("btn--resume");
    btn.title = "恢复后下次回传会包含该任务";
  } else {
    btn.textContent = "不可操作";
    btn.disabled = true;
    btn.title = `任务状态为“${TASK_STATUS[task.status] || task.status}”，只能暂停进行中的任务或恢复已暂停的任务`;
  }
  td.append(btn);
  return td;
}

async function onTaskToggle(btn) {
  const id = btn.dataset.taskId;
  const next = btn.dataset.nextStatus;
  if (!next) return;
  btn.disabled = true;
  btn.textContent = "⏳ 处理中…";
  try {
    const { body } = await api("PATCH", `/tasks/${encodeURIComponent(id)}`, { status: next });
    if (body.success === false || !body.data) throw new ApiError(errorText(body, { status: 200 }), 200);
    const task = body.data;
    replaceTask(task);
    const verb = next === "paused" ? "已暂停" : "已恢复";
    showMessage(`${verb}任务「${task.title || `#${id}`}」`, "success");
  } catch (err) {
    showMessage(`任务 #${id} 操作失败：${err.message}`, "error");
    const original = state.tasks.find((t) => String(t.task_id) === id);
    if (original) replaceTask(original);
  }
}

function replaceTask(task) {
  const index = state.tasks.findIndex((t) => String(t.task_id) === String(task.task_id));
  if (index >= 0) {
    const before = state.tasks[index];
    if (state.taskCounts && before.status !== task.status) {
      state.taskCounts = countsAfterToggle(state.taskCounts, before.status, task.status);
    }
    state.tasks[index] = task;
  }
  taskHistory.updateTask(task);
  const row = $("tasks-table").tBodies[0].querySelector(`tr[data-task-id="${CSS.escape(String(task.task_id))}"]`);
  if (row) row.replaceWith(taskRow(task));
  renderTasksSummary();
}

export function onTasksTableClick(event) {
  const btn = event.target.closest("button.task-toggle");
  if (btn) {
    if (!btn.disabled) onTaskToggle(btn);
    return;
  }
  if (event.target.closest("a")) return; // the video link opens the video
  const tr = event.target.closest("tr[data-task-id]");
  if (tr) taskHistory.open(tr.dataset.taskId);
}

/* A task of the page shown, or the task whose chart is open (it may be on another page by now). */
export function taskById(id) {
  const task = state.tasks.find((t) => String(t.task_id) === String(id));
  if (task) return task;
  const open = taskHistory.task;
  return open && String(open.task_id) === String(id) ? open : null;
}
