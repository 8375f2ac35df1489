/* The control panel: start/stop of the scheduled broadcast and 立即回传一次 with its result. */

import { $, timeNode, showMessage } from "./dom.js";
import { fmtNum } from "./format.js";
import { errorText, api, apiData } from "./http.js";
import { RUN_STATUS } from "./labels.js";
import { state } from "./state.js";
import { pollStatus, renderToggle } from "./status.js";

export async function onToggleClick() {
  if (!state.status || state.toggleBusy) return;
  const action = state.status.running ? "stop" : "start";
  const btn = $("toggle-btn");
  state.toggleBusy = true;
  btn.disabled = true;
  btn.textContent = action === "stop" ? "⏳ 正在停止…" : "⏳ 正在启动…";
  try {
    const { body } = await api("POST", `/broadcaster/${action}`, {});
    const fallback = body.success ? "操作成功" : "操作未生效";
    showMessage(body.message || body.error || fallback, body.success ? "success" : "warning");
  } catch (err) {
    showMessage(`${action === "stop" ? "停止" : "启动"}失败：${err.message}`, "error");
  } finally {
    // Read the new switch first, so the button never flashes the state from before the click.
    await pollStatus();
    state.toggleBusy = false;
    renderToggle();
  }
}

export function showTriggerConfirm() {
  if (state.triggerBusy) return;
  $("trigger-confirm-bar").hidden = false;
  $("trigger-confirm").focus();
}

export function hideTriggerConfirm(refocus) {
  $("trigger-confirm-bar").hidden = true;
  if (refocus) $("trigger-btn").focus();
}

function setTriggerBusy(busy) {
  state.triggerBusy = busy;
  const btn = $("trigger-btn");
  btn.disabled = busy;
  btn.textContent = busy ? "⏳ 正在回传…" : "🚀 立即回传一次";
}

export async function onTriggerConfirm() {
  hideTriggerConfirm(false);
  setTriggerBusy(true);
  $("trigger-result").hidden = true;
  showMessage("⏳ 正在执行回传，请稍候…", "info");
  try {
    const { status, body } = await api("POST", "/broadcaster/trigger", {}, [409]);
    handleTriggerAnswer(status, body);
  } catch (err) {
    showMessage(`回传失败：${err.message}`, "error");
    setTriggerBusy(false);
  }
  pollStatus();
}

function handleTriggerAnswer(status, body) {
  const data = body.data || {};
  if (status === 409 || !body.success) {
    showMessage(`无法开始回传：${errorText(body, { status })}`, "warning");
    setTriggerBusy(false);
  } else if (status === 202) {
    state.pendingRunId = data.run_id;
    showMessage(`回传 #${data.run_id} 已开始，任务较多，正在后台进行；完成后会在此显示结果。`, "info");
  } else if (data.success === false) {
    showMessage(`回传未能执行：${data.error || "未知原因"}`, "error");
    setTriggerBusy(false);
  } else {
    showTriggerResult(data.total, data.success_count, data.failed_count, data.timestamp, null);
    showMessage(`✅ 回传 #${data.run_id} 已完成`, "success");
    setTriggerBusy(false);
  }
}

export function checkPendingTrigger(data) {
  const id = state.pendingRunId;
  if (id === null || id === undefined) return;
  if (data.current_run && data.current_run.id === id) return;
  if (data.last_run && data.last_run.id === id && data.last_run.status !== "running") {
    finishPendingRun(data.last_run);
  } else {
    fetchPendingRun(id);
  }
}

async function fetchPendingRun(id) {
  if (state.pendingFetchBusy) return;
  state.pendingFetchBusy = true;
  try {
    const run = await apiData(`/broadcaster/runs/${encodeURIComponent(id)}`);
    if (run && run.status && run.status !== "running" && state.pendingRunId === id) finishPendingRun(run);
  } catch (err) {
    showMessage(`无法读取回传 #${id} 的结果：${err.message}`, "error");
  } finally {
    state.pendingFetchBusy = false;
  }
}

function finishPendingRun(run) {
  state.pendingRunId = null;
  setTriggerBusy(false);
  let note = null;
  if (run.status !== "succeeded") {
    note = `本次回传${RUN_STATUS[run.status] || run.status}：已处理 ${fmtNum(run.done)} / ${fmtNum(run.total)}`;
    if (run.error) note += `；原因：${run.error}`;
  }
  showTriggerResult(run.total, run.success_count, run.failed_count, run.finished_at || run.started_at, note);
  const kind = run.status === "succeeded" ? "success" : run.status === "interrupted" ? "warning" : "error";
  const prefix = run.status === "succeeded" ? "✅" : "⚠️";
  showMessage(`${prefix} 回传 #${run.id} ${RUN_STATUS[run.status] || run.status}`, kind);
}

function showTriggerResult(total, ok, failed, timestamp, note) {
  $("result-total").textContent = fmtNum(total);
  $("result-success").textContent = fmtNum(ok);
  $("result-failed").textContent = fmtNum(failed);
  $("result-time").replaceChildren(timeNode(timestamp));
  const noteNode = $("result-note");
  noteNode.textContent = note || "";
  noteNode.hidden = !note;
  $("trigger-result").hidden = false;
}
