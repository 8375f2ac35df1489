"""The push to X2C as the OpenAPI document describes it: its `webhooks` section (docs/webhook.md).

Built from what the sender itself uses (the headers and retry rules of `broadcaster.delivery.webhooks`,
the body's schema of `broadcaster.delivery.payload`) and this deployment's timeout and attempts, so what
X2C's developers read is what the broadcaster does. BROADCASTER_README.md (“X2C 接收端”) shows
how to verify the signature.
"""

from __future__ import annotations

from broadcaster.core.config import Config
from broadcaster.core.httpclient import RETRY_AFTER_CAP_SECONDS
from broadcaster.delivery.payload import WEBHOOK_BODY
from broadcaster.delivery.webhooks import (
    BACKOFF_BASE_SECONDS,
    BREAKER_THRESHOLD,
    EVENT_NAME,
    MAX_RESPONSE_BYTES,
    RETRYABLE_STATUS,
    USER_AGENT,
)

WEBHOOK_NAME = "taskDailyStats"
#: `run<N>-task<M>`, or `run<N>-batch<K>` for a batch (broadcaster.engine.pipeline).
WEBHOOK_ID_PATTERN = r"^run[0-9]+-(task|batch)[0-9]+$"
SIGNATURE_PATTERN = r"^sha256=[0-9a-f]{64}$"


def _header(name: str, schema: dict, description: str, *, required: bool = True) -> dict:
    return {"name": name, "in": "header", "required": required, "schema": schema, "description": description}


def webhooks(config: Config) -> dict:
    """The `webhooks` object: one POST per stats body, to each task's callback URL."""
    timeout, attempts = config.webhook_timeout_seconds, config.webhook_max_attempts
    retried = "、".join(str(status) for status in sorted(RETRYABLE_STATUS))
    return {WEBHOOK_NAME: {"post": {
        "operationId": WEBHOOK_NAME,
        "summary": "向任务的回调地址（X2C Pool）推送视频的播放量和点赞数",
        "description": (
            "服务开启时每一轮（默认每 3 分钟）为每个进行中的任务 POST 一次。签名针对收到的原始字节："
            "先验证签名，再解析 JSON（不要解析后重新序列化再验证）。"
            f"每次尝试的读取超时为 WEBHOOK_TIMEOUT_SECONDS（本服务为 {timeout:g} 秒，连接超时取其与 5 秒中较小者）；"
            f"同一轮内最多尝试 WEBHOOK_MAX_ATTEMPTS 次（本服务为 {attempts} 次）。"
            f"超时、连接失败、{retried} 和 5xx 会在本轮内重试：间隔 {BACKOFF_BASE_SECONDS:g} 秒 × 2ⁿ（±20 %），"
            f"或遵从 Retry-After（秒数或 HTTP 日期，最多 {RETRY_AFTER_CAP_SECONDS:g} 秒）。"
            "3xx 不会跟随，其他 4xx 不重试，都算本轮失败；下一轮会带着最新的计数再次推送。"
            f"同一回调主机连续 {BREAKER_THRESHOLD} 次超时或无法连接后，本轮发往它的其余请求直接失败。"
        ),
        "parameters": [
            _header("X-Webhook-Signature", {"type": "string", "pattern": SIGNATURE_PATTERN},
                    "sha256= 加上请求体原始字节的 HMAC-SHA256（小写十六进制）；密钥为任务的 callback_secret，"
                    "为空时用 X2C_WEBHOOK_SECRET；两者都没有时不发送此头。密钥本身从不发送", required=False),
            _header("X-Webhook-Timestamp", {"type": "string", "pattern": "^[0-9]+$"},
                    "发送时间（Unix 秒），每次尝试都会更新；不在签名范围内"),
            _header("X-Webhook-Event", {"type": "string", "const": EVENT_NAME}, "事件名"),
            _header("X-Webhook-Id", {"type": "string", "pattern": WEBHOOK_ID_PATTERN},
                    "run<轮次>-task<本库任务ID>，合并发送时为 run<轮次>-batch<首个任务ID>。同一轮内的每次重试保持不变，"
                    "多进程分担的一轮中某一片被重新发送时也不变：接收端可以按它去重"),
            _header("User-Agent", {"type": "string", "const": USER_AGENT}, "发送方"),
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": WEBHOOK_BODY}}},
        "responses": {
            "2XX": {"description": f"已接收：任何 2xx 都算送达。响应体会被忽略（最多读取 {MAX_RESPONSE_BYTES // 1024} KB）"},
            "3XX": {"description": "不会跟随重定向：本轮失败，请更新任务的回调地址"},
            **{str(status): {"description": "本轮内重试（遵从 Retry-After）"} for status in sorted(RETRYABLE_STATUS)},
            "5XX": {"description": "本轮内重试（遵从 Retry-After）"},
            "default": {"description": "其他 4xx：不重试，本轮失败"},
        },
    }}}
