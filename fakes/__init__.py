"""Fakes shared by the tests and the benchmark.

* ``upstream``: ``FakeUpstream``, a local HTTP server that plays YouTube, TikTok, Douyin, TikHub
  and X2C receivers (``python -m fakes.upstream`` runs it on its own for the benchmark); its parts:
  ``server`` (connections, parsing, writing, traffic counters), ``platforms`` (API, page and
  TikHub answers about its videos), ``page_bodies`` (which page to serve, composed with cached
  filler), ``replies`` (prepared replies and how a behaviour spoils them), ``videos`` (the video
  records), ``receivers`` (webhook receivers and what they recorded), ``control`` (the
  ``/_control`` API for a fake in another process);
* ``pages``: the page and API bodies it serves, built from the shapes in docs/platforms.md,
  one module per platform;
* ``memory``: in-memory stand-ins for a pass's fetcher, sender and task rows, for tests that
  need neither PostgreSQL nor HTTP;
* ``proxy``: HTTP and SOCKS5 proxies on 127.0.0.x for egress tests and the benchmark.
"""
