"""The Stats Broadcaster's internals, grouped by concern one level deep (docs/architecture.md).

The client's top-level files are thin entry points: ``stats_broadcaster`` (the loop and the
command line), ``admin_api`` (the Flask app) and ``video_stats_fetcher`` (the public fetch API).
Nothing here imports them. The folders, in the order a task meets them:

* ``core``: settings, errors, status values, time, logging, retries;
* ``storage``: PostgreSQL, the numbered migrations, every SQL statement, partitions and upkeep;
* ``fetching``: links and counts from YouTube, TikTok and Douyin;
* ``engine``: the supervisor and the pass (claim, plan, fetch, decide, deliver, record);
* ``scaleout``: one pass shared by several processes and hosts;
* ``delivery``: the signed webhook to X2C;
* ``web``, ``access``: the admin app and who may use it;
* ``alerting``, ``reports``: telling operators, and what the data says.
"""
