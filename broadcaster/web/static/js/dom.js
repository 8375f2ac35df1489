/* Small DOM helpers: elements with text (never HTML), table cells, badges, messages. */

import { fmtLocal } from "./format.js";
import { RUN_STATUS, TONE } from "./labels.js";

const SVG_NS = "http://www.w3.org/2000/svg";

export function $(id) {
  return document.getElementById(id);
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

export function timeNode(iso) {
  if (!iso) return el("span", "muted", "—");
  const node = el("time", "time", fmtLocal(iso));
  node.dateTime = iso;
  node.title = iso;
  return node;
}

export function badge(text, tone) {
  return el("span", `badge badge--${tone || "muted"}`, text);
}

export function runStatusBadge(status) {
  return badge(RUN_STATUS[status] || status || "—", TONE[status]);
}

export function cell(content, className) {
  const td = el("td", className);
  if (content instanceof Node) td.append(content);
  else td.textContent = content === null || content === undefined ? "—" : String(content);
  return td;
}

/* Copy each column's header into data-label so phones can show rows as labelled cards. */
export function labelCells(tr, tableId) {
  const headers = $(tableId).tHead.rows[0].cells;
  Array.from(tr.cells).forEach((td, i) => {
    if (headers[i]) td.dataset.label = headers[i].textContent.trim();
  });
  return tr;
}

export function placeholderRow(tbody, colspan, text, className) {
  const td = el("td", null, text);
  td.colSpan = colspan;
  const tr = el("tr", className || "placeholder");
  tr.append(td);
  tbody.replaceChildren(tr);
}

export function showInlineError(id, text) {
  const node = $(id);
  node.textContent = `⚠️ ${text}`;
  node.hidden = false;
}

export function hideInlineError(id) {
  const node = $(id);
  node.hidden = true;
  node.textContent = "";
}

export function showMessage(text, kind) {
  const node = $("message");
  node.textContent = text;
  node.className = `message message--${kind || "info"}`;
}

export function debounce(fn, waitMs) {
  let timer = null;
  return function debounced(...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), waitMs);
  };
}

export function activateOnKey(event, action) {
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    action();
  }
}

export function summaryPair(label, value, tone) {
  const wrap = el("span", "pair");
  wrap.append(el("span", "pair__label", label), el("span", `pair__value${tone ? ` pair__value--${tone}` : ""}`, value));
  return wrap;
}

export function taskLabel(title, taskId) {
  const wrap = el("div", "task-label");
  wrap.append(el("span", "task-label__title", title || "（无标题）"));
  if (taskId !== null && taskId !== undefined) wrap.append(el("span", "task-label__id", `任务 #${taskId}`));
  return wrap;
}

export function errorCell(error) {
  const td = el("td", "error-text cell--wide", error || "—");
  if (error) td.title = error;
  else td.classList.add("muted");
  return td;
}
