/* A task's count history panel: the chart of its video's views and likes over 24 h, 7 or 30 days.
 * The task list has one, and so has a project's list of tasks: each is a TaskHistory over its own
 * panel (the ids below) and its own table. */

import { $, el } from "./dom.js";
import { fmtNum, signed } from "./format.js";
import { drawCountChart } from "./history-chart.js";
import { RANGE_TEXT, historyPoints } from "./history-data.js";
import { apiData } from "./http.js";
import { PLATFORM } from "./labels.js";

const HISTORY_HOURS = [24, 168, 720];

export class TaskHistory {
  /* ids: { section, title, summary, chart, close, table }; findTask(id): the task's row data, or null. */
  constructor(ids, findTask) {
    this.ids = ids;
    this.findTask = findTask;
    this.taskId = null;
    this.task = null;
    this.hours = 168;
    this.data = null;
    this.seq = 0;
  }

  bind() {
    $(this.ids.close).addEventListener("click", () => this.close());
    for (const btn of this.rangeButtons()) btn.addEventListener("click", () => this.selectRange(Number(btn.dataset.hours)));
  }

  rangeButtons() {
    return document.querySelectorAll(`#${this.ids.section} .range-btn`);
  }

  isOpen(id) {
    return this.taskId !== null && String(id) === this.taskId;
  }

  /* A newer copy of the open task (paused or resumed in place). */
  updateTask(task) {
    if (this.task && String(this.task.task_id) === String(task.task_id)) this.task = task;
  }

  open(id) {
    this.taskId = String(id);
    this.data = null;
    this.markRows();
    this.task = this.findTask(id);
    $(this.ids.title).textContent = `任务 #${id}${this.task && this.task.title ? `「${this.task.title}」` : ""}的数据走势`;
    const section = $(this.ids.section);
    section.hidden = false;
    this.load();
    section.scrollIntoView({ block: "nearest" });
  }

  close() {
    this.taskId = null;
    this.task = null;
    this.data = null;
    this.seq += 1;
    $(this.ids.section).hidden = true;
    this.markRows();
  }

  markRows() {
    for (const tr of $(this.ids.table).tBodies[0].rows) tr.classList.toggle("row--selected", this.isOpen(tr.dataset.taskId));
  }

  selectRange(hours) {
    if (!HISTORY_HOURS.includes(hours)) return;
    this.hours = hours;
    this.load();
  }

  renderRangeButtons() {
    for (const btn of this.rangeButtons()) {
      const on = Number(btn.dataset.hours) === this.hours;
      btn.setAttribute("aria-pressed", String(on));
      btn.classList.toggle("btn--on", on);
    }
  }

  async load() {
    const { taskId, hours } = this;
    if (taskId === null) return;
    const seq = ++this.seq;
    this.renderRangeButtons();
    $(this.ids.summary).textContent = "加载中…";
    $(this.ids.chart).replaceChildren(el("p", "empty", "加载中…"));
    try {
      const data = await apiData(`/tasks/${encodeURIComponent(taskId)}/history?hours=${hours}`);
      if (seq !== this.seq) return;
      this.data = data;
      this.render();
    } catch (err) {
      if (seq !== this.seq) return;
      $(this.ids.summary).textContent = "";
      $(this.ids.chart).replaceChildren(el("p", "empty", `⚠️ 加载失败：${err.message}`));
    }
  }

  renderSummary(data, points) {
    const task = this.findTask(data.task_id);
    const parts = [PLATFORM[data.platform] || data.platform || "平台未知"];
    if (task) parts.push(`当前 播放 ${fmtNum(task.view_count)} / 点赞 ${fmtNum(task.like_count)}`);
    parts.push(`${RANGE_TEXT[this.hours]}内 ${fmtNum(points.length)} 个数据点`);
    if (points.length > 1) {
      const first = points[0];
      const last = points[points.length - 1];
      const change = (key) => (first[key] === null || last[key] === null ? NaN : last[key] - first[key]);
      parts.push(`期间 播放 ${signed(change("views"))} · 点赞 ${signed(change("likes"))}`);
    }
    $(this.ids.summary).textContent = parts.join(" · ");
  }

  /* Draw (again, e.g. after a resize) what was loaded. */
  render() {
    if (!this.data) return;
    const points = historyPoints(this.data.points);
    this.renderSummary(this.data, points);
    drawCountChart($(this.ids.chart), points, {
      hours: this.hours,
      titleId: `${this.ids.chart}-title`,
      emptyText: this.data.platform
        ? `${RANGE_TEXT[this.hours]}内没有记录到计数变化（只在读取到的计数有变化时记一个点）`
        : "该任务的视频还没有读取过计数",
      note: this.data.platform === "douyin" ? "抖音不公开播放量" : null,
    });
  }
}
