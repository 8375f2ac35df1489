/* 回调地址: how each callback host took its webhooks (GET /callback-hosts, docs/operations.md#callback-hosts). */

import { $, el, cell, timeNode, labelCells, placeholderRow, showInlineError, hideInlineError, errorCell } from "./dom.js";
import { fmtNum } from "./format.js";
import { apiData } from "./http.js";

const COLUMNS = 8;
let hostsSeq = 0;

export async function loadHosts() {
  const seq = ++hostsSeq;
  const hours = $("host-hours").value;
  try {
    const data = await apiData(`/callback-hosts?hours=${encodeURIComponent(hours)}`);
    if (seq !== hostsSeq) return;
    hideInlineError("hosts-error");
    renderHosts(Array.isArray(data) ? data : []);
  } catch (err) {
    if (seq !== hostsSeq) return;
    showInlineError("hosts-error", `回调地址统计加载失败：${err.message}`);
  }
}

function renderHosts(hosts) {
  const tbody = $("hosts-table").tBodies[0];
  if (!hosts.length) {
    placeholderRow(tbody, COLUMNS, "这段时间没有回传", "placeholder placeholder--empty");
    return;
  }
  tbody.replaceChildren(...hosts.map(hostRow));
}

function hostRow(host) {
  const tr = el("tr");
  const rate = Number(host.success_rate);
  const rateCell = cell(`${(rate * 100).toFixed(rate < 1 && rate >= 0.995 ? 2 : 1)}%`, "num");
  if (rate < 0.9) rateCell.classList.add("rate--bad");
  else if (rate < 0.99) rateCell.classList.add("num--warn");
  const lastError = errorCell(host.last_error);
  if (host.last_error_at) lastError.prepend(timeNode(host.last_error_at), " ");
  const deliveries = cell(fmtNum(host.deliveries), "num");
  if (host.attempts !== undefined) deliveries.title = `共发出 ${fmtNum(host.attempts)} 次 HTTP 请求（含轮内重试）`;
  tr.append(
    cell(host.host, "mono"),
    cell(fmtNum(host.tasks), "num"),
    deliveries,
    rateCell,
    cell(ms(host.p50_ms), "num"),
    cell(ms(host.p95_ms), "num"),
    cell(host.last_success_at ? timeNode(host.last_success_at) : "—"),
    lastError,
  );
  return labelCells(tr, "hosts-table");
}

function ms(value) {
  return value === null || value === undefined ? "—" : `${fmtNum(value)} ms`;
}
