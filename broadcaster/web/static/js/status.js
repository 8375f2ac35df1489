/* Status polling: reads /broadcaster/status every 2 s (10 s with the page hidden) and renders
 * the switch, countdown, progress and last run; announces each answer ("status") and runs
 * starting and ending ("runs-changed"). */

import { $, el, timeNode, runStatusBadge, showInlineError, hideInlineError, summaryPair } from "./dom.js";
import { fmtNum, parseTime, fmtLocal, fmtDuration, fmtCountdown, fmtInterval } from "./format.js";
import { updateFreshness, renderEgresses } from "./freshness.js";
import { apiData } from "./http.js";
import { TRIGGER, triggerText } from "./labels.js";
import { emit, state, serverNow, runDurationMs } from "./state.js";

const POLL_VISIBLE_MS = 2000;
const POLL_HIDDEN_MS = 10000;
const POLL_AFTER_ERROR_MS = 5000;

function pollDelay() {
  return document.hidden ? POLL_HIDDEN_MS : POLL_VISIBLE_MS;
}

function schedulePoll(delayMs) {
  clearTimeout(state.pollTimer);
  state.pollTimer = setTimeout(pollStatus, delayMs);
}

export async function pollStatus() {
  clearTimeout(state.pollTimer);
  const seq = ++state.statusSeq;
  let delay = pollDelay();
  try {
    const data = await apiData("/broadcaster/status");
    // A slower, older answer must not overwrite a newer one.
    if (seq > state.renderedSeq) {
      state.renderedSeq = seq;
      applyStatus(data);
    }
    hideInlineError("status-error");
  } catch (err) {
    showInlineError("status-error", `状态获取失败：${err.message}（将自动重试）`);
    delay = Math.max(delay, POLL_AFTER_ERROR_MS);
  }
  if (seq === state.statusSeq) schedulePoll(delay);
}

function applyStatus(data) {
  state.status = data;
  const serverMs = parseTime(data.timestamp);
  state.skewMs = serverMs === null ? 0 : serverMs - Date.now();
  renderToggle();
  renderState(data);
  renderProgress();
  renderLastRun(data.last_run);
  updateFreshness(data.last_run, data.stale_warn_hours);
  renderEgresses(data.egresses || []);
  renderCountdown();
  const updated = $("status-updated");
  updated.textContent = `更新于 ${fmtLocal(data.timestamp).slice(11) || "—"}`;
  updated.title = data.timestamp || "";
  emit("status", data);
  noteRunChanges(data);
}

export function renderToggle() {
  const btn = $("toggle-btn");
  const running = Boolean(state.status && state.status.running);
  btn.classList.remove("btn--loading", "btn--start", "btn--stop");
  btn.classList.add(running ? "btn--stop" : "btn--start");
  btn.textContent = running ? "🛑 停止分发数据回传" : "📡 启动分发数据回传";
  btn.dataset.running = String(running);
  btn.disabled = state.toggleBusy;
}

function renderState(data) {
  const node = $("status-state");
  node.textContent = data.running ? "🟢 运行中" : "⚪ 已停止";
  node.className = `state ${data.running ? "state--on" : "state--off"}`;
  const interval = fmtInterval(data.interval_seconds);
  $("status-interval").textContent = interval === "—" ? "—" : `${interval}一次`;
  $("interval-text").textContent = interval === "—" ? "" : `${interval}自动回传一次`;
}

function renderCountdown() {
  const node = $("countdown");
  const data = state.status;
  node.classList.remove("muted");
  if (!data) {
    node.textContent = "—";
    return;
  }
  const next = parseTime(data.next_run_at);
  node.title = data.next_run_at ? `下次回传：${fmtLocal(data.next_run_at)}（${data.next_run_at}）` : "";
  if (!data.running) {
    node.textContent = "定时回传已关闭";
    node.classList.add("muted");
  } else if (next === null) {
    node.textContent = data.current_run ? "回传进行中…" : "等待调度…";
  } else {
    const remaining = next - serverNow();
    if (remaining > 0) node.textContent = fmtCountdown(Math.ceil(remaining / 1000));
    else node.textContent = data.current_run ? "回传进行中…" : "即将开始…";
  }
}

function renderProgress() {
  const bar = $("progress");
  const text = $("progress-text");
  const run = state.status && state.status.current_run;
  if (!run) {
    bar.max = 1;
    bar.value = 0;
    bar.classList.add("progress--idle");
    text.textContent = "空闲：当前没有进行中的回传";
    return;
  }
  bar.classList.remove("progress--idle");
  const total = Number(run.total) || 0;
  const done = Math.min(Number(run.done) || 0, total);
  const head = `#${run.id} · ${TRIGGER[run.trigger] || run.trigger || ""}回传`;
  const elapsed = `已用时 ${fmtDuration(runDurationMs(run))}`;
  if (total <= 0) {
    bar.removeAttribute("value");
    text.textContent = `${head} · 正在准备任务… · ${elapsed}`;
    return;
  }
  bar.max = total;
  bar.value = done;
  const pct = Math.floor((done / total) * 100);
  text.textContent = `${head} · ${fmtNum(done)} / ${fmtNum(total)}（${pct}%）` +
    ` · 成功 ${fmtNum(run.success_count)} · 失败 ${fmtNum(run.failed_count)} · ${elapsed}`;
}

function renderLastRun(run) {
  const node = $("last-run");
  if (!run) {
    node.replaceChildren(el("span", "muted", "暂无回传记录"));
    return;
  }
  const head = el("div", "last-run__head");
  head.append(runStatusBadge(run.status), el("span", "last-run__id",
    `#${run.id} · ${triggerText(run)}`));
  const stats = el("div", "last-run__stats");
  stats.append(
    summaryPair("总任务数", fmtNum(run.total)),
    summaryPair("成功", fmtNum(run.success_count), "ok"),
    summaryPair("失败", fmtNum(run.failed_count), Number(run.failed_count) > 0 ? "fail" : null),
  );
  const when = el("div", "last-run__when");
  when.append(el("span", "muted", "开始 "), timeNode(run.started_at),
    el("span", "muted", " · 耗时 "), el("span", null, fmtDuration(runDurationMs(run))));
  node.replaceChildren(head, stats, when);
  if (run.error) node.append(el("div", "last-run__error", `错误：${run.error}`));
}

export function tick() {
  renderCountdown();
  if (state.status && state.status.current_run) renderProgress();
}

function noteRunChanges(data) {
  const cur = data.current_run;
  const last = data.last_run;
  const key = `${cur ? `${cur.id}:${cur.status}` : "-"}|${last ? `${last.id}:${last.status}` : "-"}`;
  if (key === state.runsKey) return;
  const firstSeen = state.runsKey === null;
  state.runsKey = key;
  if (firstSeen) return; // the initial load is done by the tab itself
  emit("runs-changed");
}

export function onVisibilityChange() {
  if (!document.hidden) pollStatus();
}
