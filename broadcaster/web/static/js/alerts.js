/* The 告警 card: the channels (masked by the server), what fires now and since when, the last
 * alert messages, the daily digest's time and last sending, and 发送测试告警 / 发送测试日报 with
 * each channel's result shown inline. */

import { $, el, badge, cell, labelCells, placeholderRow, showInlineError, hideInlineError, timeNode } from "./dom.js";
import { fmtDuration, fmtLocal, parseTime } from "./format.js";
import { api, apiData } from "./http.js";
import { serverNow } from "./state.js";

const REFRESH_MS = 30000;
const KIND = { firing: ["开始告警", "fail"], repeat: ["仍在告警", "warn"], resolved: ["已恢复", "ok"], test: ["测试", "info"] };
const NAMES = {
  pass_failed: "定时回传失败",
  no_successful_pass: "长时间没有成功的回传",
  deliveries_failing: "大量任务回传失败",
  callback_host_down: "回调地址无法送达",
  counts_stale: "数据过旧",
  platform_dark: "出口全部被暂停",
  youtube_quota: "YouTube 配额即将用完",
  tikhub_allowance: "TikHub 额度已用完",
  database_large: "数据库容量超过阈值",
  test: "测试告警",
};

let busy = false;
let seq = 0;

/* pass_failed → 定时回传失败; callback_host_down:x2c.example.com → 回调地址无法送达（x2c.example.com） */
export function alertName(key) {
  const [name, ...rest] = String(key).split(":");
  const subject = rest.join(":");
  const label = NAMES[name] || name;
  return subject ? `${label}（${subject}）` : label;
}

function renderChannels(channels) {
  const list = $("alert-channels");
  if (!channels.length) {
    list.replaceChildren(el("li", "muted", "未设置（ALERT_URLS）：告警只显示在本页"));
  } else {
    list.replaceChildren(...channels.map((channel) => el("li", "alert-channel mono", channel)));
  }
  $("alert-test-btn").disabled = busy || !channels.length;
  $("digest-test-btn").disabled = busy || !channels.length;
}

/* 日报：每天 09:30（北京时间）…; 上次 2026-12-07：已送达 2 个渠道. */
export function digestLine(digest, hasChannels) {
  if (!digest || !digest.at) return "日报未开启：设置 DIGEST_AT（北京时间，如 09:30）后每天发一份到上面的渠道";
  if (!hasChannels) return `日报：每天 ${digest.at}（北京时间）发送，但还没有设置渠道（ALERT_URLS）`;
  let text = `日报：每天 ${digest.at}（北京时间）发到上面的渠道`;
  const last = digest.last;
  if (last) {
    const result = last.sent === null ? "发送中" : `已送达 ${last.sent} 个渠道${last.failed ? `，失败 ${last.failed} 个` : ""}`;
    text += `；上次 ${last.day}：${result}`;
  }
  return text;
}

function renderFiring(firing) {
  const list = $("alert-firing");
  if (!firing.length) {
    list.replaceChildren(el("li", "alert-quiet", "✅ 没有正在触发的告警"));
    return;
  }
  list.replaceChildren(...firing.map((alert) => {
    const li = el("li", "alert-item");
    const since = parseTime(alert.since);
    const lasted = since === null ? "" : `，已持续 ${fmtDuration(serverNow() - since)}`;
    li.append(el("strong", "alert-item__name", alertName(alert.key)), el("span", "alert-item__summary", alert.summary),
      el("span", "alert-item__since muted", `开始于 ${fmtLocal(alert.since)}${lasted}`));
    return li;
  }));
}

/* A message still unrecorded long after it was due was cut off (its process exited mid-send). */
const SENDING_MS = 5 * 60 * 1000;

function deliveryCell(event) {
  if (event.sent === null || event.sent === undefined) {
    const at = parseTime(event.at);
    const lost = at !== null && serverNow() - at > SENDING_MS;
    return cell(badge(lost ? "结果未知（发送中进程退出）" : "发送中…", lost ? "warn" : "muted"));
  }
  const td = el("td");
  if (!event.sent && !event.failed) td.append(badge("未设置渠道", "muted"));
  else td.append(badge(`已送达 ${event.sent}`, event.sent ? "ok" : "muted"));
  if (event.failed) {
    td.append(" ", badge(`失败 ${event.failed}`, "fail"));
    td.title = event.error || "";
  }
  return td;
}

function renderEvents(events) {
  const tbody = $("alert-events").tBodies[0];
  if (!events.length) {
    placeholderRow(tbody, 5, "最近 7 天没有告警消息");
    return;
  }
  tbody.replaceChildren(...events.map((event) => {
    const [kindText, tone] = KIND[event.kind] || [event.kind, "muted"];
    const tr = document.createElement("tr");
    tr.append(cell(timeNode(event.at)), cell(alertName(event.key)), cell(badge(kindText, tone)),
      cell(event.summary, "cell--wide"), deliveryCell(event));
    return labelCells(tr, "alert-events");
  }));
}

export async function loadAlerts() {
  const mine = ++seq;
  try {
    const [data, digest] = await Promise.all([apiData("/alerts"), apiData("/digest")]);
    if (mine !== seq) return;
    renderChannels(data.channels || []);
    $("digest-line").textContent = digestLine(digest, Boolean((data.channels || []).length));
    renderFiring(data.firing || []);
    renderEvents(data.recent || []);
    hideInlineError("alerts-error");
  } catch (err) {
    if (mine === seq) showInlineError("alerts-error", `告警信息读取失败：${err.message}`);
  }
}

function showTestResults(results) {
  const list = $("alert-test-results");
  list.replaceChildren(...results.map((r) => {
    const li = el("li", `alert-test-result alert-test-result--${r.ok ? "ok" : "fail"}`);
    li.append(el("span", "mono", r.channel), el("span", null, r.ok ? "✅ 已送达" : `❌ ${r.error || "发送失败"}`));
    return li;
  }));
  list.hidden = false;
}

/* 发送测试告警 (what: "alerts") or 发送测试日报 (what: "digest"). */
export async function sendTest(what) {
  if (busy) return;
  busy = true;
  const button = $(what === "digest" ? "digest-test-btn" : "alert-test-btn");
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "⏳ 发送中…";
  const list = $("alert-test-results");
  list.replaceChildren(el("li", "muted", "正在发送到每个渠道（每个最多 10 秒）…"));
  list.hidden = false;
  try {
    const { body } = await api("POST", `/${what}/test`, undefined, [400]);
    if (Array.isArray(body.data)) showTestResults(body.data);
    else list.replaceChildren(el("li", "alert-test-result alert-test-result--fail", `❌ ${body.error || "发送失败"}`));
  } catch (err) {
    list.replaceChildren(el("li", "alert-test-result alert-test-result--fail", `❌ ${err.message}`));
  } finally {
    busy = false;
    button.textContent = label;
    button.disabled = false;
    loadAlerts();
  }
}

export function initAlerts() {
  $("alert-test-btn").addEventListener("click", () => sendTest("alerts"));
  $("digest-test-btn").addEventListener("click", () => sendTest("digest"));
  loadAlerts();
  setInterval(() => {
    if (!document.hidden) loadAlerts();
  }, REFRESH_MS);
}
