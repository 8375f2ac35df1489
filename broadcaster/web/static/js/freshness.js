/* The freshness card (how old each platform's counts are) and the egress table. */

import { $, el, badge, cell, labelCells, placeholderRow } from "./dom.js";
import { fmtNum, fmtLocal, fmtAge } from "./format.js";
import { apiData } from "./http.js";
import { PLATFORM } from "./labels.js";
import { CHART_RUNS, state } from "./state.js";

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
export function updateFreshness(lastRun, warnHours) {
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

export function renderEgresses(egresses) {
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
