/* 导出 CSV (docs/operations.md#csv-exports): download links that follow the filters shown beside them. The browser
 * sends the page's own credentials with them, and the server streams the file. */

import { $ } from "./dom.js";
import { state } from "./state.js";
import { taskListQuery } from "./task-query.js";

/* The webhook log's export: the log's filters (hours, status, task id), every matching row. */
export function updateLogExport(query) {
  const params = new URLSearchParams(query);
  params.delete("limit");
  $("log-export").href = `${state.apiBase}/webhook-logs.csv?${params.toString()}`;
}

/* The task list's export: the list's search, filters and sort, every matching task. */
export function updateTaskExport(filters) {
  const params = new URLSearchParams(taskListQuery(filters, 0));
  params.delete("limit");
  params.delete("offset");
  const query = params.toString();
  $("task-export").href = `${state.apiBase}/tasks.csv${query ? `?${query}` : ""}`;
}
