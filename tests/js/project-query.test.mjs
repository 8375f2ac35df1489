// The 项目 tab's request arguments and texts (static/js/project-query.js), and the digest's line
// on the 告警 card (static/js/alerts.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { digestLine } from "../../static/js/alerts.js";
import {
  PROJECT_PAGE_SIZE, PROJECT_SORTS, gainText, projectExportQuery, projectFiguresText, projectListQuery,
  projectsSummaryText,
} from "../../static/js/project-query.js";
import { startEachTestInUtc } from "./zone.mjs";

describe("projectListQuery", () => {
  test("sends only what is set: the default sort is the server's", () => {
    assert.equal(projectListQuery({ q: " ", sort: "views" }, 0), `limit=${PROJECT_PAGE_SIZE}&offset=0`);
    assert.equal(projectListQuery({ q: " 霸道 总裁 ", sort: "gain_24h" }, 100, 20),
      "q=%E9%9C%B8%E9%81%93+%E6%80%BB%E8%A3%81&sort=gain_24h&limit=20&offset=100");
  });

  test("the CSV takes the search and sort, not the page", () => {
    assert.equal(projectExportQuery({ q: "p-1", sort: "stalled" }), "q=p-1&sort=stalled");
    assert.equal(projectExportQuery({ q: "", sort: "views" }), "");
  });

  test("every sort the server knows is offered", () => {
    const server = readFileSync(new URL("../../broadcaster/storage/queries/projects.py", import.meta.url), "utf8");
    const order = server.split("PROJECT_ORDER = {")[1].split("}")[0];
    assert.deepEqual([...order.matchAll(/"([a-z_0-9]+)":/g)].map((m) => m[1]), Object.keys(PROJECT_SORTS));
    const page = readFileSync(new URL("../../templates/admin.html", import.meta.url), "utf8");
    for (const sort of Object.keys(PROJECT_SORTS)) assert.ok(page.includes(`<option value="${sort}">`), sort);
  });
});

describe("texts", () => {
  startEachTestInUtc();

  test("the totals line, with the time of the figures", () => {
    assert.equal(projectsSummaryText(1234, false, "2026-12-07T04:05:06+00:00"), "共 1,234 个项目 · 数据截至 2026-12-07 04:05:06");
    assert.equal(projectsSummaryText(2, true, null), "匹配 2 个项目");
  });

  test("gains carry their sign", () => {
    assert.equal(gainText(12345), "+12,345");
    assert.equal(gainText(0), "±0");
    assert.equal(gainText(-5), "−5");
  });

  test("a project's figures in one line; unknown counts are a dash", () => {
    const text = projectFiguresText({ tasks: 6, active_tasks: 4, videos: 4, unavailable: 1, views: 2600, yt_views: 1800,
      tt_views: null, likes: 51, gain_24h: 800, gain_7d: 800, stalled: 0 }, 3);
    assert.equal(text, "6 个任务（进行中 4） · 4 个视频（不可用 1） · 播放 2,600（YouTube 与抖音 1,800，TikTok —） · "
      + "点赞 51 · 24 小时 +800 · 7 天 +800 · 停滞任务 0（3 天没有新增播放）");
  });

  test("the digest's line on the 告警 card", () => {
    assert.match(digestLine({ at: null, last: null }, true), /^日报未开启：设置 DIGEST_AT/);
    assert.equal(digestLine({ at: "09:30", last: null }, false), "日报：每天 09:30（北京时间）发送，但还没有设置渠道（ALERT_URLS）");
    assert.equal(digestLine({ at: "09:30", last: { day: "2026-12-07", sent: 2, failed: 1 } }, true),
      "日报：每天 09:30（北京时间）发到上面的渠道；上次 2026-12-07：已送达 2 个渠道，失败 1 个");
  });
});
