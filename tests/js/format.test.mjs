// The page's number, duration and time formats (static/js/format.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  compactNumber, fmtAge, fmtBytes, fmtCountdown, fmtDuration, fmtInterval, fmtLocal, fmtNum, parseTime, signed,
} from "../../static/js/format.js";
import { startEachTestInUtc } from "./zone.mjs";

describe("fmtNum", () => {
  test("groups thousands the Chinese way and keeps zero and negatives", () => {
    assert.equal(fmtNum(0), "0");
    assert.equal(fmtNum(1234567), "1,234,567");
    assert.equal(fmtNum(-1234), "-1,234");
    assert.equal(fmtNum(9007199254740991), "9,007,199,254,740,991");
  });

  test("rounds fractions to three places", () => {
    assert.equal(fmtNum(0.5555), "0.556");
    assert.equal(fmtNum(1234.5), "1,234.5");
  });

  test("reads numeric strings, as the API's bigint counts may come", () => {
    assert.equal(fmtNum("12"), "12");
    assert.equal(fmtNum("1776621"), "1,776,621");
  });

  test("shows a dash for nothing or garbage", () => {
    for (const value of [null, undefined, NaN, "x", "12abc"]) assert.equal(fmtNum(value), "—", String(value));
  });
});

describe("fmtDuration", () => {
  test("tenths below ten seconds, whole seconds below a minute", () => {
    assert.equal(fmtDuration(0), "0.0秒");
    assert.equal(fmtDuration(1234), "1.2秒");
    assert.equal(fmtDuration(9949), "9.9秒");
    assert.equal(fmtDuration(10000), "10秒");
    assert.equal(fmtDuration(59400), "59秒");
    assert.equal(fmtDuration(59600), "60秒"); // rounded within the seconds branch, as the page always showed
  });

  test("minutes and padded seconds, then hours and padded minutes", () => {
    assert.equal(fmtDuration(60000), "1分00秒");
    assert.equal(fmtDuration(125000), "2分05秒");
    assert.equal(fmtDuration(3599000), "59分59秒");
    assert.equal(fmtDuration(3600000), "1小时00分");
    assert.equal(fmtDuration(3 * 3600000 + 7 * 60000 + 59000), "3小时07分");
    assert.equal(fmtDuration(100 * 3600000), "100小时00分");
  });

  test("a dash for negative, missing or infinite spans", () => {
    for (const value of [-1, null, undefined, NaN, Infinity]) assert.equal(fmtDuration(value), "—", String(value));
  });
});

describe("fmtCountdown", () => {
  test("seconds, minutes with seconds, hours with minutes", () => {
    assert.equal(fmtCountdown(0), "0秒");
    assert.equal(fmtCountdown(59), "59秒");
    assert.equal(fmtCountdown(60), "1分00秒");
    assert.equal(fmtCountdown(3599), "59分59秒");
    assert.equal(fmtCountdown(3600), "1小时00分");
    assert.equal(fmtCountdown(86399), "23小时59分");
  });
});

describe("fmtInterval", () => {
  test("the largest whole unit of the broadcast interval", () => {
    assert.equal(fmtInterval(180), "每3分钟");
    assert.equal(fmtInterval("3600"), "每1小时");
    assert.equal(fmtInterval(7200), "每2小时");
    assert.equal(fmtInterval(90), "每90秒");
    assert.equal(fmtInterval(1), "每1秒");
  });

  test("a dash for zero, negative or unreadable intervals", () => {
    for (const value of [0, -60, null, undefined, "abc", Infinity]) assert.equal(fmtInterval(value), "—", String(value));
  });
});

describe("fmtAge", () => {
  test("seconds, minutes, hours and days at their thresholds", () => {
    assert.equal(fmtAge(0), "0 秒");
    assert.equal(fmtAge(89.4), "89 秒");
    assert.equal(fmtAge(90), "2 分钟");
    assert.equal(fmtAge(5399), "90 分钟");
    assert.equal(fmtAge(5400), "1.5 小时");
    assert.equal(fmtAge(72 * 3600 - 1), "72.0 小时");
    assert.equal(fmtAge(72 * 3600), "3.0 天");
  });

  test("a dash when the age is unknown", () => {
    assert.equal(fmtAge(null), "—");
    assert.equal(fmtAge(undefined), "—");
  });
});

