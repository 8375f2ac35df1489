/* The task list's question to the server: search, filters, sort and page as GET /api/tasks
 * arguments, and the totals line and page numbers of its answer (pure: no DOM, so Node's tests
 * import it). The server searches and counts; the page holds one page of tasks at a time. */

import { fmtNum } from "./format.js";

export const TASK_PAGE_SIZE = 100;
export const SEARCH_DEBOUNCE_MS = 300;

/* The filters, each as the <select> that sets it: [element id, query argument]. */
export const TASK_FILTERS = [
  ["task-platform", "platform"],
  ["task-stats-status", "stats_status"],
  ["task-callback-status", "callback_status"],
  ["task-status", "status"],
];

/* The arguments of one request: only what is set (the server's defaults: newest first, no filter). */
export function taskListQuery(filters, offset, limit = TASK_PAGE_SIZE) {
  const params = new URLSearchParams();
  const text = String(filters.q || "").trim();
  if (text) params.set("q", text);
  for (const [, name] of TASK_FILTERS) {
    if (filters[name]) params.set(name, filters[name]);
  }
  if (filters.sort && filters.sort !== "id") params.set("sort", filters.sort);
  params.set("limit", String(limit));
  params.set("offset", String(Math.max(0, offset || 0)));
  return params.toString();
}

export function isFiltered(filters) {
  return Boolean(String(filters.q || "").trim()) || TASK_FILTERS.some(([, name]) => Boolean(filters[name]));
}

/* 共 N 个任务 · 进行中 A · 已暂停 P (over the whole table) · 匹配 M 个 (when anything narrows the list). */
export function tasksSummaryText(counts, total, filtered) {
  const c = counts || {};
  let text = `共 ${fmtNum(c.all)} 个任务 · 进行中 ${fmtNum(c.active)} · 已暂停 ${fmtNum(c.paused)}`;
  if (filtered) text += ` · 匹配 ${fmtNum(total)} 个`;
  return text;
}

/* Which page `offset` is, of how many, and the offsets of its neighbours (null: none). */
export function pageInfo(offset, total, limit = TASK_PAGE_SIZE) {
  const pages = Math.max(1, Math.ceil((Number(total) || 0) / limit));
  const page = Math.min(pages, Math.floor((Number(offset) || 0) / limit) + 1);
  return {
    page,
    pages,
    prev: page > 1 ? (page - 2) * limit : null,
    next: page < pages ? page * limit : null,
    last: (pages - 1) * limit,
  };
}

/* The counts after a task moved between active and paused (the pause button keeps them true). */
export function countsAfterToggle(counts, from, to) {
  const next = { ...counts };
  if (from in next && typeof next[from] === "number") next[from] -= 1;
  if (to in next && typeof next[to] === "number") next[to] += 1;
  return next;
}

