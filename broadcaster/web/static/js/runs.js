/* The runs table and one run's detail (its tasks' callbacks). The detail announces each drawing
 * ("run-detail") and the end of the run it follows ("run-ended"), for the retry button and note. */

import {
  $, el, timeNode, badge, runStatusBadge, cell, labelCells, placeholderRow, showInlineError,
  hideInlineError, activateOnKey, taskLabel, errorCell,
} from "./dom.js";
import { fmtNum, fmtLocal, fmtDuration } from "./format.js";
import { apiData } from "./http.js";
import { RUN_STATUS, TRIGGER, CALLBACK_STATUS, TONE, triggerText } from "./labels.js";
import { renderRunsChart } from "./runs-chart.js";
import { CHART_RUNS, MAX_TABLE_ROWS, emit, state, runDurationMs } from "./state.js";

export async function loadRuns() {
  const seq = ++state.runsSeq;
  try {
    const data = await apiData(`/broadcaster/runs?limit=${CHART_RUNS}`);
    if (seq !== state.runsSeq) return;
    state.runs = Array.isArray(data) ? data : [];
    hideInlineError("runs-error");
    renderRunsTable(state.runs);
    renderRunsChart(state.runs);
  } catch (err) {
    if (seq !== state.runsSeq) return;
    showInlineError("runs-error", `回传历史加载失败：${err.message}`);
    if (!state.runs.length) {
      placeholderRow($("runs-table").tBodies[0], 8, "加载失败", "placeholder placeholder--error");
      $("runs-chart").replaceChildren(el("p", "empty", "加载失败"));
    }
  }
}

function renderRunsTable(runs) {
  const tbody = $("runs-table").tBodies[0];
  if (!runs.length) {
    placeholderRow(tbody, 8, "暂无数据", "placeholder placeholder--empty");
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const run of runs) fragment.append(runRow(run));
  tbody.replaceChildren(fragment);
}

function runRow(run) {
  const tr = el("tr", "row--clickable");
  tr.dataset.runId = String(run.id);
  tr.tabIndex = 0;
  tr.title = "点击查看本次回传的任务明细";
  if (String(run.id) === String(state.selectedRunId)) tr.classList.add("row--selected");
  const duration = run.status === "running" ? `${fmtDuration(runDurationMs(run))}（进行中）` : fmtDuration(runDurationMs(run));
  tr.append(
    cell(`#${run.id}`, "mono"),
    cell(triggerText(run)),
    cell(runStatusBadge(run.status)),
    cell(timeNode(run.started_at)),
    cell(duration, "num"),
    cell(fmtNum(run.total), "num"),
    cell(fmtNum(run.success_count), "num num--ok"),
    cell(fmtNum(run.failed_count), Number(run.failed_count) > 0 ? "num num--fail" : "num"),
  );
  if (run.error) tr.cells[2].title = run.error;
  return labelCells(tr, "runs-table");
}

export function onRunsTableEvent(event) {
  const tr = event.target.closest("tr[data-run-id]");
  if (!tr) return;
  if (event.type === "keydown") activateOnKey(event, () => openRunDetail(tr.dataset.runId));
  else openRunDetail(tr.dataset.runId);
}

export async function openRunDetail(id) {
  state.selectedRunId = id;
  for (const tr of $("runs-table").tBodies[0].rows) {
    tr.classList.toggle("row--selected", tr.dataset.runId === String(id));
  }
  const section = $("run-detail");
  section.hidden = false;
  $("run-detail-title").textContent = `回传 #${id} 的任务明细`;
  $("run-detail-summary").textContent = "加载中…";
  $("run-detail-retry").hidden = true;
  $("run-detail-note").hidden = true;
  placeholderRow($("run-items-table").tBodies[0], 7, "加载中…");
  section.scrollIntoView({ block: "nearest" });
  try {
    const run = await apiData(`/broadcaster/runs/${encodeURIComponent(id)}`);
    if (String(state.selectedRunId) !== String(id)) return;
    state.runDetail = run;
    renderRunDetail();
  } catch (err) {
    if (String(state.selectedRunId) !== String(id)) return;
    $("run-detail-summary").textContent = "";
    placeholderRow($("run-items-table").tBodies[0], 7, `⚠️ 加载失败：${err.message}`, "placeholder placeholder--error");
  }
}

/* An open run still in progress is read again, with the status poll's rhythm, whenever the
   poll shows it moved on or ended, so its items and result fill in. */
export function refreshOpenRunDetail(data) {
  const run = state.runDetail;
  if (!run || run.status !== "running" || state.runDetailBusy) return;
  const cur = data.current_run;
  if (cur && String(cur.id) === String(run.id) && cur.done === run.done) return;
  refreshRunDetail(run.id);
}

async function refreshRunDetail(id) {
  state.runDetailBusy = true;
  try {
    const run = await apiData(`/broadcaster/runs/${encodeURIComponent(id)}`);
    if (String(state.selectedRunId) !== String(id)) return;
    state.runDetail = run;
    renderRunDetail();
    if (run.status !== "running") emit("run-ended", run);
  } catch {
    // the next status poll tries again
  } finally {
    state.runDetailBusy = false;
  }
}

export function closeRunDetail() {
  state.selectedRunId = null;
  state.runDetail = null;
  $("run-detail").hidden = true;
  for (const tr of $("runs-table").tBodies[0].rows) tr.classList.remove("row--selected");
}

export function renderRunDetail() {
  const run = state.runDetail;
  if (!run) return;
  const items = Array.isArray(run.items) ? run.items : [];
  const failedOnly = $("run-detail-failed-only").checked;
  const shown = failedOnly ? items.filter((item) => item.callback_status !== "success") : items;
  const scope = run.scope === "selected" ? `（选定的 ${fmtNum(run.total)} 个任务）` : "";
  let summary = `${TRIGGER[run.trigger] || run.trigger || ""}回传${scope} · ${RUN_STATUS[run.status] || run.status} · ` +
    `开始 ${fmtLocal(run.started_at)} · 耗时 ${fmtDuration(runDurationMs(run))} · ` +
    `总任务数 ${fmtNum(run.total)} · 成功 ${fmtNum(run.success_count)} · 失败 ${fmtNum(run.failed_count)}`;
  if (run.error) summary += ` · 错误：${run.error}`;
  if (shown.length > MAX_TABLE_ROWS) summary += `（仅显示前 ${fmtNum(MAX_TABLE_ROWS)} 条，共 ${fmtNum(shown.length)} 条）`;
  $("run-detail-summary").textContent = summary;
  emit("run-detail", run);
  const tbody = $("run-items-table").tBodies[0];
  if (!shown.length) {
    placeholderRow(tbody, 7, "暂无数据", "placeholder placeholder--empty");
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const item of shown.slice(0, MAX_TABLE_ROWS)) fragment.append(runItemRow(item));
  tbody.replaceChildren(fragment);
}

function runItemRow(item) {
  const tr = el("tr");
  tr.append(
    cell(taskLabel(item.task_title, item.task_id), "cell--wide"),
    cell(badge(CALLBACK_STATUS[item.callback_status] || item.callback_status || "—", TONE[item.callback_status])),
    cell(item.http_status === null || item.http_status === undefined ? "—" : String(item.http_status), "num mono"),
    cell(fmtNum(item.attempts), "num"),
    cell(item.latency_ms === null || item.latency_ms === undefined ? "—" : `${fmtNum(Math.round(item.latency_ms))} ms`, "num"),
    errorCell(item.error),
    cell(timeNode(item.created_at)),
  );
  return labelCells(tr, "run-items-table");
}
