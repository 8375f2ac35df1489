"""Who may use the admin app: credentials, the generated password, cross-site refusal, headers.

Every route but `/healthz`, `/static/…` and the sign-in form (`/login`) needs HTTP Basic (an
`ADMIN_USERS` account, or `ADMIN_USERNAME`/`ADMIN_PASSWORD`), `Authorization: Bearer ADMIN_TOKEN`
or a session the form started (`broadcaster.access.sessions`); a browser without any that asks for a page
is sent to the form. A browser write from another site is refused, and so is any write by a
viewer but signing out. Failed logins, Basic or the form's, are counted per client address
(`broadcaster.access.throttle`). With no credentials configured at all, a password is generated once
under `instance/`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import secrets
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import g, redirect, request, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from broadcaster.access import audit, sessions, throttle
from broadcaster.access.accounts import OPERATOR, READ_ONLY_MESSAGE, SAFE_METHODS, TOKEN_USER, Account
from broadcaster.core.config import Config
from broadcaster.storage.db import Database
from broadcaster.web.shapes import error_response

PASSWORD_FILE = "admin_password"  # noqa: S105 - a file name, not a password

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def ensure_admin_credentials(config: Config) -> Config:
    """With no password, no token and no named account configured, generate a password once
    under instance/."""
    if config.admin_password or config.admin_token or config.admin_users:
        return config
    instance = Path(config.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / PASSWORD_FILE
    if not path.exists():
        password = secrets.token_urlsafe(18)
        # mkstemp creates the file 0600 with a unique name, so the password is never readable
        # by others, not even between writing it and a chmod.
        handle, temp_name = tempfile.mkstemp(prefix=f".{PASSWORD_FILE}.", dir=instance)
        temp = Path(temp_name)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(password + "\n")
        try:
            # link() is atomic and fails if the file exists: of several workers starting
            # together exactly one creates the password, and only it prints it.
            os.link(temp, path)
            print(
                f"已生成管理员密码（仅显示一次）: 用户名 {config.admin_username} 密码 {password}\n"
                f"密码保存在 {path}",
                flush=True,
            )
        except FileExistsError:
            pass
        finally:
            temp.unlink(missing_ok=True)
    return config.replace(admin_password=path.read_text(encoding="utf-8").strip())


LOGIN_PATH, LOGOUT_PATH = "/login", "/logout"
#: The pages a browser without credentials is sent to the sign-in form from (the API answers 401).
PAGE_PATHS = ("/", "/admin", LOGOUT_PATH)


def is_public_path(path: str) -> bool:
    """True for the paths anyone may read: the health check and the page's static files."""
    return path == "/healthz" or path.startswith("/static/")


class Authenticator:
    """Who an Authorization header belongs to, in the time of one password-hash check.

    With `ADMIN_USERS` set, every Basic check costs one werkzeug hash verification (scrypt,
    ~50-150 ms), whatever the user name: an unknown name and the plain-text `ADMIN_PASSWORD`
    are checked against a dummy hash made with the accounts' own method, so the answer time
    tells nothing about which names exist. (Without it there are no hashes: the name and the
    password are compared with hmac.compare_digest only.) A verified Basic header is
    then remembered for CACHE_SECONDS, keyed by an HMAC with a key this process drew at random:
    the page polls every few seconds, and paying scrypt on each poll would make the hash check
    the cost of every request. Only successes are cached, so a wrong password always pays.
    """

    CACHE_SECONDS = 60.0
    CACHE_SIZE = 256

    def __init__(self, config: Config):
        self._token = config.admin_token
        self._hashed = {name: (role, password_hash) for name, role, password_hash in config.admin_users}
        self._plain = (config.admin_username, config.admin_password) if config.admin_password else None
        # The hash of a random password nobody knows, made like the accounts' hashes (the
        # method and cost are the part before the first "$").
        self._dummy = None
        if config.admin_users:
            method = config.admin_users[0][2].split("$", 1)[0]
            self._dummy = generate_password_hash(secrets.token_urlsafe(24), method=method)
        self._key = secrets.token_bytes(32)
        self._verified: dict[bytes, tuple[Account, float]] = {}

    def role_of(self, name: str) -> str | None:
        """The role of a configured account, None for a name no account has."""
        if self._plain and name == self._plain[0]:
            return OPERATOR
        if name in self._hashed:
            return self._hashed[name][0]
        return OPERATOR if name == TOKEN_USER and self._token else None

    def authenticate(self, header: str) -> tuple[Account | None, str | None]:
        """(the account, the user name tried): the account is None when the credentials are wrong."""
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer":
            given = value.strip().encode()
            if self._token and hmac.compare_digest(given, self._token.encode()):
                return Account(TOKEN_USER, OPERATOR), TOKEN_USER
            return None, TOKEN_USER
        if scheme != "basic":
            return None, None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except ValueError:  # bad base64 (binascii.Error), non-ASCII header text, non-UTF-8 bytes
            return None, None
        username, sep, password = decoded.partition(":")
        if not sep:
            return None, username
        cached = self._cached(header)
        if cached is not None:
            return cached, username
        account = self._check_password(username, password)
        if account is not None:
            if len(self._verified) >= self.CACHE_SIZE:
                self._verified.clear()  # rare: more live sessions than this is not our case
            self._verified[self._cache_key(header)] = (account, time.monotonic() + self.CACHE_SECONDS)
        return account, username

    def verify(self, username: str, password: str) -> Account | None:
        """The account a user name and password sign in (the form's check: one hash check, never
        cached), or None."""
        return self._check_password(username, password)

    def checks_a_password(self, header: str) -> bool:
        """True when authenticating `header` verifies a password hash (Basic, not cached)."""
        return header[:6].lower() == "basic " and self._cached(header) is None

    def _cache_key(self, header: str) -> bytes:
        return hmac.new(self._key, header.encode(), hashlib.sha256).digest()

    def _cached(self, header: str) -> Account | None:
        entry = self._verified.get(self._cache_key(header))
        return entry[0] if entry and entry[1] > time.monotonic() else None

    def _check_password(self, username: str, password: str) -> Account | None:
        if self._dummy is not None:
            role, password_hash = self._hashed.get(username, (None, self._dummy))
            hash_ok = check_password_hash(password_hash, password)
            if role is not None:
                return Account(username, role) if hash_ok else None
        if self._plain is not None:
            user_ok = hmac.compare_digest(username.encode(), self._plain[0].encode())
            password_ok = hmac.compare_digest(password.encode(), self._plain[1].encode())
            if user_ok and password_ok:
                return Account(username, OPERATOR)
        return None


