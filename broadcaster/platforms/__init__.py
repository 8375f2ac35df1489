"""Reading counts from YouTube, TikTok and Douyin, without the network.

`urls` recognises a pasted link, `counts` parses count text, `pagejson` cuts JSON out of HTML,
and each platform module (`youtube`, `tiktok`, `douyin`, `tikhub`) builds its requests and
parses its answers into a `results.FetchResult`. `client` is the one bounded HTTP GET; the
public fetcher that ties them together is `video_stats_fetcher.VideoStatsFetcher`.
Facts about the platforms come from ``reference/platforms.md``.
"""
