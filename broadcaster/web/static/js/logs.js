/* The webhook log: filters, expandable rows with the sent payload, and auto refresh. */

import {
  $, el, timeNode, badge, cell, labelCells, placeholderRow, showInlineError, hideInlineError,
  activateOnKey, taskLabel, errorCell,
} from "./dom.js";
import { fmtNum, fmtLocal, fmtAge } from "./format.js";
import { apiData } from "./http.js";
import { CALLBACK_STATUS, TONE } from "./labels.js";
import { updateLogExport } from "./exports.js";
import { state } from "./state.js";

const LOG_REFRESH_MS = 30000;
const LOG_COLUMNS = 11;

function logQuery() {
  const params = new URLSearchParams({ hours: $("log-hours").value, limit: $("log-limit").value });
  const status = $("log-status").value;
  if (status) params.set("status", status);
  const taskId = $("log-task-id").value.trim();
  if (/^\d+$/.test(taskId) && Number(taskId) > 0) params.set("task_id", taskId);
  return params.toString();
}

export async function loadLogs() {
  const seq = ++state.logsSeq;
  const refresh = $("log-refresh");
  refresh.disabled = true;
  const query = logQuery();
  updateLogExport(query);
  try {
    const data = await apiData(`/webhook-logs?${query}`);
    if (seq !== state.logsSeq) return;
    hideInlineError("logs-error");
    renderLogs(Array.isArray(data) ? data : []);
  } catch (err) {
    if (seq !== state.logsSeq) return;
    showInlineError("logs-error", `回传日志加载失败：${err.message}`);
    const tbody = $("logs-table").tBodies[0];
    if (tbody.querySelector("tr.placeholder")) placeholderRow(tbody, LOG_COLUMNS, "加载失败", "placeholder placeholder--error");
  } finally {
    if (seq === state.logsSeq) refresh.disabled = false;
  }
}

function renderLogs(logs) {
  const tbody = $("logs-table").tBodies[0];
  renderLogsSummary(logs);
  if (!logs.length) {
    placeholderRow(tbody, LOG_COLUMNS, "暂无数据", "placeholder placeholder--empty");
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const log of logs) {
    const row = logRow(log);
    fragment.append(row);
    if (state.expandedLogs.has(String(log.id))) {
      row.setAttribute("aria-expanded", "true");
      fragment.append(logDetailRow(log));
    }
  }
  tbody.replaceChildren(fragment);
}

function renderLogsSummary(logs) {
  const ok = logs.filter((l) => l.callback_status === "success").length;
  const hours = $("log-hours");
  let text = `${hours.options[hours.selectedIndex].text}内共 ${fmtNum(logs.length)} 条 · 成功 ${fmtNum(ok)} · 失败 ${fmtNum(logs.length - ok)}`;
  if (logs.length >= Number($("log-limit").value)) text += "（已达显示条数上限，可调大“显示条数”）";
  text += ` · 刷新于 ${fmtLocal(new Date().toISOString()).slice(11)}`;
  $("logs-summary").textContent = text;
}

function logRow(log) {
  const tr = el("tr", "row--clickable");
  tr.dataset.logId = String(log.id);
  tr.tabIndex = 0;
  tr.setAttribute("aria-expanded", "false");
  tr.title = "点击展开发送的数据";
  const url = el("td", "url-text cell--wide", log.callback_url || "—");
  if (log.callback_url) url.title = log.callback_url;
  tr.append(
    cell(timeNode(log.created_at)),
    cell(taskLabel(log.task_title, log.task_id), "cell--wide"),
    cell(badge(CALLBACK_STATUS[log.callback_status] || log.callback_status || "—", TONE[log.callback_status])),
    cell(log.http_status === null || log.http_status === undefined ? "—" : String(log.http_status), "num mono"),
    cell(fmtNum(log.attempts), "num"),
    cell(log.latency_ms === null || log.latency_ms === undefined ? "—" : `${fmtNum(Math.round(log.latency_ms))} ms`, "num"),
    cell(fmtNum(log.views), "num"),
    cell(fmtNum(log.likes), "num"),
    ageCell(log.age_s),
    url,
    errorCell(log.error),
  );
  tr.logData = log;
  return labelCells(tr, "logs-table");
}

/* How old the counts sent were: what X2C really got (docs/architecture.md#count-age, docs/operations.md#what-x2c-received). */
function ageCell(ageS) {
  if (ageS === null || ageS === undefined) return cell("—", "num muted");
  const td = cell(fmtAge(ageS), "num");
  td.title = `发送时这些数据已读取 ${fmtNum(ageS)} 秒`;
  return td;
}

function logDetailRow(log) {
  const tr = el("tr", "log-detail");
  tr.dataset.detailFor = String(log.id);
  const td = el("td");
  td.colSpan = LOG_COLUMNS;
  const meta = el("dl", "detail-meta");
  const pairs = [
    ["日志 ID", log.id], ["回传 ID", log.run_id === null || log.run_id === undefined ? "—" : `#${log.run_id}`],
    ["项目 ID", log.project_id || "—"], ["发送的播放 / 点赞", `${fmtNum(log.views)} / ${fmtNum(log.likes)}`], ["回传地址", log.callback_url || "—"], ["错误", log.error || "—"],
  ];
  for (const [label, value] of pairs) {
    const item = el("div", "detail-meta__item");
    item.append(el("dt", null, label), el("dd", null, value));
    meta.append(item);
  }
  const title = el("div", "detail-title", "发送的数据（JSON）");
  const pre = el("pre", "payload", log.payload === null || log.payload === undefined
    ? "（无：本次没有发送数据）"
    : JSON.stringify(log.payload, null, 2));
  td.append(meta, title, pre);
  tr.append(td);
  return tr;
}

function toggleLogRow(tr) {
  const id = tr.dataset.logId;
  const next = tr.nextElementSibling;
  if (next && next.dataset.detailFor === id) {
    next.remove();
    state.expandedLogs.delete(id);
    tr.setAttribute("aria-expanded", "false");
    return;
  }
  tr.after(logDetailRow(tr.logData));
  state.expandedLogs.add(id);
  tr.setAttribute("aria-expanded", "true");
}

export function onLogsTableEvent(event) {
  const tr = event.target.closest("tr[data-log-id]");
  if (!tr) return;
  if (event.type === "keydown") activateOnKey(event, () => toggleLogRow(tr));
  else toggleLogRow(tr);
}

export function toggleLogAutoRefresh() {
  const btn = $("log-autorefresh");
  if (state.logTimer) {
    clearInterval(state.logTimer);
    state.logTimer = null;
  } else {
    state.logTimer = setInterval(() => {
      if (!document.hidden && state.activeTab === "logs") loadLogs();
    }, LOG_REFRESH_MS);
    loadLogs();
  }
  const on = Boolean(state.logTimer);
  btn.setAttribute("aria-pressed", String(on));
  btn.classList.toggle("btn--on", on);
  btn.textContent = on ? "⏱️ 自动刷新 (30s) · 已开启" : "⏱️ 自动刷新 (30s)";
  btn.title = on ? "每 30 秒自动刷新日志，点击关闭" : "点击开启：每 30 秒自动刷新日志";
}
