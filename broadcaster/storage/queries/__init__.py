"""Every SQL statement of the broadcaster, by name, one module per topic.

Statements use named ``%(name)s`` placeholders and explicit column lists. Status values come
from `broadcaster.core.states`, so Python and SQL spell them the same way. Multi-row writes take a
``*_ROW`` template with named placeholders and a list of dicts (see `Database.write_batches`).
Callers use ``queries.NAME``; the topic modules are:

* ``runs``: the switch, claiming, heartbeating and finishing a pass;
* ``tasks``: the tasks a pass reads, their videos and links, what a pass writes back;
* ``egress``: TikHub requests per day, egresses and their benches;
* ``shards``: a pass shared by several processes (shards, slots, shared budgets);
* ``admin``: tasks for the admin API;
* ``tasklist``: the task list's search, filters, sorts and totals;
* ``insight``: the webhook log, CSV exports and callback hosts (docs/operations.md#integrity);
* ``operations``: /metrics, count history, passes over selected tasks;
* ``access``: login throttling and the audit trail;
* ``retention``: pruning old rows;
* ``alerts``: what alerts are evaluated from, their state and their events;
* ``migrations``: the ledger of applied schema migrations;
* ``partitions``: day partitions of the records and of count history;
* ``records``: the record of each delivery and failed fetch, as the recorder writes it;
* ``storage``: the database's size by store;
* ``projects``: insight by drama: each project's figures, their refresh and hourly totals (docs/architecture.md#insight-by-drama);
* ``sessions``: sessions of the sign-in form (docs/access.md#the-sign-in-form);
* ``digest``: the daily digest's facts and its one row per day (docs/operations.md#the-daily-digest).
"""

from broadcaster.storage.queries.access import *  # noqa: F403
from broadcaster.storage.queries.admin import *  # noqa: F403
from broadcaster.storage.queries.alerts import *  # noqa: F403
from broadcaster.storage.queries.digest import *  # noqa: F403
from broadcaster.storage.queries.egress import *  # noqa: F403
from broadcaster.storage.queries.insight import *  # noqa: F403
from broadcaster.storage.queries.migrations import *  # noqa: F403
from broadcaster.storage.queries.operations import *  # noqa: F403
from broadcaster.storage.queries.partitions import *  # noqa: F403
from broadcaster.storage.queries.projects import *  # noqa: F403
from broadcaster.storage.queries.records import *  # noqa: F403
from broadcaster.storage.queries.retention import *  # noqa: F403
from broadcaster.storage.queries.runs import *  # noqa: F403
from broadcaster.storage.queries.sessions import *  # noqa: F403
from broadcaster.storage.queries.shards import *  # noqa: F403
from broadcaster.storage.queries.storage import *  # noqa: F403
from broadcaster.storage.queries.tasklist import *  # noqa: F403
from broadcaster.storage.queries.tasks import *  # noqa: F403
