/* 导出 CSV (DESIGN §13): download links that follow the filters shown beside them. The browser
 * sends the page's own credentials with them, and the server streams the file. */

import { $ } from "./dom.js";
import { state } from "./state.js";

/* The webhook log's export: the log's filters (hours, status, task id), every matching row. */
export function updateLogExport(query) {
  const params = new URLSearchParams(query);
  params.delete("limit");
  $("log-export").href = `${state.apiBase}/webhook-logs.csv?${params.toString()}`;
}

/* The task list's export: every task (the search box filters only what the page shows). */
export function initTaskExport() {
  $("task-export").href = `${state.apiBase}/tasks.csv`;
}
