"""Webhook signing, SSRF checks and delivery rules, with `responses` faking the receiver."""

import hashlib
import hmac
import socket
import threading

import pytest
import requests
import responses

from broadcaster.delivery import webhooks
from broadcaster.delivery.payload import serialize_body
from broadcaster.delivery.webhooks import CallbackURLError, WebhookSender, check_callback_url, sign_body

URL = "https://x2c.example.com/hook"


def fake_resolver(address):
    """A getaddrinfo stand-in that resolves every name to `address`."""

    def resolve(host, port, type=0):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    return resolve


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def sender(**kwargs):
    kwargs.setdefault("allow_private", True)
    kwargs.setdefault("backoff_base", 0.01)
    return WebhookSender(**kwargs)


def test_signature_covers_exactly_the_sent_bytes():
    """Chinese text stays UTF-8 (no \\u escapes) and the HMAC is over those bytes."""
    body = serialize_body({"site_name": "短剧站", "stats": [{"task_id": 1}]})

    assert "短剧站".encode() in body
    expected = "sha256=" + hmac.new(b"k3y", body, hashlib.sha256).hexdigest()
    assert expected == sign_body("k3y", body)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "不能为空"),
        ("ftp://x2c.example.com/hook", "http://"),
        ("javascript:alert(1)", "http://"),
        ("https://user:pw@x2c.example.com/", "用户名"),
        ("https:///nohost", "主机名"),
        ("https://" + "a" * 3000 + ".com/", "过长"),
    ],
)
def test_bad_callback_urls_are_refused_with_a_reason(url, reason):
    """Non-http(s), userinfo, missing host and oversized URLs are refused with a reason."""
    with pytest.raises(CallbackURLError) as info:
        check_callback_url(url, allow_private=False, resolve=fake_resolver("93.184.216.34"))

    assert reason in str(info.value)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1", "64:ff9b::a00:1", "224.0.0.1"],
)
def test_private_addresses_are_refused_unless_allowed(address):
    """A host resolving to a non-public address is refused; the setting allows it."""
    with pytest.raises(CallbackURLError, match="内网"):
        check_callback_url(URL, allow_private=False, resolve=fake_resolver(address))

    assert URL == check_callback_url(URL, allow_private=True, resolve=fake_resolver(address))


def test_public_address_is_accepted():
    """A host resolving to a public address passes."""
    assert URL == check_callback_url(URL, allow_private=False, resolve=fake_resolver("93.184.216.34"))


def test_send_to_loopback_is_refused_at_connection_time():
    """Without the private-network setting, a send to 127.0.0.1 fails without a connection.

    No `responses` here: it replaces the adapter's send, and with it the pinned address check.
    """
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]

        result = WebhookSender(allow_private=False).deliver(f"http://127.0.0.1:{port}/hook", b"{}", secret=None,
                                                            webhook_id="w1")

        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing ever connected
    assert result.ok is False
    assert "内网" in result.error


def test_headers_sign_and_never_send_the_secret(mocked):
    """Signature, timestamp, event, id and User-Agent are sent; the secret itself is not."""
    mocked.post(URL, status=200, json={"success": True})
    body = serialize_body({"site_name": "测试", "stats": []})

    result = sender(clock=lambda: 1_800_000_000).deliver(URL, body, secret="topsecret", webhook_id="run1-task2")

    assert result.ok is True and 1 == result.attempts and 200 == result.http_status
    request = mocked.calls[0].request
    assert body == request.body
    assert sign_body("topsecret", body) == request.headers["X-Webhook-Signature"]
    assert "1800000000" == request.headers["X-Webhook-Timestamp"]
    assert "run1-task2" == request.headers["X-Webhook-Id"]
    assert webhooks.EVENT_NAME == request.headers["X-Webhook-Event"]
    assert request.headers["User-Agent"].startswith("DramaRelayBot-StatsBroadcaster/")
    assert all("topsecret" not in value for value in request.headers.values())


