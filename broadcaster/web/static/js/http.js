/* Calls to the admin API: a timeout, and an error text in Chinese for every way a call fails. */

import { state } from "./state.js";

const REQUEST_TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function readJson(response) {
  try {
    return await response.json();
  } catch (err) {
    return null;
  }
}

export function errorText(body, response) {
  if (body && (body.error || body.message)) return String(body.error || body.message);
  return `请求失败（HTTP ${response.status}）`;
}

export async function api(method, path, body, acceptStatuses) {
  const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  options.signal = controller.signal;
  let response;
  try {
    response = await fetch(state.apiBase + path, options);
  } catch (err) {
    const timedOut = err && err.name === "AbortError";
    throw new ApiError(timedOut ? "请求超时，服务器没有及时响应" : "网络错误，无法连接服务器", 0);
  } finally {
    clearTimeout(timer);
  }
  const payload = await readJson(response);
  if (response.status === 401) {
    // Signed out elsewhere, or the session ran out: back to the sign-in form.
    window.location.assign(state.loginUrl);
    throw new ApiError("登录已失效，请重新登录", 401);
  }
  if (!response.ok && !(acceptStatuses || []).includes(response.status)) {
    throw new ApiError(errorText(payload, response), response.status);
  }
  if (payload === null || typeof payload !== "object") {
    throw new ApiError(`服务器返回了无法解析的响应（HTTP ${response.status}）`, response.status);
  }
  return { status: response.status, body: payload };
}

/* GET answers carry their payload in "data"; a 200 with success=false is still a failure. */
export async function apiData(path) {
  const { body } = await api("GET", path);
  if (body.success === false || body.data === undefined) {
    throw new ApiError(errorText(body, { status: 200 }), 200);
  }
  return body.data;
}
