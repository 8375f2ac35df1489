"""gunicorn settings for the admin app: `gunicorn -c gunicorn.conf.py [--bind HOST:PORT] [--workers N]`.

The broadcaster thread starts in each worker after the fork (post_worker_init) and stops on
worker exit. The database decides which worker runs a pass, so any number of workers is safe.
"""

import os
import sys

wsgi_app = "admin_api:create_app()"


def default_bind(environ) -> str:
    """BIND wins; else PORT on all interfaces (Railway, Render and Heroku set PORT and route to
    0.0.0.0:$PORT); else loopback only, so a developer's machine serves nothing to the network."""
    if environ.get("BIND"):
        return environ["BIND"]
    port = environ.get("PORT")
    if port:
        if not port.isdigit() or not 0 < int(port) < 65536:
            print(f"配置错误: PORT must be a port number 1-65535, got {port!r}", file=sys.stderr, flush=True)
            sys.exit(2)
        return f"0.0.0.0:{port}"
    return "127.0.0.1:5001"


bind = default_bind(os.environ)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gunicorn's gthread worker, whose own refusals (a request line over limit_request_line, 4094
# bytes; oversized or malformed headers) are JSON errors like the app's, not HTML pages.
worker_class = "broadcaster.web.http_worker.JSONErrorWorker"
threads = 4
timeout = 60
graceful_timeout = 15
accesslog = "-"
# Query strings never carry secrets here, but keep the access log short and free of headers.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


def on_starting(server):
    """In the master, before any worker: start the embedded database and settle credentials."""
    from admin_api import ensure_admin_credentials
    from broadcaster.core.config import load_config
    from broadcaster.core.errors import ConfigError
    from broadcaster.storage import db

    try:
        config = load_config()
    except ConfigError as exc:  # one line naming the setting, as every entry point says it
        print(f"配置错误: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
    if not config.database_url:
        # Start it once here so the workers share one server instead of racing to start it.
        os.environ["DATABASE_URL"] = db.start_embedded_server(os.path.join(config.instance_path, "pgdata"))
    ensure_admin_credentials(config)


def post_worker_init(worker):
    """After the fork: start this worker's broadcaster thread."""
    from admin_api import start_supervisor
    from broadcaster.core.logs import configure_logging
    from broadcaster.web.state import app_state

    configure_logging(app_state(worker.wsgi).config.secrets())
    start_supervisor(worker.wsgi)


def worker_exit(server, worker):
    """On worker shutdown: stop the thread and interrupt a pass in progress."""
    from admin_api import stop_supervisor

    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "extensions"):
        stop_supervisor(app)
