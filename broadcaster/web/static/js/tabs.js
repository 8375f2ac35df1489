/* The tabs (回传历史, 回传日志, 任务列表, 项目, 操作记录), with arrow-key navigation. */

import { loadAudit } from "./audit.js";
import { $ } from "./dom.js";
import { loadHosts } from "./hosts.js";
import { loadLogs } from "./logs.js";
import { loadProjects } from "./projects.js";
import { loadRuns } from "./runs.js";
import { state } from "./state.js";
import { loadTasks } from "./tasks.js";

export const TABS = ["runs", "logs", "tasks", "projects", "audit"];

export function selectTab(name, moveFocus) {
  state.activeTab = name;
  for (const tab of TABS) {
    const selected = tab === name;
    const button = $(`tab-${tab}`);
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    button.classList.toggle("tab--active", selected);
    $(`panel-${tab}`).hidden = !selected;
  }
  if (moveFocus) $(`tab-${name}`).focus();
  if (name === "runs") loadRuns();
  if (name === "logs") {
    loadLogs();
    loadHosts();
  }
  if (name === "tasks") loadTasks();
  if (name === "projects") loadProjects();
  if (name === "audit") loadAudit();
}

/* A pass started or ended: the open tab's list is read again (the hosts table keeps its own refresh). */
export function onRunsChanged() {
  if (state.activeTab === "runs") loadRuns();
  if (state.activeTab === "tasks") loadTasks();
  if (state.activeTab === "logs") loadLogs();
}

export function onTabKeydown(event) {
  const index = TABS.indexOf(state.activeTab);
  let next = null;
  if (event.key === "ArrowRight") next = TABS[(index + 1) % TABS.length];
  if (event.key === "ArrowLeft") next = TABS[(index + TABS.length - 1) % TABS.length];
  if (event.key === "Home") next = TABS[0];
  if (event.key === "End") next = TABS[TABS.length - 1];
  if (next) {
    event.preventDefault();
    selectTab(next, true);
  }
}
