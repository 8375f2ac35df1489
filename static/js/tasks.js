/* The task list: every page of /tasks, search, pause/resume. */

import {
  $, el, timeNode, badge, cell, labelCells, placeholderRow, showInlineError, hideInlineError,
  showMessage,
} from "./dom.js";
import { fmtNum, parseTime, fmtLocal, fmtAge } from "./format.js";
import { openTaskHistory } from "./history.js";
import { ApiError, errorText, api, apiData } from "./http.js";
import { CALLBACK_STATUS, TASK_STATUS, PLATFORM, STATS_STATUS, TONE } from "./labels.js";
import { MAX_TABLE_ROWS, state, serverNow } from "./state.js";
import { suspectNote } from "./suspect.js";

const TASK_PAGE_SIZE = 1000;
const TASK_MAX_PAGES = 50;

/* The API pages tasks (at most 1000 per request); read every page so search sees them all. */
export async function loadTasks() {
  const seq = ++state.tasksSeq;
  try {
    const tasks = [];
    const seen = new Set();
    for (let page = 0; page < TASK_MAX_PAGES; page += 1) {
      const data = await apiData(`/tasks?limit=${TASK_PAGE_SIZE}&offset=${page * TASK_PAGE_SIZE}`);
      if (seq !== state.tasksSeq) return;
      const rows = Array.isArray(data) ? data : [];
      const fresh = rows.filter((task) => !seen.has(task.task_id));
      fresh.forEach((task) => seen.add(task.task_id));
      tasks.push(...fresh);
      if (rows.length < TASK_PAGE_SIZE || !fresh.length) break;
    }
    state.tasks = tasks;
    state.tasksLoaded = true;
    hideInlineError("tasks-error");
    renderTasks();
  } catch (err) {
    if (seq !== state.tasksSeq) return;
    showInlineError("tasks-error", `任务列表加载失败：${err.message}`);
    if (!state.tasksLoaded) placeholderRow($("tasks-table").tBodies[0], 6, "加载失败", "placeholder placeholder--error");
  }
}

function taskMatches(task, query) {
  if (!query) return true;
  const haystack = [task.title, task.task_id, task.external_task_id, task.project_id]
    .filter((v) => v !== null && v !== undefined).join(" ").toLowerCase();
  return haystack.includes(query);
}

export function renderTasks() {
  const query = $("task-filter").value.trim().toLowerCase();
  const shown = state.tasks.filter((task) => taskMatches(task, query));
  renderTasksSummary(shown.length);
  const tbody = $("tasks-table").tBodies[0];
  if (!shown.length) {
    placeholderRow(tbody, 6, query ? "没有匹配的任务" : "暂无数据", "placeholder placeholder--empty");
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const task of shown.slice(0, MAX_TABLE_ROWS)) fragment.append(taskRow(task));
  tbody.replaceChildren(fragment);
}

function renderTasksSummary(shownCount) {
  const all = state.tasks;
  const active = all.filter((t) => t.status === "active").length;
  const paused = all.filter((t) => t.status === "paused").length;
  let text = `共 ${fmtNum(all.length)} 个任务 · 进行中 ${fmtNum(active)} · 已暂停 ${fmtNum(paused)}`;
  if (shownCount !== all.length) text += ` · 匹配 ${fmtNum(shownCount)} 个`;
  if (shownCount > MAX_TABLE_ROWS) text += `（仅显示前 ${fmtNum(MAX_TABLE_ROWS)} 个，请用搜索缩小范围）`;
  $("tasks-summary").textContent = text;
}

function taskRow(task) {
  const tr = el("tr", "row--clickable");
  tr.dataset.taskId = String(task.task_id);
  tr.title = "点击查看播放量与点赞数走势";
  if (String(task.task_id) === String(state.history.taskId)) tr.classList.add("row--selected");
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

function taskTitleCell(task) {
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

function countsCell(task) {
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
  if (index >= 0) state.tasks[index] = task;
  const row = $("tasks-table").tBodies[0].querySelector(`tr[data-task-id="${CSS.escape(String(task.task_id))}"]`);
  if (row) row.replaceWith(taskRow(task));
  renderTasksSummary(state.tasks.filter((t) => taskMatches(t, $("task-filter").value.trim().toLowerCase())).length);
}

export function onTasksTableClick(event) {
  const btn = event.target.closest("button.task-toggle");
  if (btn) {
    if (!btn.disabled) onTaskToggle(btn);
    return;
  }
  if (event.target.closest("a")) return; // the video link opens the video
  const tr = event.target.closest("tr[data-task-id]");
  if (tr) openTaskHistory(tr.dataset.taskId);
}

export function taskById(id) {
  return state.tasks.find((t) => String(t.task_id) === String(id)) || null;
}
