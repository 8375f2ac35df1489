// A task's count history as chart data (static/js/history-data.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MAX_DOTS, RANGE_TEXT, SERIES, drawsDots, historyPoints, historySeries } from "../../static/js/history-data.js";

const PLOT = { w: 600, h: 200 };

describe("historyPoints", () => {
  test("adds each point's time in ms and keeps its counts", () => {
    const points = historyPoints([{ at: "2026-12-07T04:00:00.123456+00:00", views: 10, likes: null }]);
    assert.deepEqual(points, [{ at: "2026-12-07T04:00:00.123456+00:00", views: 10, likes: null,
      t: Date.UTC(2026, 11, 7, 4, 0, 0, 123) }]);
  });

  test("drops points whose time does not parse; nothing gives nothing", () => {
    const raw = [{ at: null, views: 1 }, { at: "garbage", views: 2 }, { at: "2026-12-07T04:00:00Z", views: 3 }];
    assert.deepEqual(historyPoints(raw).map((p) => p.views), [3]);
    assert.deepEqual(historyPoints(undefined), []);
    assert.deepEqual(historyPoints(null), []);
  });
});

describe("historySeries", () => {
  const points = [
    { t: 1, views: 12500, likes: 680 },
    { t: 2, views: 12600, likes: null },
    { t: 3, views: 12680, likes: 690 },
  ];

  test("views on the left axis, likes on the right, each skipping its unknown counts", () => {
    const [views, likes] = historySeries(points, PLOT);
    assert.equal(views.key, "views");
    assert.equal(views.side, "left");
    assert.equal(views.label, SERIES.views);
    assert.equal(views.points.length, 3);
    assert.equal(likes.key, "likes");
    assert.equal(likes.side, "right");
    assert.deepEqual(likes.points.map((p) => p.t), [1, 3]);
  });

  test("each axis spans its own data with whole-number steps", () => {
    const [views, likes] = historySeries(points, PLOT);
    assert.deepEqual(views.scale, { min: 12500, max: 12700, step: 50, ticks: 4 });
    assert.ok(likes.scale.min <= 680 && likes.scale.max >= 690 && likes.scale.step >= 1);
  });

  test("y maps the scale onto the plot, top is the maximum", () => {
    const [views] = historySeries(points, PLOT);
    assert.equal(views.y(12500), PLOT.h);
    assert.equal(views.y(12700), 0);
    assert.equal(views.y(12600), PLOT.h / 2);
  });

  test("Douyin has no views: likes alone, on the left", () => {
    const series = historySeries([{ t: 1, views: null, likes: 7007 }, { t: 2, views: null, likes: 7010 }], PLOT);
    assert.deepEqual(series.map((s) => [s.key, s.side]), [["likes", "left"]]);
  });

  test("one point, or a flat line, still gets an axis with height", () => {
    const [views] = historySeries([{ t: 1, views: 0, likes: null }], PLOT);
    assert.ok(views.scale.max > views.scale.min);
    assert.ok(Number.isFinite(views.y(0)));
  });

  test("no known count: no series", () => {
    assert.deepEqual(historySeries([{ t: 1, views: null, likes: undefined }], PLOT), []);
    assert.deepEqual(historySeries([], PLOT), []);
  });
});

describe("the chart's constants", () => {
  test("dots are drawn up to 120 points; beyond, the line alone", () => {
    assert.equal(MAX_DOTS, 120);
    assert.ok(drawsDots(0));
    assert.ok(drawsDots(1));
    assert.ok(drawsDots(120));
    assert.ok(!drawsDots(121));
    assert.ok(!drawsDots(2000));
  });

  test("a name for each range the page offers", () => {
    assert.deepEqual(Object.keys(RANGE_TEXT).map(Number), [24, 168, 720]);
  });
});
