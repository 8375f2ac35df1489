/* Number, duration and time formats of the page (pure: no DOM, so Node's tests import it).
 * Times are shown in the browser's zone; the tests pin TZ. */

export const numberFormat = new Intl.NumberFormat("zh-CN");

export function fmtNum(value) {
  return value === null || value === undefined || Number.isNaN(Number(value))
    ? "—"
    : numberFormat.format(Number(value));
}

export function parseTime(iso) {
  if (!iso) return null;
  // Python emits microseconds; keep milliseconds so every engine parses it.
  const ms = Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? null : ms;
}

export function pad2(n) {
  return String(n).padStart(2, "0");
}

export function fmtLocal(iso) {
  const ms = parseTime(iso);
  if (ms === null) return "—";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined || ms < 0 || !Number.isFinite(ms)) return "—";
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)}秒`;
  if (seconds < 60) return `${Math.round(seconds)}秒`;
  const total = Math.round(seconds);
  if (total < 3600) return `${Math.floor(total / 60)}分${pad2(total % 60)}秒`;
  return `${Math.floor(total / 3600)}小时${pad2(Math.floor((total % 3600) / 60))}分`;
}

export function fmtCountdown(totalSeconds) {
  if (totalSeconds < 60) return `${totalSeconds}秒`;
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}分${pad2(totalSeconds % 60)}秒`;
  return `${Math.floor(totalSeconds / 3600)}小时${pad2(Math.floor((totalSeconds % 3600) / 60))}分`;
}

export function fmtInterval(seconds) {
  const s = Number(seconds);
  if (!Number.isFinite(s) || s <= 0) return "—";
  if (s % 3600 === 0) return `每${s / 3600}小时`;
  if (s % 60 === 0) return `每${s / 60}分钟`;
  return `每${s}秒`;
}

export function fmtAge(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 90) return `${Math.round(seconds)} 秒`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} 分钟`;
  if (seconds < 72 * 3600) return `${(seconds / 3600).toFixed(1)} 小时`;
  return `${(seconds / 86400).toFixed(1)} 天`;
}

export function compactNumber(value) {
  if (Math.abs(value) >= 100000000) return `${numberFormat.format(value / 100000000)}亿`;
  if (Math.abs(value) >= 10000) return `${numberFormat.format(value / 10000)}万`;
  return numberFormat.format(Math.round(value * 10) / 10);
}

export function signed(value) {
  if (!Number.isFinite(value)) return "—";
  if (value === 0) return "±0";
  return `${value > 0 ? "+" : "−"}${fmtNum(Math.abs(value))}`;
}

/* Bytes as operators read them: 1 GB = 10⁹ bytes (as the server's --plan and ALERT_DATABASE_GB). */
export function fmtBytes(value) {
  const n = Number(value);
  if (value === null || value === undefined || !Number.isFinite(n) || n < 0) return "—";
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${n} B`;
}
