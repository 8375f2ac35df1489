// The 操作记录 tab's texts (static/js/audit.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { AUDIT_ACTIONS, detailText } from "../../static/js/audit.js";

test("every action the server records has a Chinese name, and the filter offers each", () => {
  const audit = readFileSync(new URL("../../broadcaster/access/audit.py", import.meta.url), "utf8");
  const server = [...audit.matchAll(/^[A-Z_, ]+ = (".*")$/gm)]
    .flatMap((m) => [...m[1].matchAll(/"([a-z_]+)"/g)].map((v) => v[1]))
    .filter((value) => value in AUDIT_ACTIONS || /^(start|stop|trigger|task_|alert_|digest_|login|logout)/.test(value));
  assert.deepEqual([...new Set(server)].sort(), Object.keys(AUDIT_ACTIONS).sort());
  const page = readFileSync(new URL("../../templates/admin.html", import.meta.url), "utf8");
  for (const action of Object.keys(AUDIT_ACTIONS)) assert.ok(page.includes(`<option value="${action}">`), action);
});

test("changes read before → after, in Chinese", () => {
  assert.equal(detailText({ changes: { running: [false, true] } }), "服务开关：关 → 开");
  assert.equal(
    detailText({ changes: { title: ["旧", "新"], callback_secret: ["已设置", "已更改"], project_id: [null, "p"] } }),
    "标题：旧 → 新；回调密钥：已设置 → 已更改；项目ID：（空） → p",
  );
});

test("a trigger, a refusal, a block and nothing", () => {
  assert.equal(detailText({ task_ids: [3, 1], run_id: 12 }), "选中的任务：3、1；回传 #12");
  assert.equal(detailText({ changes: {}, error: "只读账号不能执行此操作" }), "被拒绝：只读账号不能执行此操作");
  assert.equal(detailText({ blocked_seconds: 900 }), "封禁 15 分钟");
  assert.equal(detailText({ changes: {} }), "无变化");
  assert.equal(detailText(null), "—");
});
