/* The 项目 tab's question to the server and the texts of its answer (pure: no DOM, so Node's tests
 * import it): search, sort and page as GET /api/projects arguments, the totals line, the figures. */

import { fmtNum, fmtLocal, signed } from "./format.js";

export const PROJECT_PAGE_SIZE = 50;
export const PROJECT_ITEMS = 200;
export const PROJECT_SORTS = {
  views: "播放量最高", gain_24h: "24小时新增最多", gain_7d: "7天新增最多", tasks: "任务最多", stalled: "停滞任务最多",
};

/* The arguments of one list request: only what is set (the server's default sort is views). */
export function projectListQuery(filters, offset, limit = PROJECT_PAGE_SIZE) {
  const params = new URLSearchParams();
  const text = String(filters.q || "").trim();
  if (text) params.set("q", text);
  if (filters.sort && filters.sort !== "views") params.set("sort", filters.sort);
  params.set("limit", String(limit));
  params.set("offset", String(Math.max(0, offset || 0)));
  return params.toString();
}

/* The CSV's arguments: the list's own, without paging. */
export function projectExportQuery(filters) {
  const params = new URLSearchParams(projectListQuery(filters, 0));
  params.delete("limit");
  params.delete("offset");
  return params.toString();
}

/* 共 N 个项目（匹配 M 个）· 数据截至 …, the time of the figures' last refresh. */
export function projectsSummaryText(total, filtered, asOf) {
  const count = filtered ? `匹配 ${fmtNum(total)} 个项目` : `共 ${fmtNum(total)} 个项目`;
  return asOf ? `${count} · 数据截至 ${fmtLocal(asOf)}` : count;
}

/* A gain as the page writes it: +1,234 (0 as ±0). */
export function gainText(value) {
  return signed(Number(value));
}

/* One project's figures in a line: tasks, videos, counts, gains, stalled. */
export function projectFiguresText(p, stallDays) {
  const parts = [
    `${fmtNum(p.tasks)} 个任务（进行中 ${fmtNum(p.active_tasks)}）`,
    `${fmtNum(p.videos)} 个视频${p.unavailable ? `（不可用 ${fmtNum(p.unavailable)}）` : ""}`,
    `播放 ${fmtNum(p.views)}（YouTube 与抖音 ${fmtNum(p.yt_views)}，TikTok ${fmtNum(p.tt_views)}）`,
    `点赞 ${fmtNum(p.likes)}`,
    `24 小时 ${gainText(p.gain_24h)} · 7 天 ${gainText(p.gain_7d)}`,
    `停滞任务 ${fmtNum(p.stalled)}（${stallDays} 天没有新增播放）`,
  ];
  return parts.join(" · ");
}
