/* Chinese names and badge tones of the status values the API returns (pure: no DOM). */

export const RUN_STATUS = {
  running: "进行中",
  succeeded: "已完成",
  failed: "失败",
  interrupted: "已中断",
  abandoned: "已放弃",
};

export const TRIGGER = { schedule: "定时", manual: "手动", cli: "命令行" };
export const CALLBACK_STATUS = { pending: "待回传", success: "成功", failed: "失败" };

export const TASK_STATUS = {
  active: "进行中", paused: "已暂停", completed: "已完成", expired: "已过期", cancelled: "已取消", deleted: "已删除",
};

export const ROLE = { operator: "操作员", viewer: "只读" };
export const PLATFORM = { youtube: "YouTube", tiktok: "TikTok", douyin: "抖音" };
export const STATS_STATUS = { ok: "正常", unavailable: "不可用", blocked: "受限", error: "出错" };

export const TONE = {
  running: "info", succeeded: "ok", failed: "fail", interrupted: "warn", abandoned: "warn",
  success: "ok", pending: "muted", active: "ok", paused: "muted",
};

export function triggerText(run) {
  const name = TRIGGER[run.trigger] || run.trigger || "—";
  return run.scope === "selected" ? `${name} · 选定任务` : name;
}
