/* The page's shared state and its page-wide limits; the server clock as the page sees it; the
 * events one module announces without importing the modules that listen (main.js wires them). */

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

// Every event the page knows, with what it means. A name not listed here is a typo and throws.
const EVENTS = {
  status: "a /broadcaster/status answer was applied (detail: its data)",
  "runs-changed": "a pass started or ended since the previous answer",
  "run-detail": "the open run's detail was drawn (detail: the run)",
  "run-ended": "the open run, read again, has ended (detail: the run)",
};
const listeners = new Map();

function knownEvent(name) {
  if (!Object.hasOwn(EVENTS, name)) throw new Error(`unknown page event: ${name}`);
  return name;
}

/* Calls listener(detail) on every emit(name, detail), after the listeners added before it. */
export function on(name, listener) {
  const list = listeners.get(knownEvent(name)) || [];
  listeners.set(name, [...list, listener]);
}

/* Tells every listener of name, one after another, before returning (as a direct call would). */
export function emit(name, detail) {
  for (const listener of listeners.get(knownEvent(name)) || []) listener(detail);
}
