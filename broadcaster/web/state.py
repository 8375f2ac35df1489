"""What the app holds for its views: the settings, the database, who may sign in, the supervisor.

`create_app` (broadcaster.web.app) builds one `AppState` per app; views, hooks, gunicorn's hooks
and tests reach it through `app_state()`, never by its key in `app.extensions`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from flask import Flask, current_app

from broadcaster.access.auth import Authenticator
from broadcaster.core.config import Config
from broadcaster.storage.db import Database

if TYPE_CHECKING:
    from broadcaster.engine.supervisor import Broadcaster

EXTENSION = "broadcaster"


@dataclasses.dataclass
class AppState:
    """One app's state, kept in `app.extensions`."""

    config: Config
    database: Database
    authenticator: Authenticator
    #: True when the schema was up to date at start; else the supervisor applies it once connected.
    schema_ready: bool = False
    #: This process's broadcaster thread, once `start_supervisor` made it (after gunicorn forks).
    supervisor: Broadcaster | None = None
    #: The OpenAPI document, built on its first request (the URL map is fixed by then).
    openapi: dict | None = None


def app_state(app: Flask | None = None) -> AppState:
    """The state of `app`, or of the app handling the current request."""
    return (app if app is not None else current_app).extensions[EXTENSION]
