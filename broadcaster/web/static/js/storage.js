/* The storage card: the database's size by store now and in steady state (GET /api/storage). */

import { $, cell, el, badge, placeholderRow } from "./dom.js";
import { fmtBytes, fmtNum } from "./format.js";
import { apiData } from "./http.js";

const REFRESH_MS = 5 * 60 * 1000; // sizes change slowly; the server reads them from the catalog
const STORES = [
  ["deliveries", "回传记录"],
  ["fetch_failures", "抓取失败记录"],
  ["history", "计数历史"],
  ["rest", "其他（任务、视频、轮次等）"],
];

function render(data) {
  const over = data.alert_bytes !== null && data.total_bytes > data.alert_bytes;
  const summary = $("storage-summary");
  summary.replaceChildren(
    el("span", null, `现在 ${fmtBytes(data.total_bytes)}，稳定后约 ${fmtBytes(data.projection.total_bytes)}`),
    el("span", "muted", `（按 ${fmtNum(data.projection.tasks)} 个进行中的任务、当前保留天数估算）`),
  );
  if (over) summary.append(badge(`⚠️ 超过告警阈值 ${fmtBytes(data.alert_bytes)}`, "warn"));
  const tbody = $("storage-table").tBodies[0];
  tbody.replaceChildren();
  for (const [key, label] of STORES) {
    const tr = document.createElement("tr");
    tr.dataset.store = key;
    tr.append(cell(label), cell(fmtBytes(data.stores[key]), "num"), cell(fmtBytes(data.projection.stores[key]), "num"));
    tbody.append(tr);
  }
}

export async function loadStorage() {
  const error = $("storage-error");
  try {
    render(await apiData("/storage"));
    error.hidden = true;
  } catch (err) {
    error.textContent = `读取存储空间失败：${err.message}`;
    error.hidden = false;
    if (!$("storage-table").tBodies[0].querySelector("tr[data-store]")) {
      placeholderRow($("storage-table").tBodies[0], 3, "暂无数据");
    }
  }
}

export function initStorage() {
  loadStorage();
  setInterval(loadStorage, REFRESH_MS);
}
