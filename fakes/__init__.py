"""Fakes shared by the tests and the benchmark.

* ``upstream``: a local HTTP server that plays YouTube, TikTok, Douyin, TikHub and X2C
  receivers (``python -m fakes.upstream`` runs it on its own for the benchmark);
* ``pages``: the page and API bodies it serves, built from the shapes in reference/platforms.md;
* ``memory``: in-memory stand-ins for a pass's fetcher, sender and task rows, for tests that
  need neither PostgreSQL nor HTTP.
"""
