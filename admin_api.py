"""The admin app: `gunicorn -c gunicorn.conf.py` serves `admin_api:create_app()`.

This file only wires: the app factory and each process's supervisor thread are
`broadcaster.web.app`'s, the routes one blueprint per feature in `broadcaster/web/`, who may call
them `broadcaster.access.auth` (which also settles the admin password before workers start).
"""

from broadcaster.access.auth import ensure_admin_credentials
from broadcaster.web.app import create_app, start_supervisor, stop_supervisor

__all__ = ["create_app", "ensure_admin_credentials", "start_supervisor", "stop_supervisor"]
