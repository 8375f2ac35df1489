// The task list's request arguments, totals line and page numbers (static/js/task-query.js),
// run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  TASK_PAGE_SIZE, countsAfterToggle, isFiltered, pageInfo, taskListQuery, tasksSummaryText,
} from "../../static/js/task-query.js";

describe("taskListQuery", () => {
  test("sends only what is set, the search trimmed and encoded", () => {
    assert.equal(taskListQuery({ q: "", sort: "id" }, 0), `limit=${TASK_PAGE_SIZE}&offset=0`);
    assert.equal(
      taskListQuery({ q: " 100% 总裁_1 ", platform: "tiktok", stats_status: "never", sort: "stale" }, 200, 50),
      "q=100%25+%E6%80%BB%E8%A3%81_1&platform=tiktok&stats_status=never&sort=stale&limit=50&offset=200",
    );
  });

  test("a negative offset is the first page", () => {
    assert.match(taskListQuery({}, -5), /offset=0$/);
  });
});

describe("isFiltered and the totals line", () => {
  test("a search or any filter narrows the list; the sort does not", () => {
    assert.equal(isFiltered({ q: "  ", sort: "views" }), false);
    assert.equal(isFiltered({ q: "任务" }), true);
    assert.equal(isFiltered({ callback_status: "failed" }), true);
  });

  test("counts over the whole table, matches only when narrowed", () => {
    const counts = { all: 100000, active: 90000, paused: 10000 };
    assert.equal(tasksSummaryText(counts, 100000, false), "共 100,000 个任务 · 进行中 90,000 · 已暂停 10,000");
    assert.equal(tasksSummaryText(counts, 11, true), "共 100,000 个任务 · 进行中 90,000 · 已暂停 10,000 · 匹配 11 个");
  });
});

describe("pageInfo", () => {
  test("numbers the pages and their neighbours", () => {
    assert.deepEqual(pageInfo(0, 250, 100), { page: 1, pages: 3, prev: null, next: 100, last: 200 });
    assert.deepEqual(pageInfo(200, 250, 100), { page: 3, pages: 3, prev: 100, next: null, last: 200 });
  });

  test("an empty list is one page", () => {
    assert.deepEqual(pageInfo(0, 0, 100), { page: 1, pages: 1, prev: null, next: null, last: 0 });
  });
});

test("pausing moves one task from active to paused", () => {
  assert.deepEqual(countsAfterToggle({ all: 3, active: 2, paused: 1 }, "active", "paused"), { all: 3, active: 1, paused: 2 });
});
