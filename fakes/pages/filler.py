"""Script, style and markup filler that pads a fake page to a realistic size.

Real watch and post pages are hundreds of kilobytes of scripts, styles and markup around a few
kilobytes of data; the fetcher must find the data in all that. The filler is generated once per
platform, deterministically, and cached, so padding a page costs little more than one string join.
"""

from __future__ import annotations

import bisect
import json
import random
import threading

# the CSP nonce real pages put on every inline script and style
NONCE = "r4nd0mN0nc3Zx9Q"

_FILLER_LOCK = threading.Lock()
# kind -> (text, block end offsets); generated lazily, grown when a bigger page is asked for
_FILLER: dict[str, tuple[str, list[int]]] = {}

_WORDS = (
    "player", "masthead", "guide", "chips", "comments", "related", "shelf", "overlay", "endscreen",
    "miniplayer", "caption", "storyboard", "autoplay", "playlist", "thumbnail", "badge", "toast",
    "sidebar", "feed", "search", "banner", "avatar", "menu", "dialog", "tooltip", "spinner",
)
_HANZI = "推荐关注直播热点同城精选音乐游戏美食旅行知识体育科技动漫影视搞笑生活萌宠时尚汽车"


def _ident(rng: random.Random) -> str:
    """Return a plausible minified JS identifier."""
    return rng.choice("abcdefghijklmnopqrstuvwxyz_$") + "".join(
        rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(1, 5))
    )


def _flags(rng: random.Random, n: int) -> dict:
    """Return an experiment-flags style JSON object."""
    out = {}
    for _ in range(n):
        key = "_".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 4))) + f"_{rng.randint(0, 99)}"
        kind = rng.random()
        if kind < 0.4:
            out[key] = rng.random() < 0.5
        elif kind < 0.7:
            out[key] = rng.randint(0, 10_000_000)
        else:
            out[key] = f"{rng.getrandbits(32):08x}"
    return out


def _filler_block(kind: str, rng: random.Random) -> str:
    """Return one complete markup block (script, style, link or div) for a page of ``kind``."""
    roll = rng.random()
    if roll < 0.45:
        name, other = _ident(rng), _ident(rng)
        body = json.dumps(_flags(rng, rng.randint(10, 40)), separators=(",", ":"))
        return (
            f'<script nonce="{NONCE}">(function(){{var {name}={body};'
            f"window.{other}=window.{other}||[];{other}.push({name});"
            f'if({name}.{rng.choice(_WORDS)})console.debug("{rng.choice(_WORDS)}");}})();</script>\n'
        )
    if roll < 0.65:
        rules = "".join(
            f".{rng.choice(_WORDS)}-{rng.choice(_WORDS)}{{display:{rng.choice(['flex', 'block', 'none'])};"
            f"margin:0 {rng.randint(0, 24)}px;color:#{rng.getrandbits(24):06x}}}"
            for _ in range(rng.randint(8, 30))
        )
        return f'<style nonce="{NONCE}">{rules}</style>\n'
    if roll < 0.8:
        if kind == "youtube":
            href = f"https://www.youtube.com/s/desktop/{rng.getrandbits(32):08x}/jsbin/{rng.choice(_WORDS)}.vflset/{rng.choice(_WORDS)}.js"
        elif kind == "tiktok":
            href = f"https://sf16-website-login.neutral.ttwstatic.com/obj/tiktok_web_login_static/tiktok/webapp/main/webapp-desktop/{rng.getrandbits(40):010x}.js"
        else:
            href = f"https://lf3-cdn-tos.bytescm.com/obj/static/douyin_web/{rng.getrandbits(40):010x}/{rng.choice(_WORDS)}.js"
        return f'<link rel="preload" href="{href}" as="script" nonce="{NONCE}">\n'
    if kind == "douyin":
        text = "".join(rng.choice(_HANZI) for _ in range(rng.randint(4, 40)))
    else:
        text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 40)))
    return f'<div class="{rng.choice(_WORDS)}-{rng.choice(_WORDS)}" data-{_ident(rng)}="{rng.randint(0, 999)}"><span>{text}</span></div>\n'


def _filler(kind: str, n: int) -> str:
    """Return exactly ``n`` characters of filler for ``kind``, cut at a block boundary and space-padded."""
    if n <= 0:
        return ""
    cached = _FILLER.get(kind)
    if cached is None or len(cached[0]) < n:
        with _FILLER_LOCK:
            cached = _FILLER.get(kind)
            if cached is None or len(cached[0]) < n:
                cached = _grow_filler(kind, n)
                _FILLER[kind] = cached
    text, ends = cached
    i = bisect.bisect_right(ends, n)
    cut = ends[i - 1] if i else 0
    return text[:cut] + " " * (n - cut)


_UNIQUE_FILLER = 1_500_000  # beyond this, blocks repeat: generating them costs more than it adds


def _grow_filler(kind: str, total: int) -> tuple[str, list[int]]:
    """Return at least ``total`` characters of filler, deterministic per ``kind``, with block end offsets."""
    rng = random.Random(f"pages-filler-{kind}")
    parts, ends, length = [], [], 0
    while length < _UNIQUE_FILLER:
        block = _filler_block(kind, rng)
        parts.append(block)
        length += len(block)
        ends.append(length)
    copies = max(1, -(-total // length))
    return "".join(parts) * copies, [end + k * length for k in range(copies) for end in ends]


def pad(kind: str, size: int, parts: list[str], head_share: float = 0.6) -> str:
    """Join ``[head, core..., tail]`` and put filler after head and before tail to reach ``size``."""
    core_len = sum(len(p) for p in parts)
    room = max(0, size - core_len)
    before = int(room * head_share)
    return parts[0] + _filler(kind, before) + "".join(parts[1:-1]) + _filler(kind, room - before) + parts[-1]



def script_json(obj: object, *, escape_slash: bool = False) -> str:
    """Serialise ``obj`` the way the platforms inline JSON into a <script> (no raw ``<``, ``>``, ``&``)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    if escape_slash:
        # TikTok and Douyin escape every "/" inside strings as \u002F, keys included
        text = text.replace("/", "\\u002F")
    return text
