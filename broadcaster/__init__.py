"""The Stats Broadcaster's internals, one concern per module.

The client's top-level files are the entry points: ``stats_broadcaster`` (the loop and the
command line), ``admin_api`` (the Flask app) and ``video_stats_fetcher`` (the public fetch API).
What they use lives here:

* settings and edges: ``config``, ``errors``, ``states`` (status values shared with SQL),
  ``clock``, ``logs``, ``retry``;
* storage: ``db`` (connections, schema) and ``queries`` (every SQL statement);
* HTTP: ``httpclient`` (per-thread sessions, bounded reads) and ``webhooks`` (signed delivery);
* a pass, in the order a task meets it: ``links`` (short links resolved once), ``tasks`` (the
  typed rows a pass reads), ``budget`` (who gets refreshed, pacing), ``pipeline`` (fetch, build,
  deliver), ``payload`` (the stats entry and the result), ``recorder`` (batched writes) and
  ``lifecycle`` (claim, heartbeat, finish, the child process, the switch);
* ``platforms``: URL recognition, count parsing and one module per platform.
"""
