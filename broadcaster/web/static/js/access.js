/* Who is signed in (GET /api/me), shown in the header. For a viewer every control that changes
 * something is disabled, with the server's reason as its title: the server refuses the change
 * anyway (403), this only keeps the page from offering it. Controls are found by selector and
 * re-disabled whenever a module re-renders or re-enables one, so feature modules need no check
 * of their own; a new state-changing control only needs the data-operator-only attribute. */

import { $ } from "./dom.js";
import { apiData } from "./http.js";
import { ROLE } from "./labels.js";

export const OPERATOR_CONTROLS = [
  "#toggle-btn", "#trigger-btn", "#trigger-confirm", "#run-detail-retry", "button.task-toggle", "#alert-test-btn",
  "#digest-test-btn",
  "[data-operator-only]", "[data-operator-only] button", "[data-operator-only] input",
  "[data-operator-only] select", "[data-operator-only] textarea",
].join(", ");

let readOnlyReason = null;

export async function loadMe() {
  try {
    const me = await apiData("/me");
    showUser(me);
    if (!me.can_change) enterReadOnly(me.read_only_reason || "只读账号不能执行此操作");
  } catch (err) {
    $("current-user").textContent = "";
  }
}

function showUser(me) {
  const node = $("current-user");
  node.textContent = `👤 ${me.user}（${ROLE[me.role] || me.role}）`;
  node.dataset.role = me.role;
  node.hidden = false;
}

function enterReadOnly(reason) {
  readOnlyReason = reason;
  document.body.classList.add("read-only");
  const note = $("read-only-note");
  note.textContent = `🔒 当前为只读账号，可以查看全部数据，但${reason.replace(/^只读账号/, "")}：所有操作按钮已停用。`;
  note.hidden = false;
  disableControls();
  new MutationObserver(disableControls).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["disabled"],
  });
}

function disableControls() {
  for (const control of document.querySelectorAll(OPERATOR_CONTROLS)) {
    // Only touch what changed: writing an equal value would queue another mutation.
    if (!control.disabled) control.disabled = true;
    if (control.title !== readOnlyReason) control.title = readOnlyReason;
    if (control.getAttribute("aria-disabled") !== "true") control.setAttribute("aria-disabled", "true");
  }
}
