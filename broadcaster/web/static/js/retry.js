/* 重试失败的任务: a pass over one run's failed tasks, started from the run detail. */

import { $, showMessage } from "./dom.js";
import { fmtNum } from "./format.js";
import { errorText, api } from "./http.js";
import { RUN_STATUS, TONE } from "./labels.js";
import { openRunDetail } from "./runs.js";
import { state } from "./state.js";
import { pollStatus } from "./status.js";

const MAX_RETRY_TASKS = 1000; // the API takes at most 1000 task ids per pass

function failedTaskIds(run) {
  const items = Array.isArray(run.items) ? run.items : [];
  const ids = items
    .filter((item) => item.callback_status === "failed" && item.task_id !== null && item.task_id !== undefined)
    .map((item) => Number(item.task_id));
  return Array.from(new Set(ids));
}

export function renderRetryButton(run) {
  const btn = $("run-detail-retry");
  const ids = run.status === "running" ? [] : failedTaskIds(run);
  btn.hidden = !ids.length && !state.retryBusy;
  btn.disabled = state.retryBusy;
  btn.textContent = state.retryBusy ? "⏳ 正在重试…" : `🔁 重试失败的任务（${fmtNum(ids.length)}）`;
  btn.title = ids.length > MAX_RETRY_TASKS
    ? `失败任务较多，一次重试前 ${fmtNum(MAX_RETRY_TASKS)} 个`
    : "只回传本次失败的任务；完成后在这里显示新一次回传的结果";
}

export function renderRetryNote(run) {
  const node = $("run-detail-note");
  const origin = state.retryOrigin[run.id];
  node.hidden = !origin;
  if (!origin) return;
  let text = `🔁 这是回传 #${origin.from} 中 ${fmtNum(origin.count)} 个失败任务的重试`;
  if (run.status === "running") text += `，进行中：已处理 ${fmtNum(run.done)} / ${fmtNum(run.total)}`;
  else text += `：${RUN_STATUS[run.status] || run.status} · 成功 ${fmtNum(run.success_count)} · 失败 ${fmtNum(run.failed_count)}`;
  node.textContent = text;
  node.className = `run-detail__note run-detail__note--${run.status === "running" ? "info" : TONE[run.status] || "warn"}`;
}

export async function onRetryFailed() {
  const run = state.runDetail;
  if (!run || state.retryBusy) return;
  const ids = failedTaskIds(run).slice(0, MAX_RETRY_TASKS);
  if (!ids.length) return;
  state.retryBusy = true;
  renderRetryButton(run);
  showMessage(`⏳ 正在重试回传 #${run.id} 的 ${fmtNum(ids.length)} 个失败任务…`, "info");
  try {
    const { status, body } = await api("POST", "/broadcaster/trigger", { task_ids: ids }, [409]);
    const data = body.data || {};
    if (status === 409 || !body.success) {
      showMessage(`无法重试：${errorText(body, { status })}`, "warning");
    } else if (data.run_id === null || data.run_id === undefined) {
      showMessage(`重试未能执行：${data.error || "未知原因"}`, "error");
    } else {
      state.retryOrigin[data.run_id] = { from: run.id, count: ids.length };
      if (status === 202) showMessage(`🔁 重试回传 #${data.run_id} 已开始，完成后在回传详情中显示结果`, "info");
      state.retryBusy = false;
      await openRunDetail(data.run_id);
      if (state.runDetail && state.runDetail.status !== "running") announceRetryResult(state.runDetail);
    }
  } catch (err) {
    showMessage(`重试失败：${err.message}`, "error");
  } finally {
    state.retryBusy = false;
    if (state.runDetail) renderRetryButton(state.runDetail);
    pollStatus(); // its run-change check reloads the runs list
  }
}

/* The open run, followed while it ran, has ended: if it was a retry, say how it went. */
export function onRunEnded(run) {
  if (state.retryOrigin[run.id]) announceRetryResult(run);
}

function announceRetryResult(run) {
  const ok = run.status === "succeeded";
  showMessage(`${ok ? "✅" : "⚠️"} 重试回传 #${run.id} ${RUN_STATUS[run.status] || run.status}：` +
    `成功 ${fmtNum(run.success_count)} · 失败 ${fmtNum(run.failed_count)}`, ok ? "success" : "warning");
}
