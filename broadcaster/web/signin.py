"""The sign-in form (docs/access.md#the-sign-in-form): GET and POST /login, POST /logout.

The form checks a user name and password exactly as HTTP Basic does (`Authenticator.verify`, the
same constant-time check) and counts a wrong one towards the same block of the client address
(`auth.count_failure`). A right one starts a session (`broadcaster.access.sessions`) whose cookie is
HttpOnly, SameSite=Strict, Secure over HTTPS, and lasts SESSION_HOURS. Every sign-in and every
refused one is an audit row (`login`); signing out (`logout`) is recorded by the audit hook.
Basic and Bearer keep working on every route for scripts.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from broadcaster.access import audit, sessions, throttle
from broadcaster.access.audit import audited
from broadcaster.access.auth import blocked_message, client_address, count_failure, session_account
from broadcaster.core.json_schema import INTEGER, STRING, described, obj
from broadcaster.web.openapi import Answer, documented, media_answer
from broadcaster.web.shapes import ERROR
from broadcaster.web.state import app_state

bp = Blueprint("signin", __name__)

MAX_USERNAME, MAX_PASSWORD = 64, 1024
WRONG = "用户名或密码不正确"

_LOCATION = {"Location": {"required": True, "schema": STRING}}
SIGN_IN_FORM = obj({"username": described({"type": "string", "maxLength": MAX_USERNAME}, "用户名"),
                    "password": described({"type": "string", "maxLength": MAX_PASSWORD}, "密码")},
                   title="SignInForm", description="登录表单（application/x-www-form-urlencoded）")


def _form_again(description: str, **headers) -> Answer:
    """The form shown again with the reason (HTML); the server's own refusals of a malformed
    request are the API's JSON error."""
    return Answer(description, {"text/html": {"schema": STRING}, "application/json": {"schema": ERROR}}, headers)


def _form(error: str | None, status: int, username: str = ""):
    return render_template("login.html", error=error, username=username,
                           session_hours=app_state().config.session_hours), status


@bp.get("/login")
@documented("登录页（表单），无需认证；已登录的浏览器直接进入管理页面", tag="登录", public=True,
            ok={200: media_answer("text/html", "登录表单（HTML）"), 303: Answer("已登录：跳转到 /admin", headers=_LOCATION)})
def login_form():
    """The sign-in form (a browser already signed in goes on to the page)."""
    state = app_state()
    if session_account(state.authenticator, state.database) is not None:
        return redirect(url_for("pages.index"), 303)
    return _form(None, 200)


@bp.post("/login")
@audited(audit.LOGIN)
@documented("用表单登录：开始会话（Cookie），跳转到管理页面", tag="登录", public=True,
            body=SIGN_IN_FORM, body_media="application/x-www-form-urlencoded",
            ok={303: Answer("登录成功：设置会话 Cookie（HttpOnly, SameSite=Strict），跳转到 /admin",
                            headers={**_LOCATION, "Set-Cookie": {"schema": STRING}}),
                400: _form_again("缺少用户名或密码：重新显示表单"),
                401: _form_again("用户名或密码不正确：重新显示表单"),
                429: _form_again("该地址登录失败次数过多：重新显示表单，Retry-After 为剩余秒数",
                                 **{"Retry-After": {"required": True, "schema": INTEGER}})})
def login():
    """Check the form's user name and password; start a session and go to the page (303)."""
    state = app_state()
    config, database, authenticator = state.config, state.database, state.authenticator
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        # Refused as it stands (as its schema says), never cut short and tried as something else.
        return _form(f"用户名最多 {MAX_USERNAME} 个字符，密码最多 {MAX_PASSWORD} 个字符", 400, username[:MAX_USERNAME])
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
    response = redirect(url_for("pages.index"), 303)
    response.set_cookie(sessions.COOKIE, token, max_age=config.session_hours * 3600, path="/", httponly=True,
                        samesite="Strict", secure=request.is_secure)
    return response


def _blocked(seconds: int, username: str):
    """The form again with the block's reason: 429 with Retry-After, as the API answers a blocked address."""
    response = current_app.make_response(_form(blocked_message(seconds), 429, username))
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/logout")
@audited(audit.LOGOUT)
@documented("退出：结束这个浏览器的会话（只读账号也可以），回到登录页", tag="登录",
            ok={303: Answer("已退出：跳转到 /login", headers=_LOCATION)})
def logout():
    """End the browser's session (any account may: a viewer too) and go back to the form."""
    sessions.end_session(app_state().database, g.get("session_token"))
    response = redirect(url_for("signin.login_form"), 303)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="Strict", secure=request.is_secure)
    return response
