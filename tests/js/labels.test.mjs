// The Chinese names and badge tones of status values (static/js/labels.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  CALLBACK_STATUS, PLATFORM, RUN_STATUS, STATS_STATUS, TASK_STATUS, TONE, TRIGGER, triggerText,
} from "../../static/js/labels.js";

const STATES_PY = readFileSync(new URL("../../broadcaster/core/states.py", import.meta.url), "utf8");

/* The values of one StrEnum of broadcaster/core/states.py, the server's one list of each status. */
function enumValues(name) {
  const body = STATES_PY.split(new RegExp(`^class ${name}\\(StrEnum\\):`, "m"))[1];
  assert.ok(body, `class ${name} in broadcaster/core/states.py`);
  const until = body.search(/^class /m);
  return [...(until < 0 ? body : body.slice(0, until)).matchAll(/^ {4}[A-Z_]+ = "([a-z_]+)"/gm)].map((m) => m[1]);
}

const CJK = /[\u4e00-\u9fff]/;

describe("every status the server stores has a name on the page", () => {
  const cases = [
    ["RunStatus", RUN_STATUS], ["Trigger", TRIGGER], ["CallbackStatus", CALLBACK_STATUS],
    ["TaskStatus", TASK_STATUS], ["Platform", PLATFORM], ["FetchStatus", STATS_STATUS],
  ];
  for (const [enumName, map] of cases) {
    test(enumName, () => {
      const values = enumValues(enumName);
      assert.ok(values.length >= 2, `${enumName} has values`);
      assert.deepEqual(values.filter((value) => !(value in map)), []);
    });
  }
});

describe("the names", () => {
  test("run, callback, task and counts statuses and triggers read in Chinese", () => {
    for (const map of [RUN_STATUS, TRIGGER, CALLBACK_STATUS, TASK_STATUS, STATS_STATUS]) {
      for (const [value, name] of Object.entries(map)) assert.match(name, CJK, value);
    }
  });

  test("the ones a reader checks first", () => {
    assert.equal(RUN_STATUS.succeeded, "已完成");
    assert.equal(RUN_STATUS.failed, "失败");
    assert.equal(CALLBACK_STATUS.pending, "待回传");
    assert.equal(TASK_STATUS.paused, "已暂停");
    assert.equal(PLATFORM.douyin, "抖音");
    assert.equal(STATS_STATUS.blocked, "受限");
  });

  test("the task statuses X2C sends beyond ours are named too", () => {
    for (const value of ["completed", "expired", "cancelled", "deleted"]) assert.match(TASK_STATUS[value], CJK);
  });
});

describe("TONE", () => {
  test("only the badge modifiers the stylesheet defines", () => {
    const css = readFileSync(new URL("../../static/admin.css", import.meta.url), "utf8");
    for (const [value, tone] of Object.entries(TONE)) {
      assert.ok(css.includes(`.badge--${tone}`), `${value} → .badge--${tone}`);
    }
  });

  test("success is green, failure red, a run in progress blue", () => {
    assert.equal(TONE.succeeded, "ok");
    assert.equal(TONE.success, "ok");
    assert.equal(TONE.failed, "fail");
    assert.equal(TONE.running, "info");
    assert.equal(TONE.interrupted, "warn");
  });
});

describe("triggerText", () => {
  test("the trigger's name, marked when the run covered selected tasks only", () => {
    assert.equal(triggerText({ trigger: "schedule", scope: "all" }), "定时");
    assert.equal(triggerText({ trigger: "manual", scope: "selected" }), "手动 · 选定任务");
    assert.equal(triggerText({ trigger: "cli" }), "命令行");
  });

  test("an unknown trigger shows as sent; none at all as a dash", () => {
    assert.equal(triggerText({ trigger: "webhook" }), "webhook");
    assert.equal(triggerText({ trigger: null }), "—");
    assert.equal(triggerText({ scope: "selected" }), "— · 选定任务");
  });
});
