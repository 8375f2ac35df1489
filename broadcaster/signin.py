"""The sign-in form (DESIGN §17): GET and POST /login, POST /logout.

The form checks a user name and password exactly as HTTP Basic does (`Authenticator.verify`, the
same constant-time check) and counts a wrong one towards the same block of the client address
(`auth.count_failure`). A right one starts a session (`broadcaster.sessions`) whose cookie is
HttpOnly, SameSite=Strict, Secure over HTTPS, and lasts SESSION_HOURS. Every sign-in and every
refused one is an audit row (`login`); signing out (`logout`) is recorded by the audit hook.
Basic and Bearer keep working on every route for scripts.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from broadcaster import audit, sessions, throttle
from broadcaster.auth import blocked_message, client_address, count_failure, session_account

bp = Blueprint("signin", __name__)

MAX_USERNAME, MAX_PASSWORD = 64, 1024
WRONG = "用户名或密码不正确"


def _state() -> dict:
    return current_app.extensions["broadcaster"]


def _form(error: str | None, status: int, username: str = ""):
    return render_template("login.html", error=error, username=username,
                           session_hours=_state()["config"].session_hours), status


@bp.get("/login")
def login_form():
    """The sign-in form (a browser already signed in goes on to the page)."""
    if session_account(_state()["authenticator"], _state()["database"]) is not None:
        return redirect(url_for("admin.index"), 303)
    return _form(None, 200)


@bp.post("/login")
def login():
    """Check the form's user name and password; start a session and go to the page (303)."""
    config, database, authenticator = _state()["config"], _state()["database"], _state()["authenticator"]
    username = request.form.get("username", "").strip()[:MAX_USERNAME]
    password = request.form.get("password", "")[:MAX_PASSWORD]
    address = client_address()
    seconds = throttle.block_seconds(database, address)
    if seconds:
        return _blocked(seconds, username)
    if not username or not password:
        return _form("请输入用户名和密码", 400, username)
    account = authenticator.verify(username, password)
    # A guess in flight when another request started the block gets the block's answer too.
    seconds = throttle.block_seconds(database, address) if account is not None else 0
    if seconds:
        return _blocked(seconds, username)
    if account is None:
        seconds = count_failure(config, authenticator, database, address, username)
        role = authenticator.role_of(username)
        audit.record_sign_in(database, user=username if role else None, role=role, status=429 if seconds else 401,
                             error=WRONG)
        return _blocked(seconds, username) if seconds else _form(WRONG, 401, username)
    sessions.end_session(database, request.cookies.get(sessions.COOKIE))  # one session per browser
    token = sessions.start_session(database, account.name, config.session_hours)
    audit.record_sign_in(database, user=account.name, role=account.role, status=303)
    response = redirect(url_for("admin.index"), 303)
    response.set_cookie(sessions.COOKIE, token, max_age=config.session_hours * 3600, path="/", httponly=True,
                        samesite="Strict", secure=request.is_secure)
    return response


def _blocked(seconds: int, username: str):
    """The form again with the block's reason: 429 with Retry-After, as the API answers a blocked address."""
    response = current_app.make_response(_form(blocked_message(seconds), 429, username))
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/logout")
def logout():
    """End the browser's session (any account may: a viewer too) and go back to the form."""
    sessions.end_session(_state()["database"], g.get("session_token"))
    response = redirect(url_for("signin.login_form"), 303)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="Strict", secure=request.is_secure)
    return response
