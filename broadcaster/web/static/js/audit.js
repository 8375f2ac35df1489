/* 操作记录: the audit trail (GET /api/audit), filtered by user, action and time range. Every
 * value the server sends is written with textContent: user names and task titles are input. */

import { $, el, timeNode, badge, cell, labelCells, placeholderRow, showInlineError, hideInlineError } from "./dom.js";
import { apiData } from "./http.js";
import { ROLE } from "./labels.js";

export const AUDIT_ACTIONS = {
  start: "启动", stop: "停止", trigger: "立即回传", task_create: "注册任务", task_update: "修改任务",
  alert_test: "测试告警", digest_test: "测试日报", login: "登录", logout: "退出登录", login_blocked: "登录封禁",
};
const FIELD_NAMES = {
  running: "服务开关", title: "标题", status: "状态", video_url: "视频链接", callback_url: "回传地址",
  project_id: "项目ID", external_task_id: "外部任务ID", duration: "时长", has_callback_secret: "回调密钥",
  callback_secret: "回调密钥",
};
const COLUMNS = 8;

let auditSeq = 0;

function auditQuery() {
  const params = new URLSearchParams({ hours: $("audit-hours").value, limit: $("audit-limit").value });
  const user = $("audit-user").value.trim();
  if (user) params.set("user", user);
  if ($("audit-action").value) params.set("action", $("audit-action").value);
  return params.toString();
}

export async function loadAudit() {
  const seq = ++auditSeq;
  try {
    const rows = await apiData(`/audit?${auditQuery()}`);
    if (seq !== auditSeq) return;
    hideInlineError("audit-error");
    renderAudit(Array.isArray(rows) ? rows : []);
  } catch (err) {
    if (seq !== auditSeq) return;
    showInlineError("audit-error", `操作记录加载失败：${err.message}`);
    placeholderRow($("audit-table").tBodies[0], COLUMNS, "加载失败", "placeholder placeholder--error");
  }
}

function renderAudit(rows) {
  const tbody = $("audit-table").tBodies[0];
  $("audit-summary").textContent = `共 ${rows.length} 条`;
  if (!rows.length) {
    placeholderRow(tbody, COLUMNS, "暂无记录", "placeholder placeholder--empty");
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const row of rows) fragment.append(auditRow(row));
  tbody.replaceChildren(fragment);
}

function auditRow(row) {
  const tr = el("tr");
  tr.dataset.action = row.action;
  const refused = row.status >= 400;
  tr.append(
    cell(timeNode(row.at)),
    cell(row.user || "—"),
    cell(ROLE[row.role] || row.role || "—"),
    cell(row.address || "—"),
    cell(AUDIT_ACTIONS[row.action] || row.action),
    cell(row.target || "—"),
    detailCell(row.detail),
    cell(badge(String(row.status ?? "—"), refused ? "fail" : "ok"), "num"),
  );
  return labelCells(tr, "audit-table");
}

function shown(value) {
  if (value === null || value === undefined || value === "") return "（空）";
  if (value === true) return "是";
  if (value === false) return "否";
  return String(value);
}

export function detailText(detail) {
  if (!detail) return "—";
  const parts = [];
  for (const [field, [before, after]] of Object.entries(detail.changes || {})) {
    const name = FIELD_NAMES[field] || field;
    parts.push(field === "running"
      ? `${name}：${before ? "开" : "关"} → ${after ? "开" : "关"}`
      : `${name}：${shown(before)} → ${shown(after)}`);
  }
  if (detail.task_ids) parts.push(`选中的任务：${detail.task_ids.join("、")}`);
  if (detail.run_id !== undefined && detail.run_id !== null) parts.push(`回传 #${detail.run_id}`);
  if (detail.blocked_seconds) parts.push(`封禁 ${Math.ceil(detail.blocked_seconds / 60)} 分钟`);
  if (detail.error) parts.push(`被拒绝：${detail.error}`);
  else if (detail.message) parts.push(detail.message);
  return parts.length ? parts.join("；") : "无变化";
}

function detailCell(detail) {
  const text = detailText(detail);
  const td = el("td", "cell--wide audit-detail", text);
  td.title = text;
  return td;
}

export function bindAudit(debounced) {
  for (const id of ["audit-hours", "audit-limit", "audit-action"]) $(id).addEventListener("change", loadAudit);
  $("audit-user").addEventListener("input", debounced(loadAudit, 300));
  $("audit-refresh").addEventListener("click", loadAudit);
}
