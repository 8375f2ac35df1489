"""The fake X2C Pool webhook receivers: how each one answers, and the webhooks they recorded."""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fakes.replies import HANG, JSON, NOT_FOUND, Reply, json_reply
from fakes.server import Headers

RECEIVER_BEHAVIOURS = frozenset({
    "ok", "fail_once", "retry_after", "always_500", "redirect", "gone", "slow", "hang", "bad_request",
})
SLOW_RECEIVER_SECONDS = 15.0

# what a recorded webhook keeps: enough to check the contract, little enough for 20,000 of them
_KEPT_HEADERS = ("content-type", "content-encoding", "user-agent")


@dataclass(slots=True)
class Received:
    """One webhook request as a receiver got it."""

    name: str
    headers: Headers
    body: bytes
    at: float
    status: int | None  # what the fake answered; None for "hang", which never answers
    signature_ok: bool | None  # None when the receiver has no secret

    @property
    def json(self) -> object:
        """Return the parsed body, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def to_dict(self) -> dict:
        """Return the JSON form the control API serves."""
        return {
            "name": self.name, "headers": dict(self.headers), "body": self.body.decode("utf-8", "replace"),
            "status": self.status, "signature_ok": self.signature_ok, "at": self.at,
        }


@dataclass(slots=True)
class _Receiver:
    """How one receiver is set to answer."""

    behaviour: str
    secret: str | None
    seen: set  # webhook ids already answered once, for fail_once / retry_after


_RECEIVER_REPLIES = {
    "ok": json_reply(200, {"success": True}),
    "error": json_reply(500, {"success": False, "error": "internal error"}),
    "retry": json_reply(429, {"success": False, "error": "too many requests"}, [("Retry-After", "1")]),
    "gone": json_reply(410, {"success": False, "error": "callback gone"}),
    "bad_request": json_reply(400, {"success": False, "error": "bad request"}),
    "slow": Reply(200, b'{"success": true}', JSON, delay=SLOW_RECEIVER_SECONDS),
    "hang": Reply(200, mode=HANG),
}


class Receivers:
    """How each receiver answers, and the webhooks they got, oldest first."""

    def __init__(self, callback_url: Callable[[str], str]):
        self._callback_url = callback_url  # where a "redirect" receiver sends the sender
        self._lock = threading.Lock()
        self._settings: dict[str, _Receiver] = {}
        self._records: list[Received] = []
        self._counts: dict[str, int] = {}

    def set_behaviour(self, name: str, behaviour: str, secret: str | None) -> None:
        """Set how receiver ``name`` answers; a secret makes it check X-Webhook-Signature."""
        if behaviour not in RECEIVER_BEHAVIOURS:
            raise ValueError(f"unknown receiver behaviour {behaviour!r}")
        with self._lock:
            self._settings[name] = _Receiver(behaviour, secret or None, set())

    def receive(self, name: str, headers: Headers, body: bytes) -> Reply:
        """Record one webhook and answer it as receiver ``name`` is set to."""
        if not name:
            return NOT_FOUND
        kept = _kept_headers(headers)
        with self._lock:
            receiver = self._settings.get(name)
            reply = self._reply(name, receiver, kept, body)
            signature_ok = _signature_ok(receiver.secret, kept, body) if receiver and receiver.secret else None
            status = None if reply.mode == HANG else reply.status
            self._records.append(Received(name, kept, body, time.monotonic(), status, signature_ok))
            self._counts[name] = self._counts.get(name, 0) + 1
        return reply

    def _reply(self, name: str, receiver: _Receiver | None, headers: Headers, body: bytes) -> Reply:
        """Pick the answer for one webhook (called with the lock held)."""
        behaviour = receiver.behaviour if receiver else "ok"
        if behaviour in ("fail_once", "retry_after"):
            webhook_id = headers.get("x-webhook-id") or hashlib.sha256(body).hexdigest()
            first = webhook_id not in receiver.seen
            receiver.seen.add(webhook_id)
            if not first:
                return _RECEIVER_REPLIES["ok"]
            return _RECEIVER_REPLIES["error" if behaviour == "fail_once" else "retry"]
        if behaviour == "redirect":
            return Reply(302, b"", "text/plain", [("Location", self._callback_url(f"{name}-redirected"))])
        named = {"always_500": "error", "gone": "gone", "bad_request": "bad_request", "slow": "slow", "hang": "hang"}
        return _RECEIVER_REPLIES[named.get(behaviour, "ok")]

    def received(self, name: str | None = None) -> list[Received]:
        """Return the webhooks received, oldest first, by one receiver or all."""
        with self._lock:
            if name is None:
                return list(self._records)
            return [r for r in self._records if r.name == name]

    def counts(self) -> dict[str, int]:
        """Return how many webhooks each receiver got."""
        with self._lock:
            return dict(self._counts)

    def clear(self) -> None:
        """Forget the recorded webhooks and which webhook ids were seen."""
        with self._lock:
            self._records.clear()
            self._counts.clear()
            for receiver in self._settings.values():
                receiver.seen.clear()


def _kept_headers(headers) -> Headers:
    """Return the few request headers a recorded webhook keeps: the listed ones and every X-*."""
    kept = Headers()
    for key, value in headers.items():
        low = key.lower()
        if low.startswith("x-") or low in _KEPT_HEADERS:
            kept[sys.intern(low)] = value
    return kept


def _signature_ok(secret: str, headers: Headers, body: bytes) -> bool:
    """Return whether X-Webhook-Signature is sha256=<hex HMAC-SHA256(secret, body)>."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("x-webhook-signature") or "", expected)