describe("compactNumber (axis ticks)", () => {
  test("万 from ten thousand up, one decimal below", () => {
    assert.equal(compactNumber(0), "0");
    assert.equal(compactNumber(0.25), "0.3");
    assert.equal(compactNumber(9999.94), "9,999.9");
    assert.equal(compactNumber(10000), "1万");
    assert.equal(compactNumber(12345), "1.235万");
    assert.equal(compactNumber(1500000), "150万");
    assert.equal(compactNumber(-50), "-50");
  });

  test("亿 from a hundred million up (a drama's total views)", () => {
    assert.equal(compactNumber(100000000), "1亿");
    assert.equal(compactNumber(1234567890), "12.346亿");
    assert.equal(compactNumber(-250000000), "-2.5亿");
  });
});

describe("signed (changes over a history window)", () => {
  test("an explicit sign, a real minus sign and ±0", () => {
    assert.equal(signed(0), "±0");
    assert.equal(signed(1234), "+1,234");
    assert.equal(signed(-1234), "−1,234");
    assert.equal(signed(NaN), "—");
    assert.equal(signed(Infinity), "—");
  });
});

describe("parseTime", () => {
  test("Python's microseconds and offsets parse to the same instant", () => {
    const expected = Date.UTC(2026, 11, 7, 4, 48, 57, 123);
    assert.equal(parseTime("2026-12-07T04:48:57.123456+00:00"), expected);
    assert.equal(parseTime("2026-12-07T12:48:57.123+08:00"), expected);
    assert.equal(parseTime("2026-12-07T04:48:57.123Z"), expected);
  });

  test("null for nothing or garbage", () => {
    for (const value of [null, undefined, "", "not a time"]) assert.equal(parseTime(value), null, String(value));
  });
});

describe("fmtLocal in the browser's zone", () => {
  startEachTestInUtc();

  test("UTC: the instant as written, seconds truncated not rounded", () => {
    assert.equal(fmtLocal("2026-12-07T04:48:57.999999+00:00"), "2026-12-07 04:48:57");
    assert.equal(fmtLocal("2026-12-07T12:48:57+08:00"), "2026-12-07 04:48:57");
  });

  test("Shanghai: eight hours ahead, across midnight and the year end", () => {
    process.env.TZ = "Asia/Shanghai";
    assert.equal(fmtLocal("2026-12-07T04:48:57Z"), "2026-12-07 12:48:57");
    assert.equal(fmtLocal("2026-12-31T16:00:00Z"), "2027-01-01 00:00:00");
  });

  test("Los Angeles: behind UTC, summer and winter offsets", () => {
    process.env.TZ = "America/Los_Angeles";
    assert.equal(fmtLocal("2026-12-07T04:48:57Z"), "2026-12-06 20:48:57");
    assert.equal(fmtLocal("2026-07-01T07:00:00Z"), "2026-07-01 00:00:00");
  });

  test("a dash for nothing or garbage", () => {
    assert.equal(fmtLocal(null), "—");
    assert.equal(fmtLocal("yesterday"), "—");
  });
});

describe("fmtBytes", () => {
  test("uses decimal units as the server's --plan does", () => {
    assert.equal(fmtBytes(0), "0 B");
    assert.equal(fmtBytes(999), "999 B");
    assert.equal(fmtBytes(12_345), "12 KB");
    assert.equal(fmtBytes(12_345_678), "12.3 MB");
    assert.equal(fmtBytes(61_234_567_890), "61.2 GB");
  });
  test("shows a dash for nothing", () => {
    for (const value of [null, undefined, -1, "abc", Infinity]) assert.equal(fmtBytes(value), "—");
  });
});
