/* The admin page's entry module: binds every control to its feature module, wires who hears
 * what the modules announce and starts the status poll. The page's CSP forbids inline scripts
 * and styles, so everything is wired here; all server text is written with textContent (task
 * titles are user input). */

import { loadMe } from "./access.js";
import { initAlerts } from "./alerts.js";
import { bindAudit } from "./audit.js";
import { checkPendingTrigger, onToggleClick, showTriggerConfirm, hideTriggerConfirm, onTriggerConfirm } from "./control.js";
import { $, debounce } from "./dom.js";
import { fmtInterval } from "./format.js";
import { loadHosts } from "./hosts.js";
import { loadLogs, onLogsTableEvent, toggleLogAutoRefresh } from "./logs.js";
import { onRetryFailed, onRunEnded, renderRetryButton, renderRetryNote } from "./retry.js";
import { onRunsTableEvent, closeRunDetail, refreshOpenRunDetail, renderRunDetail } from "./runs.js";
import { renderRunsChart } from "./runs-chart.js";
import { on, state } from "./state.js";
import { pollStatus, tick, onVisibilityChange } from "./status.js";
import { closeProject, onProjectTasksClick, projectTaskHistory, renderProject, selectProjectRange } from "./project-detail.js";
import {
  goToProjectPage, loadProjects, onProjectQueryChange, onProjectSearchInput, onProjectsTableEvent,
} from "./projects.js";
import { initStorage } from "./storage.js";
import { TABS, selectTab, onRunsChanged, onTabKeydown } from "./tabs.js";
import { TASK_FILTERS } from "./task-query.js";
import { loadTasks, onTasksTableClick, onTaskQueryChange, onTaskSearchInput, goToTaskPage, taskHistory } from "./tasks.js";

function onResize() {
  if (state.activeTab === "runs" && state.runs.length) renderRunsChart(state.runs);
  if (state.activeTab === "tasks") taskHistory.render();
  if (state.activeTab === "projects") renderProject();
}

/* Who hears what a module announces (state.js lists the events); modules never import their listeners. */
function wireAnnouncements() {
  on("status", checkPendingTrigger);
  on("status", refreshOpenRunDetail);
  on("runs-changed", onRunsChanged);
  on("run-detail", renderRetryButton);
  on("run-detail", renderRetryNote);
  on("run-ended", onRunEnded);
}

function bindEvents() {
  $("toggle-btn").addEventListener("click", onToggleClick);
  $("trigger-btn").addEventListener("click", showTriggerConfirm);
  $("trigger-confirm").addEventListener("click", onTriggerConfirm);
  $("trigger-cancel").addEventListener("click", () => hideTriggerConfirm(true));
  $("trigger-confirm-bar").addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideTriggerConfirm(true);
  });
  for (const tab of TABS) {
    $(`tab-${tab}`).addEventListener("click", () => selectTab(tab, false));
    $(`tab-${tab}`).addEventListener("keydown", onTabKeydown);
  }
  const runsBody = $("runs-table").tBodies[0];
  runsBody.addEventListener("click", onRunsTableEvent);
  runsBody.addEventListener("keydown", onRunsTableEvent);
  $("run-detail-close").addEventListener("click", closeRunDetail);
  $("run-detail-failed-only").addEventListener("change", renderRunDetail);
  const logsBody = $("logs-table").tBodies[0];
  logsBody.addEventListener("click", onLogsTableEvent);
  logsBody.addEventListener("keydown", onLogsTableEvent);
  for (const id of ["log-hours", "log-limit", "log-status"]) $(id).addEventListener("change", loadLogs);
  $("log-refresh").addEventListener("click", loadLogs);
  $("log-autorefresh").addEventListener("click", toggleLogAutoRefresh);
  $("log-task-id").addEventListener("input", debounce(loadLogs, 400));
  $("host-hours").addEventListener("change", loadHosts);
  $("host-refresh").addEventListener("click", loadHosts);
  $("tasks-table").tBodies[0].addEventListener("click", onTasksTableClick);
  $("task-filter").addEventListener("input", onTaskSearchInput);
  for (const [id] of TASK_FILTERS) $(id).addEventListener("change", onTaskQueryChange);
  $("task-sort").addEventListener("change", onTaskQueryChange);
  for (const which of ["first", "prev", "next", "last"]) {
    $(`task-${which}`).addEventListener("click", () => goToTaskPage(which));
  }
  $("task-refresh").addEventListener("click", loadTasks);
  $("run-detail-retry").addEventListener("click", onRetryFailed);
  taskHistory.bind();
  bindProjects();
  bindAudit(debounce);
  document.addEventListener("visibilitychange", onVisibilityChange);
  window.addEventListener("resize", debounce(onResize, 200));
}

function bindProjects() {
  const body = $("projects-table").tBodies[0];
  body.addEventListener("click", onProjectsTableEvent);
  body.addEventListener("keydown", onProjectsTableEvent);
  $("project-filter").addEventListener("input", onProjectSearchInput);
  $("project-sort").addEventListener("change", onProjectQueryChange);
  $("project-refresh").addEventListener("click", loadProjects);
  for (const which of ["first", "prev", "next", "last"]) {
    $(`project-${which}`).addEventListener("click", () => goToProjectPage(which));
  }
  $("project-detail-close").addEventListener("click", closeProject);
  for (const btn of document.querySelectorAll("#project-detail > .run-detail__head .range-btn")) {
    btn.addEventListener("click", () => selectProjectRange(Number(btn.dataset.hours)));
  }
  $("project-tasks-table").tBodies[0].addEventListener("click", onProjectTasksClick);
  projectTaskHistory.bind();
}

function init() {
  const base = document.body.dataset.apiBase;
  if (base) state.apiBase = base.replace(/\/+$/, "");
  if (document.body.dataset.loginUrl) state.loginUrl = document.body.dataset.loginUrl;
  const interval = fmtInterval(document.body.dataset.intervalSeconds);
  if (interval !== "—") {
    $("interval-text").textContent = `${interval}自动回传一次`;
    $("status-interval").textContent = `${interval}一次`;
  }
  wireAnnouncements();
  bindEvents();
  loadMe();
  selectTab("runs", false);
  pollStatus();
  initAlerts();
  initStorage();
  setInterval(tick, 1000);
}

// A module runs after the document is parsed; the check only guards an unusual embedding.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
