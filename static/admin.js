/* Admin page of the stats broadcaster: plain ES2020, no framework.
 * The page's CSP forbids inline scripts and styles, so everything is wired here and all
 * server text is written with textContent (task titles are user input). */
"use strict";

(function () {
  const POLL_VISIBLE_MS = 2000;
  const POLL_HIDDEN_MS = 10000;
  const POLL_AFTER_ERROR_MS = 5000;
  const LOG_REFRESH_MS = 30000;
  const REQUEST_TIMEOUT_MS = 20000;
  const CHART_RUNS = 50;
  const MAX_TABLE_ROWS = 500;
  const TASK_PAGE_SIZE = 1000;
  const TASK_MAX_PAGES = 50;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const MAX_RETRY_TASKS = 1000; // the API takes at most 1000 task ids per pass
  const HISTORY_HOURS = [24, 168, 720];
  const HOUR_MS = 3600 * 1000;
  const DAY_MS = 24 * HOUR_MS;

  const RUN_STATUS = {
    running: "进行中",
    succeeded: "已完成",
    failed: "失败",
    interrupted: "已中断",
    abandoned: "已放弃",
  };
  const TRIGGER = { schedule: "定时", manual: "手动", cli: "命令行" };
  const CALLBACK_STATUS = { pending: "待回传", success: "成功", failed: "失败" };
  const TASK_STATUS = {
    active: "进行中", paused: "已暂停", completed: "已完成", expired: "已过期", cancelled: "已取消", deleted: "已删除",
  };
  const PLATFORM = { youtube: "YouTube", tiktok: "TikTok", douyin: "抖音" };
  const STATS_STATUS = { ok: "正常", unavailable: "不可用", blocked: "受限", error: "出错" };
  const TONE = {
    running: "info", succeeded: "ok", failed: "fail", interrupted: "warn", abandoned: "warn",
    success: "ok", pending: "muted", active: "ok", paused: "muted",
  };

  const numberFormat = new Intl.NumberFormat("zh-CN");

  const state = {
    apiBase: "/api",
    status: null,
    skewMs: 0,
    statusSeq: 0,
    renderedSeq: 0,
    pollTimer: null,
    toggleBusy: false,
    triggerBusy: false,
    pendingRunId: null,
    pendingFetchBusy: false,
    runsKey: null,
    runsSeq: 0,
    runs: [],
    selectedRunId: null,
    runDetail: null,
    runDetailBusy: false,
    retryBusy: false,
    retryOrigin: {}, // run id -> {from, count}: runs started by 重试失败的任务
    logsSeq: 0,
    logTimer: null,
    expandedLogs: new Set(),
    tasks: [],
    tasksLoaded: false,
    tasksSeq: 0,
    freshnessRun: null,
    freshnessBusy: false,
    history: { taskId: null, hours: 168, data: null, seq: 0 },
    activeTab: "runs",
  };

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  /* ---------- small helpers ---------- */

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function fmtNum(value) {
    return value === null || value === undefined || Number.isNaN(Number(value))
      ? "—"
      : numberFormat.format(Number(value));
  }

  function parseTime(iso) {
    if (!iso) return null;
    // Python emits microseconds; keep milliseconds so every engine parses it.
    const ms = Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
    return Number.isNaN(ms) ? null : ms;
  }

  function pad2(n) {
    return String(n).padStart(2, "0");
  }

  function fmtLocal(iso) {
    const ms = parseTime(iso);
    if (ms === null) return "—";
    const d = new Date(ms);
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
      `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  }

  function timeNode(iso) {
    if (!iso) return el("span", "muted", "—");
    const node = el("time", "time", fmtLocal(iso));
    node.dateTime = iso;
    node.title = iso;
    return node;
  }

  function fmtDuration(ms) {
    if (ms === null || ms === undefined || ms < 0 || !Number.isFinite(ms)) return "—";
    const seconds = ms / 1000;
    if (seconds < 10) return `${seconds.toFixed(1)}秒`;
    if (seconds < 60) return `${Math.round(seconds)}秒`;
    const total = Math.round(seconds);
    if (total < 3600) return `${Math.floor(total / 60)}分${pad2(total % 60)}秒`;
    return `${Math.floor(total / 3600)}小时${pad2(Math.floor((total % 3600) / 60))}分`;
  }

  function fmtCountdown(totalSeconds) {
    if (totalSeconds < 60) return `${totalSeconds}秒`;
    if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}分${pad2(totalSeconds % 60)}秒`;
    return `${Math.floor(totalSeconds / 3600)}小时${pad2(Math.floor((totalSeconds % 3600) / 60))}分`;
  }

  function fmtInterval(seconds) {
    const s = Number(seconds);
    if (!Number.isFinite(s) || s <= 0) return "—";
    if (s % 3600 === 0) return `每${s / 3600}小时`;
    if (s % 60 === 0) return `每${s / 60}分钟`;
    return `每${s}秒`;
  }

  function serverNow() {
    return Date.now() + state.skewMs;
  }

  function runDurationMs(run) {
    const start = parseTime(run.started_at);
    if (start === null) return null;
    const end = run.finished_at ? parseTime(run.finished_at) : serverNow();
    return end === null ? null : end - start;
  }

  function badge(text, tone) {
    return el("span", `badge badge--${tone || "muted"}`, text);
  }

  function runStatusBadge(status) {
    return badge(RUN_STATUS[status] || status || "—", TONE[status]);
  }

  function cell(content, className) {
    const td = el("td", className);
    if (content instanceof Node) td.append(content);
    else td.textContent = content === null || content === undefined ? "—" : String(content);
    return td;
  }

  /* Copy each column's header into data-label so phones can show rows as labelled cards. */
  function labelCells(tr, tableId) {
    const headers = $(tableId).tHead.rows[0].cells;
    Array.from(tr.cells).forEach((td, i) => {
      if (headers[i]) td.dataset.label = headers[i].textContent.trim();
    });
    return tr;
  }

  function placeholderRow(tbody, colspan, text, className) {
    const td = el("td", null, text);
    td.colSpan = colspan;
    const tr = el("tr", className || "placeholder");
    tr.append(td);
    tbody.replaceChildren(tr);
  }

  function showInlineError(id, text) {
    const node = $(id);
    node.textContent = `⚠️ ${text}`;
    node.hidden = false;
  }

  function hideInlineError(id) {
    const node = $(id);
    node.hidden = true;
    node.textContent = "";
  }

  function showMessage(text, kind) {
    const node = $("message");
    node.textContent = text;
    node.className = `message message--${kind || "info"}`;
  }

  function debounce(fn, waitMs) {
    let timer = null;
    return function debounced(...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), waitMs);
    };
  }

  /* ---------- HTTP ---------- */

  async function readJson(response) {
    try {
      return await response.json();
    } catch (err) {
      return null;
    }
  }

  function errorText(body, response) {
    if (body && (body.error || body.message)) return String(body.error || body.message);
    return `请求失败（HTTP ${response.status}）`;
  }

  async function api(method, path, body, acceptStatuses) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    options.signal = controller.signal;
    let response;
    try {
      response = await fetch(state.apiBase + path, options);
    } catch (err) {
      const timedOut = err && err.name === "AbortError";
      throw new ApiError(timedOut ? "请求超时，服务器没有及时响应" : "网络错误，无法连接服务器", 0);
    } finally {
      clearTimeout(timer);
    }
    const payload = await readJson(response);
    if (response.status === 401) {
      throw new ApiError("登录已失效或未登录，请重新登录（刷新页面后输入用户名和密码）", 401);
    }
    if (!response.ok && !(acceptStatuses || []).includes(response.status)) {
      throw new ApiError(errorText(payload, response), response.status);
    }
    if (payload === null || typeof payload !== "object") {
      throw new ApiError(`服务器返回了无法解析的响应（HTTP ${response.status}）`, response.status);
    }
    return { status: response.status, body: payload };
  }

  /* GET answers carry their payload in "data"; a 200 with success=false is still a failure. */
  async function apiData(path) {
    const { body } = await api("GET", path);
    if (body.success === false || body.data === undefined) {
      throw new ApiError(errorText(body, { status: 200 }), 200);
    }
    return body.data;
  }

  /* ---------- status polling ---------- */

  function pollDelay() {
    return document.hidden ? POLL_HIDDEN_MS : POLL_VISIBLE_MS;
  }

  function schedulePoll(delayMs) {
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(pollStatus, delayMs);
  }

  async function pollStatus() {
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
    checkPendingTrigger(data);
    noteRunChanges(data);
    refreshOpenRunDetail(data);
  }

  function renderToggle() {
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

  /* ---------- freshness and egresses ---------- */

  function fmtAge(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 90) return `${Math.round(seconds)} 秒`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} 分钟`;
    if (seconds < 72 * 3600) return `${(seconds / 3600).toFixed(1)} 小时`;
    return `${(seconds / 86400).toFixed(1)} 天`;
  }

  function freshnessLine(platform, f, warnHours) {
    const li = el("li", "freshness-line");
    const name = PLATFORM[platform] || platform;
    const parts = [`${fmtNum(f.videos)} 个视频`, `本轮刷新 ${fmtNum(f.refreshed)} 个任务的数据`];
    if (f.tasks > 0) parts.push(`数据中位 ${fmtAge(f.p50_age_s)}前`, `最旧 ${fmtAge(f.max_age_s)}前`);
    else parts.push("本轮没有回传该平台的数据");
    parts.push(f.cycle_s === null ? "当前额度下无法刷新（出口都在冷却或没有额度）" : `全部刷新一轮约 ${fmtAge(f.cycle_s)}`);
    li.append(el("strong", null, `${name}：`), el("span", null, parts.join("，")));
    const stale = f.max_age_s !== null && f.max_age_s > warnHours * 3600;
    if (stale || f.cycle_s === null) {
      li.classList.add("freshness-line--warn");
      li.append(el("span", "badge badge--warn", stale ? `⚠️ 有数据超过 ${warnHours} 小时未刷新` : "⚠️ 无法刷新"));
    }
    return li;
  }

  /* A pass over selected tasks (a retry) says little about how fresh everything is: the card
   * keeps showing the last pass over every task. */
  function updateFreshness(lastRun, warnHours) {
    if (!lastRun || lastRun.scope !== "selected") {
      state.freshnessRun = lastRun;
      renderFreshness(lastRun, warnHours);
    } else if (state.freshnessRun && state.freshnessRun.scope !== "selected") {
      renderFreshness(state.freshnessRun, warnHours);
    } else {
      loadFullRunFreshness(warnHours);
    }
  }

  async function loadFullRunFreshness(warnHours) {
    if (state.freshnessBusy) return;
    state.freshnessBusy = true;
    try {
      const runs = await apiData(`/broadcaster/runs?limit=${CHART_RUNS}`);
      const full = (Array.isArray(runs) ? runs : []).find((r) => r.scope !== "selected" && r.status !== "running");
      state.freshnessRun = full || { scope: "all", freshness: null };
      renderFreshness(state.freshnessRun, warnHours);
    } catch (err) {
      // The next status poll tries again.
    } finally {
      state.freshnessBusy = false;
    }
  }

  function renderFreshness(run, warnHours) {
    const list = $("freshness-lines");
    const figures = run && run.freshness;
    if (!figures || !Object.keys(figures).length) {
      list.replaceChildren(el("li", "muted", "上一轮回传还没有新鲜度统计"));
      return;
    }
    list.replaceChildren(...Object.keys(PLATFORM).filter((p) => figures[p])
      .map((p) => freshnessLine(p, figures[p], warnHours || 24)));
  }

  function renderEgresses(egresses) {
    const tbody = $("egress-table").tBodies[0];
    tbody.replaceChildren();
    if (!egresses.length) {
      placeholderRow(tbody, 5, "没有出口");
      return;
    }
    for (const e of egresses) {
      const tr = document.createElement("tr");
      const benched = e.state === "benched";
      const status = benched
        ? badge(`冷却中，至 ${fmtLocal(e.benched_until).slice(11, 16)}`, "warn")
        : badge("可用", "ok");
      if (benched && e.last_error) status.title = e.last_error;
      tr.append(cell(PLATFORM[e.platform] || e.platform), cell(e.label === "direct" ? "直连" : e.label, "mono"),
        cell(status), cell(fmtNum(e.pages_last_pass), "num"),
        cell(fmtNum(e.blocks_last_hour), Number(e.blocks_last_hour) > 0 ? "num num--warn" : "num"));
      labelCells(tr, "egress-table");
      tbody.append(tr);
    }
  }

  function summaryPair(label, value, tone) {
    const wrap = el("span", "pair");
    wrap.append(el("span", "pair__label", label), el("span", `pair__value${tone ? ` pair__value--${tone}` : ""}`, value));
    return wrap;
  }

  function tick() {
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
    if (state.activeTab === "runs") loadRuns();
    if (state.activeTab === "tasks") loadTasks();
    if (state.activeTab === "logs") loadLogs();
  }

  function onVisibilityChange() {
    if (!document.hidden) pollStatus();
  }

  /* ---------- control panel: start / stop ---------- */

  async function onToggleClick() {
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

  /* ---------- control panel: trigger now ---------- */

  function showTriggerConfirm() {
    if (state.triggerBusy) return;
    $("trigger-confirm-bar").hidden = false;
    $("trigger-confirm").focus();
  }

  function hideTriggerConfirm(refocus) {
    $("trigger-confirm-bar").hidden = true;
    if (refocus) $("trigger-btn").focus();
  }

  function setTriggerBusy(busy) {
    state.triggerBusy = busy;
    const btn = $("trigger-btn");
    btn.disabled = busy;
    btn.textContent = busy ? "⏳ 正在回传…" : "🚀 立即回传一次";
  }

  async function onTriggerConfirm() {
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

  function checkPendingTrigger(data) {
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

  /* ---------- tabs ---------- */

  const TABS = ["runs", "logs", "tasks"];

  function selectTab(name, moveFocus) {
    state.activeTab = name;
    for (const tab of TABS) {
      const selected = tab === name;
      const button = $(`tab-${tab}`);
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      button.classList.toggle("tab--active", selected);
      $(`panel-${tab}`).hidden = !selected;
    }
    if (moveFocus) $(`tab-${name}`).focus();
    if (name === "runs") loadRuns();
    if (name === "logs") loadLogs();
    if (name === "tasks") loadTasks();
  }

  function onTabKeydown(event) {
    const index = TABS.indexOf(state.activeTab);
    let next = null;
    if (event.key === "ArrowRight") next = TABS[(index + 1) % TABS.length];
    if (event.key === "ArrowLeft") next = TABS[(index + TABS.length - 1) % TABS.length];
    if (event.key === "Home") next = TABS[0];
    if (event.key === "End") next = TABS[TABS.length - 1];
    if (next) {
      event.preventDefault();
      selectTab(next, true);
    }
  }

  function activateOnKey(event, action) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      action();
    }
  }

  /* ---------- history: runs table and chart ---------- */

  async function loadRuns() {
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

  function triggerText(run) {
    const name = TRIGGER[run.trigger] || run.trigger || "—";
    return run.scope === "selected" ? `${name} · 选定任务` : name;
  }

  function onRunsTableEvent(event) {
    const tr = event.target.closest("tr[data-run-id]");
    if (!tr) return;
    if (event.type === "keydown") activateOnKey(event, () => openRunDetail(tr.dataset.runId));
    else openRunDetail(tr.dataset.runId);
  }

  async function openRunDetail(id) {
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
  function refreshOpenRunDetail(data) {
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
      if (run.status !== "running" && state.retryOrigin[run.id]) announceRetryResult(run);
    } catch {
      // the next status poll tries again
    } finally {
      state.runDetailBusy = false;
    }
  }

  function closeRunDetail() {
    state.selectedRunId = null;
    state.runDetail = null;
    $("run-detail").hidden = true;
    for (const tr of $("runs-table").tBodies[0].rows) tr.classList.remove("row--selected");
  }

  function renderRunDetail() {
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
    renderRetryButton(run);
    renderRetryNote(run);
    const tbody = $("run-items-table").tBodies[0];
    if (!shown.length) {
      placeholderRow(tbody, 7, "暂无数据", "placeholder placeholder--empty");
      return;
    }
    const fragment = document.createDocumentFragment();
    for (const item of shown.slice(0, MAX_TABLE_ROWS)) fragment.append(runItemRow(item));
    tbody.replaceChildren(fragment);
  }

  /* ---------- 重试失败的任务: a pass over one run's failed tasks ---------- */

  function failedTaskIds(run) {
    const items = Array.isArray(run.items) ? run.items : [];
    const ids = items
      .filter((item) => item.callback_status === "failed" && item.task_id !== null && item.task_id !== undefined)
      .map((item) => Number(item.task_id));
    return Array.from(new Set(ids));
  }

  function renderRetryButton(run) {
    const btn = $("run-detail-retry");
    const ids = run.status === "running" ? [] : failedTaskIds(run);
    btn.hidden = !ids.length && !state.retryBusy;
    btn.disabled = state.retryBusy;
    btn.textContent = state.retryBusy ? "⏳ 正在重试…" : `🔁 重试失败的任务（${fmtNum(ids.length)}）`;
    btn.title = ids.length > MAX_RETRY_TASKS
      ? `失败任务较多，一次重试前 ${fmtNum(MAX_RETRY_TASKS)} 个`
      : "只回传本次失败的任务；完成后在这里显示新一次回传的结果";
  }

  function renderRetryNote(run) {
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

  async function onRetryFailed() {
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

  function announceRetryResult(run) {
    const ok = run.status === "succeeded";
    showMessage(`${ok ? "✅" : "⚠️"} 重试回传 #${run.id} ${RUN_STATUS[run.status] || run.status}：` +
      `成功 ${fmtNum(run.success_count)} · 失败 ${fmtNum(run.failed_count)}`, ok ? "success" : "warning");
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

  function taskLabel(title, taskId) {
    const wrap = el("div", "task-label");
    wrap.append(el("span", "task-label__title", title || "（无标题）"));
    if (taskId !== null && taskId !== undefined) wrap.append(el("span", "task-label__id", `任务 #${taskId}`));
    return wrap;
  }

  function errorCell(error) {
    const td = el("td", "error-text cell--wide", error || "—");
    if (error) td.title = error;
    else td.classList.add("muted");
    return td;
  }

  /* Chart: stacked delivered/failed bars per run plus a duration line, sized to its box so
   * the labels keep their real pixel size on a phone. */
  function renderRunsChart(runs) {
    const box = $("runs-chart");
    const list = runs.slice(0, CHART_RUNS).reverse();
    if (!list.length) {
      box.replaceChildren(el("p", "empty", "暂无数据"));
      return;
    }
    const width = Math.max(300, Math.round(box.clientWidth || 800));
    const height = width < 500 ? 230 : 270;
    const m = { top: 28, right: 46, bottom: 40, left: 46 };
    const plot = { w: width - m.left - m.right, h: height - m.top - m.bottom };
    const tasks = Math.max(...list.map((r) => (Number(r.success_count) || 0) + (Number(r.failed_count) || 0)));
    const countScale = niceRange(0, Math.max(tasks, 1));
    const durations = list.map((r) => (r.finished_at ? runDurationMs(r) / 1000 : null));
    const durScale = niceRange(0, Math.max(1, ...durations.filter((d) => d !== null)));

    const svg = svgEl("svg", {
      class: "chart__svg", width, height, viewBox: `0 0 ${width} ${height}`,
      role: "img", "aria-labelledby": "runs-chart-title",
    });
    svg.append(svgEl("title", { id: "runs-chart-title" },
      `最近 ${list.length} 次回传：成功/失败任务数（柱）与耗时（线）`));
    const plotArea = svgEl("g", { transform: `translate(${m.left},${m.top})` });
    svg.append(plotArea);

    drawYAxes(plotArea, plot, { scale: countScale, key: null }, { scale: durScale, key: "dur" });
    const band = plot.w / list.length;
    list.forEach((run, i) => plotArea.append(runBar(run, i, band, plot, countScale.max)));
    plotArea.append(durationLine(list, durations, band, plot, durScale.max));
    drawXLabels(plotArea, list, band, plot);
    drawAxisTitles(svg, width, height, m, { text: "任务数", key: null }, { text: "耗时（秒）", key: "dur" },
      "回传批次（ID，左旧右新）");
    box.replaceChildren(svg, chartLegend());
  }

  /* An axis from a round number below `lo` to one above `hi` with 3-6 round ticks (steps of 1, 2
     or 5 times a power of ten, at least `minStep`); a flat range is padded so it has height. */
  function niceRange(lo, hi, minStep = 0) {
    let low = lo;
    let high = hi;
    if (high === low) {
      const pad = Math.max(1, Math.abs(high) * 0.05);
      low = lo >= 0 ? Math.max(0, low - pad) : low - pad;
      high += pad;
    }
    const rough = (high - low) / 4;
    const exp = Math.pow(10, Math.floor(Math.log10(rough)));
    const step = Math.max(minStep, [1, 2, 5, 10].map((f) => f * exp).find((s) => s >= rough));
    const min = Math.floor(low / step) * step;
    const max = Math.max(min + step, Math.ceil(high / step) * step);
    return { min, max, step, ticks: Math.round((max - min) / step) };
  }

  /* Gridlines and ticks of the left axis, ticks of the optional right one. A side is
     { scale, key }; `key` adds a modifier class to its ticks (null: none). */
  function drawYAxes(g, plot, left, right) {
    const tickClass = (side) => (side.key ? `chart__tick chart__tick--${side.key}` : "chart__tick");
    for (let i = 0; i <= left.scale.ticks; i += 1) {
      const y = plot.h - (plot.h * i) / left.scale.ticks;
      g.append(svgEl("line", { class: "chart__grid", x1: 0, x2: plot.w, y1: y, y2: y }));
      g.append(svgEl("text", { class: tickClass(left), x: -6, y: y + 4, "text-anchor": "end" },
        compactNumber(left.scale.min + left.scale.step * i)));
    }
    for (let i = 0; right && i <= right.scale.ticks; i += 1) {
      const y = plot.h - (plot.h * i) / right.scale.ticks;
      g.append(svgEl("text", { class: tickClass(right), x: plot.w + 6, y: y + 4, "text-anchor": "start" },
        compactNumber(right.scale.min + right.scale.step * i)));
    }
    g.append(svgEl("line", { class: "chart__axis", x1: 0, x2: plot.w, y1: plot.h, y2: plot.h }));
  }

  function compactNumber(value) {
    if (value >= 10000) return `${numberFormat.format(value / 10000)}万`;
    return numberFormat.format(Math.round(value * 10) / 10);
  }

  function runBar(run, index, band, plot, countMax) {
    const ok = Number(run.success_count) || 0;
    const failed = Number(run.failed_count) || 0;
    const barW = Math.max(1, Math.min(28, band * 0.7));
    const x = index * band + (band - barW) / 2;
    const okH = (ok / countMax) * plot.h;
    const failH = (failed / countMax) * plot.h;
    const g = svgEl("g", { class: "chart__bar" });
    g.append(svgEl("title", {}, `#${run.id} · ${TRIGGER[run.trigger] || run.trigger || ""} · ` +
      `${RUN_STATUS[run.status] || run.status} · 开始 ${fmtLocal(run.started_at)}\n` +
      `成功 ${fmtNum(ok)} · 失败 ${fmtNum(failed)} · 耗时 ${fmtDuration(runDurationMs(run))}`));
    g.append(svgEl("rect", { class: "chart__hit", x: index * band, y: 0, width: band, height: plot.h }));
    if (okH > 0) g.append(svgEl("rect", { class: "chart__ok", x, y: plot.h - okH, width: barW, height: okH }));
    if (failH > 0) g.append(svgEl("rect", { class: "chart__fail", x, y: plot.h - okH - failH, width: barW, height: failH }));
    if (run.status === "running") g.classList.add("chart__bar--running");
    return g;
  }

  function durationLine(list, durations, band, plot, durMax) {
    const g = svgEl("g", { class: "chart__line" });
    let segment = [];
    const flush = () => {
      if (segment.length > 1) g.append(svgEl("polyline", { class: "chart__dur", points: segment.join(" ") }));
      segment = [];
    };
    durations.forEach((d, i) => {
      if (d === null) {
        flush();
        return;
      }
      const x = i * band + band / 2;
      const y = plot.h - (d / durMax) * plot.h;
      segment.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      const dot = svgEl("circle", { class: "chart__dot", cx: x.toFixed(1), cy: y.toFixed(1), r: band < 8 ? 1.5 : 2.5 });
      dot.append(svgEl("title", {}, `#${list[i].id} 耗时 ${fmtDuration(d * 1000)}`));
      g.append(dot);
    });
    flush();
    // Dots above the line so their tooltips win.
    for (const dot of Array.from(g.querySelectorAll("circle"))) g.append(dot);
    return g;
  }

  function drawXLabels(g, list, band, plot) {
    const every = Math.max(1, Math.ceil(list.length / Math.max(1, Math.floor(plot.w / 48))));
    list.forEach((run, i) => {
      if (i % every !== 0 && i !== list.length - 1) return;
      if (i !== list.length - 1 && list.length - 1 - i < every) return;
      g.append(svgEl("text", { class: "chart__tick", x: i * band + band / 2, y: plot.h + 14, "text-anchor": "middle" },
        `#${run.id}`));
    });
  }

  /* Each axis's title above it ({ text, key }, as the sides of drawYAxes), and the time axis's below. */
  function drawAxisTitles(svg, width, height, m, left, right, bottom) {
    const labelClass = (side) => (side.key ? `chart__label chart__label--${side.key}` : "chart__label");
    svg.append(svgEl("text", { class: labelClass(left), x: 4, y: 14, "text-anchor": "start" }, left.text));
    if (right) {
      svg.append(svgEl("text", { class: labelClass(right), x: width - 4, y: 14, "text-anchor": "end" }, right.text));
    }
    svg.append(svgEl("text", { class: "chart__label", x: m.left + (width - m.left - m.right) / 2, y: height - 6,
      "text-anchor": "middle" }, bottom));
  }

  function chartLegend() {
    const legend = el("ul", "chart__legend");
    for (const [cls, label] of [["ok", "成功（已送达）"], ["fail", "失败"], ["dur", "耗时"]]) {
      const item = el("li", "chart__legend-item");
      item.append(el("span", `swatch swatch--${cls}`), el("span", null, label));
      legend.append(item);
    }
    return legend;
  }

  function onResize() {
    if (state.activeTab === "runs" && state.runs.length) renderRunsChart(state.runs);
    if (state.activeTab === "tasks" && state.history.data) renderHistoryChart();
  }

  /* ---------- webhook logs ---------- */

  function logQuery() {
    const params = new URLSearchParams({ hours: $("log-hours").value, limit: $("log-limit").value });
    const status = $("log-status").value;
    if (status) params.set("status", status);
    return params.toString();
  }

  async function loadLogs() {
    const seq = ++state.logsSeq;
    const refresh = $("log-refresh");
    refresh.disabled = true;
    try {
      const data = await apiData(`/webhook-logs?${logQuery()}`);
      if (seq !== state.logsSeq) return;
      hideInlineError("logs-error");
      renderLogs(Array.isArray(data) ? data : []);
    } catch (err) {
      if (seq !== state.logsSeq) return;
      showInlineError("logs-error", `回传日志加载失败：${err.message}`);
      const tbody = $("logs-table").tBodies[0];
      if (tbody.querySelector("tr.placeholder")) placeholderRow(tbody, 8, "加载失败", "placeholder placeholder--error");
    } finally {
      if (seq === state.logsSeq) refresh.disabled = false;
    }
  }

  function renderLogs(logs) {
    const tbody = $("logs-table").tBodies[0];
    renderLogsSummary(logs);
    if (!logs.length) {
      placeholderRow(tbody, 8, "暂无数据", "placeholder placeholder--empty");
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
      url,
      errorCell(log.error),
    );
    tr.logData = log;
    return labelCells(tr, "logs-table");
  }

  function logDetailRow(log) {
    const tr = el("tr", "log-detail");
    tr.dataset.detailFor = String(log.id);
    const td = el("td");
    td.colSpan = 8;
    const meta = el("dl", "detail-meta");
    const pairs = [
      ["日志 ID", log.id], ["回传 ID", log.run_id === null || log.run_id === undefined ? "—" : `#${log.run_id}`],
      ["项目 ID", log.project_id || "—"], ["回传地址", log.callback_url || "—"], ["错误", log.error || "—"],
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

  function onLogsTableEvent(event) {
    const tr = event.target.closest("tr[data-log-id]");
    if (!tr) return;
    if (event.type === "keydown") activateOnKey(event, () => toggleLogRow(tr));
    else toggleLogRow(tr);
  }

  function toggleLogAutoRefresh() {
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

  /* ---------- tasks ---------- */

  /* The API pages tasks (at most 1000 per request); read every page so search sees them all. */
  async function loadTasks() {
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

  function renderTasks() {
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

  function onTasksTableClick(event) {
    const btn = event.target.closest("button.task-toggle");
    if (btn) {
      if (!btn.disabled) onTaskToggle(btn);
      return;
    }
    if (event.target.closest("a")) return; // the video link opens the video
    const tr = event.target.closest("tr[data-task-id]");
    if (tr) openTaskHistory(tr.dataset.taskId);
  }

  /* ---------- a task's count history: the chart of views and likes ---------- */

  const RANGE_TEXT = { 24: "最近 24 小时", 168: "最近 7 天", 720: "最近 30 天" };
  const TIME_STEPS = [HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 4 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS,
    2 * DAY_MS, 5 * DAY_MS, 7 * DAY_MS];
  const SERIES = { views: "播放量", likes: "点赞数" };
  const MAX_DOTS = 120; // beyond this many points the line alone reads better; hover still shows each

  function taskById(id) {
    return state.tasks.find((t) => String(t.task_id) === String(id)) || null;
  }

  function openTaskHistory(id) {
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

  function closeTaskHistory() {
    state.history.taskId = null;
    state.history.data = null;
    state.history.seq += 1;
    $("task-history").hidden = true;
    for (const tr of $("tasks-table").tBodies[0].rows) tr.classList.remove("row--selected");
  }

  function selectHistoryRange(hours) {
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

  function signed(value) {
    if (!Number.isFinite(value)) return "—";
    if (value === 0) return "±0";
    return `${value > 0 ? "+" : "−"}${fmtNum(Math.abs(value))}`;
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

  /* One line per count the video has; each gets its own axis (views left, likes right),
   * because a video's likes are a small fraction of its views. */
  function historySeries(points, plot) {
    const series = [];
    for (const key of Object.keys(SERIES)) {
      const known = points.filter((p) => p[key] !== null && p[key] !== undefined);
      if (!known.length) continue;
      const values = known.map((p) => p[key]);
      const scale = niceRange(Math.min(...values), Math.max(...values), 1);
      const y = (v) => plot.h - ((v - scale.min) / (scale.max - scale.min)) * plot.h;
      series.push({ key, label: SERIES[key], points: known, scale, y, side: series.length ? "right" : "left" });
    }
    return series;
  }

  function renderHistoryChart() {
    const data = state.history.data;
    const box = $("history-chart");
    const points = (data.points || []).map((p) => ({ ...p, t: parseTime(p.at) })).filter((p) => p.t !== null);
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

  /* Round local times (whole hours, midnights) at a step that leaves ~56 px per label. */
  function drawTimeTicks(g, plot, start, end, x) {
    const fit = Math.max(3, Math.floor(plot.w / 56));
    const step = TIME_STEPS.find((s) => (end - start) / s <= fit) || TIME_STEPS[TIME_STEPS.length - 1];
    for (const t of timeTicks(start, end, step)) {
      const px = x(t);
      g.append(svgEl("line", { class: "chart__grid chart__grid--time", x1: px, x2: px, y1: 0, y2: plot.h }));
      g.append(svgEl("text", { class: "chart__tick", x: px, y: plot.h + 15, "text-anchor": "middle" }, timeLabel(t, step)));
    }
  }

  function timeTicks(start, end, step) {
    const tick = new Date(start);
    tick.setMinutes(0, 0, 0);
    if (step >= DAY_MS) tick.setHours(0);
    else tick.setHours(Math.floor(tick.getHours() / (step / HOUR_MS)) * (step / HOUR_MS));
    const ticks = [];
    // Calendar steps, so a daylight-saving day keeps the ticks on midnight.
    while (tick.getTime() <= end) {
      if (tick.getTime() >= start) ticks.push(tick.getTime());
      if (step >= DAY_MS) tick.setDate(tick.getDate() + step / DAY_MS);
      else tick.setHours(tick.getHours() + step / HOUR_MS);
    }
    return ticks;
  }

  function timeLabel(t, step) {
    const d = new Date(t);
    const day = `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
    if (step >= DAY_MS || (d.getHours() === 0 && d.getMinutes() === 0)) return day;
    return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
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
    if (coords.length <= MAX_DOTS) {
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

  /* ---------- wiring ---------- */

  function bindEvents() {
    $("toggle-btn").addEventListener("click", onToggleClick);
    $("trigger-btn").addEventListener("click", showTriggerConfirm);
    $("trigger-confirm").addEventListener("click", onTriggerConfirm);
    $("trigger-cancel").addEventListener("click", () => hideTriggerConfirm(true));
    $("trigger-confirm-bar").addEventListener("keydown", (event) => {
      if (event.key === "Escape") hideTriggerConfirm(true);
    });
    for (const tab of TABS) {
      $(`tab-${tab}`).addEventListener("click", () => selectTab(tab, false));
      $(`tab-${tab}`).addEventListener("keydown", onTabKeydown);
    }
    const runsBody = $("runs-table").tBodies[0];
    runsBody.addEventListener("click", onRunsTableEvent);
    runsBody.addEventListener("keydown", onRunsTableEvent);
    $("run-detail-close").addEventListener("click", closeRunDetail);
    $("run-detail-failed-only").addEventListener("change", renderRunDetail);
    const logsBody = $("logs-table").tBodies[0];
    logsBody.addEventListener("click", onLogsTableEvent);
    logsBody.addEventListener("keydown", onLogsTableEvent);
    for (const id of ["log-hours", "log-limit", "log-status"]) $(id).addEventListener("change", loadLogs);
    $("log-refresh").addEventListener("click", loadLogs);
    $("log-autorefresh").addEventListener("click", toggleLogAutoRefresh);
    $("tasks-table").tBodies[0].addEventListener("click", onTasksTableClick);
    $("task-filter").addEventListener("input", debounce(renderTasks, 200));
    $("task-refresh").addEventListener("click", loadTasks);
    $("run-detail-retry").addEventListener("click", onRetryFailed);
    $("task-history-close").addEventListener("click", closeTaskHistory);
    for (const btn of document.querySelectorAll("#task-history .range-btn")) {
      btn.addEventListener("click", () => selectHistoryRange(Number(btn.dataset.hours)));
    }
    document.addEventListener("visibilitychange", onVisibilityChange);
    window.addEventListener("resize", debounce(onResize, 200));
  }

  function init() {
    const base = document.body.dataset.apiBase;
    if (base) state.apiBase = base.replace(/\/+$/, "");
    const interval = fmtInterval(document.body.dataset.intervalSeconds);
    if (interval !== "—") {
      $("interval-text").textContent = `${interval}自动回传一次`;
      $("status-interval").textContent = `${interval}一次`;
    }
    bindEvents();
    selectTab("runs", false);
    pollStatus();
    setInterval(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
