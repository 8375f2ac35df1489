"""The admin app's factory, its error answers, and each process's supervisor thread.

The API only writes state (the switch, a manual run) and reads it; scheduled passes are run by
each process's supervisor thread (`broadcaster.engine.supervisor.Broadcaster`), started after
gunicorn forks (see gunicorn.conf.py), never at import. The routes are one blueprint per feature
in this folder; who may call them is `broadcaster.access.auth`, one before_request hook for all.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from broadcaster.access import audit
from broadcaster.access.auth import Authenticator, ensure_admin_credentials, refuse_unauthorised, security_headers
from broadcaster.core.config import Config, config_from_mapping, load_config
from broadcaster.core.errors import StorageError
from broadcaster.engine.active import interrupt_active_passes
from broadcaster.engine.supervisor import Broadcaster
from broadcaster.storage import db
from broadcaster.storage.db import Database
from broadcaster.web import access, alerts, control, deliveries, pages, projects, runs, signin, tasks
from broadcaster.web.inputs import MAX_REQUEST_BYTES, BadRequest
from broadcaster.web.shapes import error_response, http_message
from broadcaster.web.state import EXTENSION, AppState, app_state

logger = logging.getLogger(__name__)

BLUEPRINTS = (pages.bp, control.bp, runs.bp, tasks.bp, deliveries.bp, projects.bp, alerts.bp, signin.bp, access.bp)
TRIGGER_WAIT_SECONDS = 10.0
#: How long a worker's start waits for pending migrations before it serves anyway (/healthz must
#: answer soon even while a migration waits for a lock).
STARTUP_MIGRATION_SECONDS = 5.0

# The page's scripts are ES modules, which browsers run only when served with a JavaScript type;
# a host's /etc/mime.types could map .js to something else.
mimetypes.add_type("text/javascript", ".js")


def create_app(config: Config | Mapping[str, Any] | None = None, *, database: Database | None = None) -> Flask:
    """Build the admin app. `config` is a Config, a mapping of settings, or None for the environment."""
    if config is None:
        config = load_config()
    elif not isinstance(config, Config):
        config = config_from_mapping({key: str(value) for key, value in config.items()})
    config = ensure_admin_credentials(config)
    # The package carries its templates/ and static/ (broadcaster/web/), so an installed copy serves the page.
    app = Flask(__name__, instance_path=config.instance_path)
    app.config["TRIGGER_WAIT_SECONDS"] = TRIGGER_WAIT_SECONDS
    # One byte over the API's limit: werkzeug refuses a longer Content-Length unread, and
    # inputs.request_body refuses a body that reaches this length (a chunked one, cut here).
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES + 1
    app.json.ensure_ascii = False
    schema_ready = False
    if database is None:
        database = Database(db.resolve_database_url(config))
        try:
            # Up to date: one read of the migrations' ledger. Pending and waiting for a lock (a long
            # transaction of someone else's): the supervisor thread carries on with it.
            db.apply_schema(database, deadline_s=STARTUP_MIGRATION_SECONDS)
            schema_ready = True
        except StorageError as exc:
            # Serve anyway (API answers 503); the supervisor applies the schema once it connects.
            logger.warning("database not ready at start: %s", exc)
    state = app.extensions[EXTENSION] = AppState(config, database, Authenticator(config), schema_ready=schema_ready)
    if config.trusted_proxies:
        # Trust exactly the proxies in front: trusting one more would let a client pick its address.
        # Their X-Forwarded-Proto says whether the browser used HTTPS (the session cookie's Secure).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.before_request(lambda: refuse_unauthorised(state.config, state.authenticator, state.database))
    app.after_request(lambda response: audit.record_change(state.database, response))
    app.after_request(security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StorageError, _storage_error)
    app.register_error_handler(BadRequest, lambda exc: error_response(str(exc), 400))
    return app


def start_supervisor(app: Flask) -> Broadcaster:
    """Start this process's broadcaster thread (call after forking)."""
    state = app_state(app)
    if state.supervisor is None:
        state.supervisor = Broadcaster(state.config, state.database, schema_ready=state.schema_ready)
    state.supervisor.start()
    return state.supervisor


def stop_supervisor(app: Flask, timeout: float = 8.0) -> None:
    """Stop this process's broadcaster thread and interrupt any pass it runs."""
    supervisor = app_state(app).supervisor
    if supervisor is not None:
        supervisor.stop(timeout)
    interrupt_active_passes()


def _http_error(exc: HTTPException):
    response = error_response(http_message(exc.code or 500), exc.code or 500)
    valid_methods = getattr(exc, "valid_methods", None)
    if exc.code == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)  # a 405 must say what is allowed
    return response


def _storage_error(exc: StorageError):
    logger.warning("database error in %s: %s", request.path, exc)
    return error_response("数据库暂时不可用，请稍后重试", 503)