def test_no_signature_header_without_a_secret(mocked):
    """With no secret known, no signature header is sent."""
    mocked.post(URL, status=204)

    sender().deliver(URL, b"{}", secret=None, webhook_id="w")

    assert "X-Webhook-Signature" not in mocked.calls[0].request.headers


def test_5xx_is_retried_with_the_same_id(mocked):
    """A 500 then 200 is delivered on attempt 2 with the same X-Webhook-Id."""
    mocked.post(URL, status=500)
    mocked.post(URL, status=200)

    result = sender().deliver(URL, b"{}", secret="s", webhook_id="same-id")

    assert (True, 2) == (result.ok, result.attempts)
    assert ["same-id", "same-id"] == [call.request.headers["X-Webhook-Id"] for call in mocked.calls]


def test_429_honours_retry_after(mocked):
    """A 429 with Retry-After waits that long (capped) before the next attempt."""
    mocked.post(URL, status=429, headers={"Retry-After": "0.2"})
    mocked.post(URL, status=200)
    waits = []

    class RecordingEvent(threading.Event):
        def wait(self, timeout=None):
            waits.append(timeout)
            return False

    result = sender(stop_event=RecordingEvent()).deliver(URL, b"{}", secret=None, webhook_id="w")

    assert result.ok is True
    assert [0.2] == waits


def test_retry_after_is_capped():
    """A huge Retry-After is cut to the cap; garbage is ignored."""
    assert 30.0 == webhooks.parse_retry_after("99999")
    assert webhooks.parse_retry_after("soon") is None


@pytest.mark.parametrize("status", [301, 302, 400, 401, 404, 410, 422])
def test_3xx_and_4xx_fail_at_once(mocked, status):
    """Redirects are never followed and client errors (410 included) are not retried."""
    mocked.post(URL, status=status, headers={"Location": "https://elsewhere.example.com/"})

    result = sender(max_attempts=3).deliver(URL, b"{}", secret=None, webhook_id="w")

    assert (False, 1, status) == (result.ok, result.attempts, result.http_status)
    assert 1 == len(mocked.calls)


def test_timeouts_are_retried_up_to_max_attempts(mocked):
    """Timeouts are retried; after max attempts the delivery fails with a reason."""
    mocked.post(URL, body=requests.exceptions.ReadTimeout())

    result = sender(max_attempts=3, breakers=webhooks.CircuitBreakers(threshold=99)).deliver(
        URL, b"{}", secret=None, webhook_id="w"
    )

    assert (False, 3, None) == (result.ok, result.attempts, result.http_status)
    assert "超时" in result.error


def test_breaker_fails_the_rest_of_a_dead_host_fast(mocked):
    """After consecutive connection failures to one host, later deliveries skip it at once."""
    mocked.post(URL, body=requests.exceptions.ConnectionError("refused"))
    breakers = webhooks.CircuitBreakers(threshold=3)
    shared = sender(max_attempts=3, breakers=breakers)

    first = shared.deliver(URL, b"{}", secret=None, webhook_id="a")
    second = shared.deliver(URL, b"{}", secret=None, webhook_id="b")

    assert 3 == first.attempts
    assert (False, 0) == (second.ok, second.attempts)
    assert webhooks.BREAKER_MESSAGE == second.error
    assert 3 == len(mocked.calls)


def test_response_read_is_capped(mocked):
    """At most 64 KB of a response is read, and the error excerpt is short."""
    mocked.post(URL, status=400, body=b"x" * (5 * 1024 * 1024))

    result = sender().deliver(URL, b"{}", secret=None, webhook_id="w")

    assert result.ok is False
    assert len(result.error) < 300


def test_stop_event_stops_retrying(mocked):
    """A set stop event ends the retry loop before any request (an unregistered URL would fail)."""
    stop = threading.Event()
    stop.set()

    result = sender(stop_event=stop).deliver(URL, b"{}", secret=None, webhook_id="w")

    assert result.ok is False
    assert 0 == result.attempts
    assert "服务已停止，回传被中断" == result.error
