/* The page's shared state and its page-wide limits; the server clock as the page sees it. */

import { parseTime } from "./format.js";

export const CHART_RUNS = 50;
export const MAX_TABLE_ROWS = 500;

export const state = {
  apiBase: "/api",
  loginUrl: "/login",
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
  tasks: [], // one page of the task list, never more
  taskOffset: 0,
  taskTotal: 0,
  taskCounts: null, // {all, active, paused} over the whole table, from the server
  taskFiltered: false,
  tasksLoaded: false,
  tasksSeq: 0,
  freshnessRun: null,
  freshnessBusy: false,
  activeTab: "runs",
};

export function serverNow() {
  return Date.now() + state.skewMs;
}

export function runDurationMs(run) {
  const start = parseTime(run.started_at);
  if (start === null) return null;
  const end = run.finished_at ? parseTime(run.finished_at) : serverNow();
  return end === null ? null : end - start;
}