def client_address() -> str:
    """The client's address: the peer's, or what TRUSTED_PROXIES lets ProxyFix take from
    X-Forwarded-For (see broadcaster.web.app.create_app)."""
    return request.remote_addr or "unknown"


def refuse_unauthorised(config: Config, authenticator: Authenticator, database: Database):
    """The 401, 403, 429 or sign-in redirect for the current request, or None when it may go on.

    The one place that decides who may do what: a blocked address gets 429 whatever it sends,
    wrong credentials 401 (and count towards a block), and a request that is not a read
    (anything but GET, HEAD, OPTIONS) needs an operator, for every route, present and future;
    signing out is the one write a viewer may make.
    """
    if is_public_path(request.path):
        return None
    if request.path == LOGIN_PATH:
        # The form checks its own credentials (broadcaster.web.signin); a cross-site POST, which a
        # page elsewhere could use to sign a visitor in as someone else, never reaches it.
        return error_response("拒绝跨站请求", 403) if request.method not in SAFE_METHODS and is_cross_site() else None
    address = client_address()
    seconds = throttle.block_seconds(database, address)
    if seconds:
        return blocked_response(seconds)
    header = request.headers.get("Authorization", "")
    if header:
        slow_check = authenticator.checks_a_password(header)
        account, username = authenticator.authenticate(header)
        if account is not None and slow_check:
            # A guess that was in flight when another request started the block: answering it
            # would tell a right guess from a wrong one, so it gets the block's answer too.
            seconds = throttle.block_seconds(database, address)
            if seconds:
                return blocked_response(seconds)
        if account is None:
            seconds = count_failure(config, authenticator, database, address, username)
            return blocked_response(seconds) if seconds else unauthorised_response()
    else:
        account = session_account(authenticator, database)
        if account is None:
            return unauthorised_response()
    g.account = account
    if request.method not in SAFE_METHODS:
        # A session's cookie rides along with any request the browser makes, so a write with it
        # must also show it came from our own page (browsers send Origin with every POST).
        if is_cross_site() or (g.get("session_token") and not request.headers.get("Origin", request.referrer)):
            return error_response("拒绝跨站请求", 403)
        if not account.may_change and request.path != LOGOUT_PATH:
            return error_response(READ_ONLY_MESSAGE, 403)
        audit.remember_before(database)
    return None


def session_account(authenticator: Authenticator, database: Database) -> Account | None:
    """The account of the sign-in form's session the request's cookie names, or None; its token
    is kept on `g` for signing out."""
    token = request.cookies.get(sessions.COOKIE)
    user = sessions.session_user(database, token)
    role = authenticator.role_of(user) if user else None
    if role is None:
        return None
    g.session_token = token
    return Account(user, role)


def count_failure(config: Config, authenticator: Authenticator, database: Database, address: str,
                  username: str | None) -> int:
    """Count a failed login (Basic, Bearer or the form) from `address`; the seconds of the block it
    starts (an audit row), else 0."""
    seconds = throttle.record_failure(database, address, config.login_max_failures)
    if seconds:
        role = authenticator.role_of(username) if username else None
        audit.record_login_block(database, address, username if role else None, role, seconds)
    return seconds


def unauthorised_response():
    """401 for a request without valid credentials; a browser asking for a page goes to the form."""
    if request.path in PAGE_PATHS and "text/html" in request.headers.get("Accept", ""):
        return redirect(url_for("signin.login_form"), 303)
    response = error_response("需要登录：请提供正确的用户名和密码", 401)
    if not request.path.startswith("/api/"):
        response.headers["WWW-Authenticate"] = 'Basic realm="Stats Broadcaster", charset="UTF-8"'
    return response


def blocked_message(seconds: int) -> str:
    """What a blocked client address is told (the API's 429 and the sign-in form alike)."""
    return f"登录失败次数过多，请 {math.ceil(seconds / 60)} 分钟后再试"


def blocked_response(seconds: int):
    """429 with Retry-After for a blocked client address."""
    response = error_response(blocked_message(seconds), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def is_cross_site() -> bool:
    """True when a browser says the request came from another site."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False  # an API client (curl, scripts): no browser, no cross-site risk
    if source == "null":
        return True  # an opaque origin (sandboxed frame, file:) is never our page
    try:
        origin_host = urlsplit(source).netloc.lower()
    except ValueError:
        return True
    return origin_host != request.host.lower()


def security_headers(response):
    """Strict page headers on every answer; API answers and the page are never cached."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.path.startswith("/api/") or request.path in ("/admin", "/metrics"):
        response.headers["Cache-Control"] = "no-store"
    return response
