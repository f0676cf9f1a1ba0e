"""The feed farm: RSS 2.0, Atom, RDF (RSS 1.0) and JSON Feed files with HTML in the summaries.

Every feed is a function of its index alone (a seeded generator per feed and per item), so a farm
is the same on every run and "gain an item" only prepends one item to a feed. Sizes are spread
log-uniformly between a floor and a ceiling (5 to 200 KB by default). Feed ``i`` lives on the
loopback address ``127.0.1.(i % hosts + 1)`` so that per-host politeness applies as on the web.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import accumulate
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

KINDS = ("rss", "atom", "rdf", "json")
EXT = {"rss": "rss", "atom": "atom", "rdf": "rdf", "json": "json"}
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

# A few real words (search queries use some of them) and made-up ones built from syllables.
_REAL = """
river harbour council budget election weather forecast storm bridge railway library museum
concert festival garden market village mountain valley island coast winter summer science
research climate energy solar battery network software release security patch football tennis
league season theatre novel poetry history archive report minister treaty summit trade export
import harvest farmer vineyard cheese bakery recipe telescope galaxy comet eclipse satellite
rocket launch orbit zeppelin lighthouse glacier
"""
REAL_WORDS = _REAL.split()
_SYLLABLES = "ka lo mi ra te su no vi da pe ri zo an el or ut is em"
SYLLABLES = _SYLLABLES.split()


def _vocabulary() -> list[str]:
    rng = random.Random(7)
    made = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(3000)}
    return list(REAL_WORDS) + sorted(made)


VOCAB = _vocabulary()
# Zipf-like weights: a few words are everywhere, most are rare (as in real text)
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCAB))]
CUM_WEIGHTS = list(accumulate(WEIGHTS))


def words(rng: random.Random, n: int) -> list[str]:
    return rng.choices(VOCAB, cum_weights=CUM_WEIGHTS, k=n)


def sentence(rng: random.Random, lo: int = 6, hi: int = 16) -> str:
    ws = words(rng, rng.randint(lo, hi))
    return " ".join(ws).capitalize() + "."


def item_html(rng: random.Random, feed: int, n: int, *, hostile: bool = True) -> str:
    """An HTML summary as found in the wild: paragraphs, links (some relative), an image, a list,
    entities, non-ASCII text and now and then something the sanitizer must take out."""
    parts = []
    for p in range(rng.randint(1, 4)):
        link = (
            f'<a href="/{feed}/{n}/more-{p}">{escape(rng.choice(VOCAB))}</a>'
            if rng.random() < 0.5
            else f'<a href="https://example.org/{feed}/{n}/{p}" title="x">{rng.choice(VOCAB)}</a>'
        )
        parts.append(
            f"<p>{sentence(rng)} {link} <strong>{rng.choice(VOCAB)}</strong> &amp; "
            f"<em>{rng.choice(VOCAB)}</em> — café “{rng.choice(VOCAB)}” {sentence(rng)}</p>"
        )
    if rng.random() < 0.3:
        parts.append(f'<p><img src="/img/{feed}-{n}.png" alt="{rng.choice(VOCAB)}" width="60"></p>')
    if rng.random() < 0.2:
        parts.append(
            "<ul>" + "".join(f"<li>{sentence(rng, 3, 6)}</li>" for _ in range(3)) + "</ul>"
        )
    if hostile and rng.random() < 0.05:
        parts.append('<script>alert("x")</script><p onclick="steal()">click</p>')
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Item:
    n: int
    title: str
    link: str
    guid: str | None  # None: the link is the identity
    when: datetime
    html: str
    content_html: str | None


def make_item(feed: int, n: int) -> Item:
    rng = random.Random(feed * 1_000_003 + n)
    when = EPOCH + timedelta(minutes=feed % 1440, hours=n * 7)
    link = f"https://site{feed}.example.org/{n}/{'-'.join(words(rng, 3))}.html"
    guid = None if n % 10 == 3 else f"urn:bench:{feed}:{n}"  # a tenth identified by link only
    html = item_html(rng, feed, n)
    content = item_html(rng, feed, n) if rng.random() < 0.15 else None
    return Item(n, sentence(rng, 3, 9).rstrip("."), link, guid, when, html, content)


def _rss(feed: int, items: list[Item]) -> str:
    out = []
    for it in items:
        guid = f'<guid isPermaLink="false">{it.guid}</guid>' if it.guid else ""
        content = (
            f"<content:encoded><![CDATA[{it.content_html}]]></content:encoded>"
            if it.content_html
            else ""
        )
        out.append(
            f"<item><title>{escape(it.title)}</title><link>{escape(it.link)}</link>{guid}"
            f"<pubDate>{format_datetime(it.when)}</pubDate>"
            f"<author>ed{feed}@example.org (Ed)</author>"
            f"<description><![CDATA[{it.html}]]></description>{content}</item>\n"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>\n'
        f"<title>Feed {feed}: les nouvelles</title><link>https://site{feed}.example.org/</link>"
        f"<description>News &amp; notes from site {feed}</description><language>en</language>"
        f"<ttl>60</ttl>\n{''.join(out)}</channel></rss>\n"
    )


def _atom(feed: int, items: list[Item]) -> str:
    out = []
    for it in items:
        ident = it.guid or it.link
        content = (
            f'<content type="html">{escape(it.content_html)}</content>' if it.content_html else ""
        )
        out.append(
            f"<entry><title>{escape(it.title)}</title><id>{escape(ident)}</id>"
            f'<link rel="alternate" href={quoteattr(it.link)}/>'
            f"<updated>{it.when.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
            f"<published>{it.when.strftime('%Y-%m-%dT%H:%M:%SZ')}</published>"
            f'<summary type="html">{escape(it.html)}</summary>{content}</entry>\n'
        )
    updated = items[0].when if items else EPOCH
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:base="https://site{feed}.example.org/">\n'
        f"<title>Feed {feed}: Atom</title><id>urn:bench:feed:{feed}</id>"
        f'<link rel="alternate" href="https://site{feed}.example.org/"/>'
        f"<updated>{updated.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
        f"<author><name>Editor {feed}</name></author>\n{''.join(out)}</feed>\n"
    )


def _rdf(feed: int, items: list[Item]) -> str:
    seq = "".join(f"<rdf:li rdf:resource={quoteattr(it.link)}/>" for it in items)
    out = [
        f"<item rdf:about={quoteattr(it.link)}><title>{escape(it.title)}</title>"
        f"<link>{escape(it.link)}</link><description>{escape(it.html)}</description>"
        f"<dc:date>{it.when.strftime('%Y-%m-%dT%H:%M:%SZ')}</dc:date>"
        f"<dc:creator>Editor {feed}</dc:creator></item>\n"
        for it in items
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<channel rdf:about="https://site{feed}.example.org/"><title>Feed {feed}: RDF</title>'
        f"<link>https://site{feed}.example.org/</link><description>RSS 1.0 feed {feed}"
        f"</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>\n"
        f"{''.join(out)}</rdf:RDF>\n"
    )


def _json(feed: int, items: list[Item]) -> str:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"Feed {feed}: JSON",
        "home_page_url": f"https://site{feed}.example.org/",
        "feed_url": f"https://site{feed}.example.org/feed.json",
        "authors": [{"name": f"Editor {feed}"}],
        "items": [
            {
                "id": it.guid or it.link,
                "url": it.link,
                "title": it.title,
                "content_html": it.content_html or it.html,
                **({"summary": it.title} if it.content_html else {}),
                "date_published": it.when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            for it in items
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


RENDER = {"rss": _rss, "atom": _atom, "rdf": _rdf, "json": _json}


def render(feed: int, kind: str, count: int) -> bytes:
    """The document of feed ``feed`` with its ``count`` items, newest first."""
    items = [make_item(feed, n) for n in range(count - 1, -1, -1)]
    return RENDER[kind](feed, items).encode("utf-8")


@dataclass(slots=True)
class FarmFeed:
    index: int
    kind: str
    host: str
    path: str  # under the document root, e.g. f/00012.rss
    items: int
    size: int

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}/{self.path}"


@dataclass(slots=True)
class Farm:
    root: Path  # nginx's document root
    port: int
    hosts: list[str]
    feeds: list[FarmFeed] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.feeds)

    @property
    def total_items(self) -> int:
        return sum(f.items for f in self.feeds)

    def urls(self) -> list[str]:
        return [f.url(self.port) for f in self.feeds]

    def describe(self) -> dict[str, object]:
        sizes = sorted(f.size for f in self.feeds)
        return {
            "feeds": len(self.feeds),
            "hosts": len(self.hosts),
            "items": self.total_items,
            "bytes": self.total_bytes,
            "size_min": sizes[0],
            "size_median": sizes[len(sizes) // 2],
            "size_max": sizes[-1],
            "kinds": dict(Counter(f.kind for f in self.feeds)),
        }

    def write_opml(self, path: Path, part: slice = slice(None)) -> Path:
        outlines = "".join(
            f'<outline type="rss" text="feed {f.index}" xmlUrl={quoteattr(f.url(self.port))}/>\n'
            for f in self.feeds[part]
        )
        path.write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head><title>farm'
            f"</title></head><body>\n{outlines}</body></opml>\n",
            encoding="utf-8",
        )
        return path

    def write_url_list(self, path: Path) -> Path:
        path.write_text("".join(u + "\n" for u in self.urls()), encoding="utf-8")
        return path

    def gain_an_item(self, fraction: float, seed: int = 11) -> list[FarmFeed]:
        """Add one new item to ``fraction`` of the feeds (chosen at random, fixed seed); the file
        is replaced atomically and its mtime moved on, so ETag and Last-Modified both change."""
        rng = random.Random(seed)
        chosen = sorted(
            rng.sample(self.feeds, max(1, round(len(self.feeds) * fraction))),
            key=lambda f: f.index,
        )
        for f in chosen:
            path = self.root / f.path
            old = path.stat().st_mtime
            f.items += 1
            data = render(f.index, f.kind, f.items)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.utime(tmp, (old + 120, old + 120))
            os.replace(tmp, path)
            f.size = len(data)
        return chosen


def hosts(count: int) -> list[str]:
    if not 1 <= count <= 250:
        raise ValueError("between 1 and 250 loopback hosts")
    return [f"127.0.1.{h}" for h in range(1, count + 1)]


def build(
    root: Path,
    count: int,
    *,
    port: int,
    host_count: int = 50,
    min_size: int = 5_000,
    max_size: int = 200_000,
    seed: int = 1,
) -> Farm:
    """Write ``count`` feeds under ``root`` (made world-readable for nginx's worker)."""
    (root / "f").mkdir(parents=True, exist_ok=True)
    for d in (root, root / "f"):
        d.chmod(0o755)
    farm = Farm(root=root, port=port, hosts=hosts(host_count))
    rng = random.Random(seed)
    lo, hi = math.log(min_size), math.log(max_size)
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        target = int(math.exp(rng.uniform(lo, hi)))
        n = _items_for(i, kind, target, max_size)
        data = render(i, kind, n)
        path = f"f/{i:05d}.{EXT[kind]}"
        (root / path).write_bytes(data)
        farm.feeds.append(FarmFeed(i, kind, farm.hosts[i % host_count], path, n, len(data)))
    return farm


def _items_for(feed: int, kind: str, target: int, ceiling: int) -> int:
    """How many items make the document at least ``target`` bytes, staying under ``ceiling``."""
    empty = len(render(feed, kind, 0))
    total, n = empty, 0
    while total < target:
        one = len(RENDER[kind](feed, [make_item(feed, n)]).encode("utf-8")) - empty
        if n > 0 and total + one > ceiling:
            break
        total += one
        n += 1
    return max(n, 1)
