"""Local forward proxies on loopback addresses (127.0.0.x), for egress tests and the benchmark.

``FakeProxy`` is an HTTP forward proxy: requests send it absolute URLs of plain-HTTP targets
(the fake upstream) and it relays them. It can require credentials (``Proxy-Authorization``)
and can start "blocking" after some requests, answering as a platform answers a blocked IP
(HTTP 429). ``FakeSocksProxy`` is a SOCKS5 proxy (no auth, or user/password) that relays TCP.

    with FakeProxy("127.0.0.2", username="u", password="p", block_after=5) as proxy:
        config = config.replace(tiktok_proxies=(proxy.url, "direct"))
"""

from __future__ import annotations

import base64
import http.client
import select
import socket
import socketserver
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_HEADERS = {"proxy-authorization", "proxy-connection", "connection", "keep-alive", "transfer-encoding"}


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        """Relay one GET, unless it lacks credentials or this egress is "blocked"."""
        proxy: FakeProxy = self.server.owner
        if not proxy.authorized(self.headers.get("Proxy-Authorization", "")):
            self._answer(407, b"proxy credentials required", {"Proxy-Authenticate": 'Basic realm="fake"'})
            return
        if proxy.take_request(self.path):
            self._answer(429, b"<html><body>Too Many Requests</body></html>", {"Retry-After": "60"})
            return
        target = urlsplit(self.path)
        connection = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            connection.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
            response = connection.getresponse()
            body = response.read()
            extra = {k: v for k, v in response.getheaders() if k.lower() not in HOP_HEADERS | {"content-length"}}
            self._answer(response.status, body, extra)
        except OSError as exc:
            self._answer(502, f"bad gateway: {exc}".encode(), {})
        finally:
            connection.close()

    def _answer(self, status: int, body: bytes, headers: dict) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _LoopbackProxy:
    """A proxy server on a loopback address, served from a daemon thread inside `with`."""

    def __init__(self, server: socketserver.TCPServer, name: str, username: str | None, password: str | None):
        self.username, self.password = username, password
        self._server = server
        self._server.daemon_threads = True
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)

    def _url(self, scheme: str) -> str:
        """The proxy URL for *_PROXIES, credentials included."""
        host, port = self._server.server_address
        credentials = f"{self.username}:{self.password}@" if self.username else ""
        return f"{scheme}://{credentials}{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeProxy(_LoopbackProxy):
    """An HTTP forward proxy on `host`, optionally with credentials and a block after N requests."""

    def __init__(self, host: str = "127.0.0.2", *, username: str | None = None, password: str | None = None,
                 block_after: int | None = None):
        super().__init__(ThreadingHTTPServer((host, 0), _ProxyHandler), f"fake-proxy-{host}", username, password)
        self.host = host
        self.block_after = block_after
        self.requests = 0  # relayed or blocked, with valid credentials
        self.refused = 0  # without valid credentials
        self.paths: list[str] = []  # every URL asked for with valid credentials
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The proxy URL for *_PROXIES, credentials included."""
        return self._url("http")

    def authorized(self, header: str) -> bool:
        """True when no credentials are required, or the header carries the right ones."""
        if self.username is None:
            return True
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        ok = header == f"Basic {expected}"
        if not ok:
            with self._lock:
                self.refused += 1
        return ok

    def take_request(self, url: str) -> bool:
        """Count a request; True when this egress blocks it."""
        with self._lock:
            self.requests += 1
            self.paths.append(url)
            return self.block_after is not None and self.requests > self.block_after


class _SocksHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        """RFC 1928: greeting, optional RFC 1929 user/password, CONNECT, then relay both ways."""
        proxy: FakeSocksProxy = self.server.owner
        client = self.request
        version, count = _recv(client, 2)
        methods = _recv(client, count)
        wanted = 0x02 if proxy.username else 0x00
        if version != 5 or wanted not in methods:
            client.sendall(b"\x05\xff")
            return
        client.sendall(bytes([5, wanted]))
        if wanted == 0x02 and not self._authenticate(client, proxy):
            return
        _, command, _, kind = _recv(client, 4)
        if kind == 1:
            host = socket.inet_ntoa(_recv(client, 4))
        elif kind == 3:
            host = _recv(client, _recv(client, 1)[0]).decode()
        else:
            client.sendall(b"\x05\x08\x00\x01" + b"\0" * 6)
            return
        port = struct.unpack("!H", _recv(client, 2))[0]
        if command != 1:
            client.sendall(b"\x05\x07\x00\x01" + b"\0" * 6)
            return
        with proxy.lock:
            proxy.connections += 1
        upstream = socket.create_connection((host, port), timeout=30)
        client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", port))
        _relay(client, upstream)

    @staticmethod
    def _authenticate(client: socket.socket, proxy: FakeSocksProxy) -> bool:
        _, length = _recv(client, 2)
        username = _recv(client, length).decode()
        password = _recv(client, _recv(client, 1)[0]).decode()
        ok = (username, password) == (proxy.username, proxy.password)
        client.sendall(b"\x01\x00" if ok else b"\x01\x01")
        return ok


def _recv(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("socks client went away")
        data += chunk
    return data


def _relay(a: socket.socket, b: socket.socket) -> None:
    try:
        while True:
            readable, _, _ = select.select([a, b], [], [], 30)
            if not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (b if source is a else a).sendall(data)
    finally:
        b.close()


class FakeSocksProxy(_LoopbackProxy):
    """A SOCKS5 proxy on `host` (no auth, or user/password)."""

    def __init__(self, host: str = "127.0.0.3", *, username: str | None = None, password: str | None = None):
        super().__init__(socketserver.ThreadingTCPServer((host, 0), _SocksHandler), f"fake-socks-{host}",
                         username, password)
        self.connections = 0
        self.lock = threading.Lock()

    def url(self, scheme: str = "socks5h") -> str:
        """The proxy URL for *_PROXIES."""
        return self._url(scheme)
