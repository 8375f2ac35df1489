// The alert names of the 告警 card (static/js/alerts.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { alertName } from "../../static/js/alerts.js";

const ALERTS_PY = readFileSync(new URL("../../broadcaster/alerting/alerts.py", import.meta.url), "utf8");

test("every alert key of broadcaster/alerting/alerts.py has a Chinese name on the page", () => {
  const headlines = ALERTS_PY.split("def headline")[1].split("\n\n\n")[0];
  const keys = [...headlines.matchAll(/^ {8}"([a-z_]+)":/gm)].map((m) => m[1]);
  assert.equal(keys.length, 9);
  for (const key of keys) assert.match(alertName(key), /[\u4e00-\u9fff]/, key);
});

test("a host or platform suffix is shown after the name", () => {
  assert.equal(alertName("callback_host_down:x2c.example.com"), "回调地址无法送达（x2c.example.com）");
  assert.equal(alertName("pass_failed"), "定时回传失败");
  assert.equal(alertName("test"), "测试告警");
  assert.equal(alertName("something_new"), "something_new");
});
