"""Who may use the admin app: credentials, the generated password, cross-site refusal, headers.

Every route but `/healthz` and `/static/…` needs HTTP Basic (`ADMIN_USERNAME`/`ADMIN_PASSWORD`)
or `Authorization: Bearer ADMIN_TOKEN`; a browser write from another site is refused. With
neither a password nor a token configured, a password is generated once under `instance/`.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from flask import request

from broadcaster.api_shapes import error_response
from broadcaster.config import Config

PASSWORD_FILE = "admin_password"  # noqa: S105 - a file name, not a password

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def ensure_admin_credentials(config: Config) -> Config:
    """With no password and no token configured, generate a password once under instance/."""
    if config.admin_password or config.admin_token:
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


def is_public_path(path: str) -> bool:
    """True for the paths anyone may read: the health check and the page's static files."""
    return path == "/healthz" or path.startswith("/static/")


def credentials_ok(header: str, config: Config) -> bool:
    """True when an Authorization header carries the admin token or the admin password."""
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and config.admin_token:
        return hmac.compare_digest(value.strip().encode(), config.admin_token.encode())
    if scheme == "basic" and config.admin_password:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except ValueError:  # bad base64 (binascii.Error), non-ASCII header text, non-UTF-8 bytes
            return False
        username, sep, password = decoded.partition(":")
        if not sep:
            return False
        user_ok = hmac.compare_digest(username.encode(), config.admin_username.encode())
        password_ok = hmac.compare_digest(password.encode(), config.admin_password.encode())
        return user_ok and password_ok
    return False


def refuse_unauthorised(config: Config):
    """The 401 or 403 answer for the current request, or None when it may go on."""
    if is_public_path(request.path):
        return None
    if not credentials_ok(request.headers.get("Authorization", ""), config):
        response = error_response("需要登录：请提供正确的用户名和密码", 401)
        if not request.path.startswith("/api/"):
            response.headers["WWW-Authenticate"] = 'Basic realm="Stats Broadcaster", charset="UTF-8"'
        return response
    if request.method not in ("GET", "HEAD", "OPTIONS") and is_cross_site():
        return error_response("拒绝跨站请求", 403)
    return None


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
