"""Finds the texts a person would read that are not marked for translation.

Two scanners, both used by ``tests/test_i18n.py`` (docs/translating.md says what they demand):

- templates: the page text and the visible attributes (title, alt, placeholder, aria-label, a
  button's value) left once every ``{{ }}``, ``{% %}`` and ``{% trans %}`` is taken out; code
  samples (``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``), scripts and styles are not prose.
  Quoted words handed to a macro, a filter or a ``set`` ("Delete", "Untitled") count as well.
- Python: a literal sentence given as a message: to tidings' own errors and the HTTP and API
  errors, to the command line's output (``fail``, ``print``, ``echo``), or as an ``error=``,
  ``notice=``, ``message=`` or ``detail=`` argument. Such a text must be a literal inside
  ``_``/``gettext``/``ngettext``/``N_`` (never an f-string: the catalog could not hold it).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

import tidings
import tidings.errors

SOURCE = Path(tidings.__file__).parent
TEMPLATES = SOURCE / "web" / "templates"

# Names and words that are the same in every language.
KEEP = frozenset(
    {
        "tidings",
        "RSS",
        "Atom",
        "OPML",
        "JSON",
        "JSON Feed",
        "WebSub",
        "Fever",
        "Google Reader",
        "Miniflux",
        "API",
        "URL",
        "HTML",
        "OK",
    }
)

_WORD = re.compile(r"[^\W\d_]{2,}")
_TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
_EXPRESSION = re.compile(r"{{.*?}}", re.S)
_STATEMENT = re.compile(r"{%.*?%}|{#.*?#}", re.S)
_ADDRESS = re.compile(r"\b(?:https?://|mailto:)\S*|\S+@\S+\.\w+|\b\w+(?:\.[a-z]{2,})+\b")
_VISIBLE_ATTRS = frozenset({"title", "alt", "placeholder", "aria-label", "aria-description"})
_NOT_PROSE = frozenset({"code", "pre", "kbd", "samp", "script", "style"})


def is_prose(text: str) -> bool:
    """Words a reader would read: two letters or more that are not a kept name nor an address."""
    text = _ADDRESS.sub(" ", text)
    for name in sorted(KEEP, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text)
    return bool(_WORD.search(text))


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.depth = 0  # inside code samples, scripts, styles

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_PROSE:
            self.depth += 1
        kinds = dict(attrs)
        for name, value in attrs:
            visible = name in _VISIBLE_ATTRS or (
                name == "value" and kinds.get("type") in ("submit", "button", "reset")
            )
            if visible and value and is_prose(value):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_PROSE and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth and is_prose(data):
            self.found.append(data.strip())


def template_texts(source: str) -> list[str]:
    """The unmarked texts of one template."""
    found = _markup_texts(source)
    tree = Environment(extensions=["jinja2.ext.i18n"]).parse(source)
    for node in tree.find_all((nodes.Call, nodes.Filter, nodes.Assign, nodes.Output)):
        found.extend(_quoted_words(node))
    return found


def _markup_texts(source: str) -> list[str]:
    without = _STATEMENT.sub(" ", _EXPRESSION.sub("\x00", _TRANS_BLOCK.sub("\x00", source)))
    parser = _Texts()
    parser.feed(without)
    parser.close()
    return [text.replace("\x00", "…") for text in parser.found]


def _quoted_words(node: nodes.Node) -> Iterator[str]:
    values: list[nodes.Node]
    if isinstance(node, nodes.Call):
        if isinstance(node.node, nodes.Name) and node.node.name in ("_", "gettext", "ngettext"):
            return
        values = [*node.args, *(kw.value for kw in node.kwargs)]
    elif isinstance(node, nodes.Filter):
        values = [*node.args, *(kw.value for kw in node.kwargs)]
    elif isinstance(node, nodes.Assign):
        values = [node.node]
    elif isinstance(node, nodes.Output):
        values = [n for n in node.nodes if not isinstance(n, nodes.TemplateData)]
    else:
        return
    for value in values:
        if isinstance(value, nodes.Const) and isinstance(value.value, str):
            text = value.value
            if text[:1].isupper() and any(c.islower() for c in text) and is_prose(text):
                yield f'"{text}"'


def unmarked_in_templates() -> dict[str, list[str]]:
    """Each template's unmarked texts (templates with none are left out)."""
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        texts = template_texts(path.read_text(encoding="utf-8"))
        if texts:
            found[str(path.relative_to(TEMPLATES))] = texts
    return found


# --- Python ------------------------------------------------------------------------------------

_ERRORS = frozenset(
    name
    for name, value in vars(tidings.errors).items()
    if isinstance(value, type) and issubclass(value, tidings.errors.TidingsError)
)
_SINKS = _ERRORS | {
    "HTTPException",
    "ApiError",
    "BadParameter",
    "bad_request",
    "error",
    "fail",
    "print",
    "echo",
    "redirect_with_notice",
}
_MESSAGE_KEYWORDS = frozenset({"error", "notice", "message", "detail"})
# Records whose reason is stored as it was worded, as a fetch's or a parse's (docs/translating.md)
_STORED = frozenset({"ArticleOutcome"})
_LOGGERS = frozenset({"log", "logger", "logging"})
_MARKS = frozenset({"_", "gettext", "ngettext", "N_"})


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal_prose(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _literal_prose(node.left)
    else:
        return None
    return text if " " in text.strip() and is_prose(text) else None


def python_texts(source: str) -> list[str]:
    """The unmarked messages of one module, as "line: text"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        func = node.func
        if name in _STORED or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in _LOGGERS
        ):
            continue
        if name in _MARKS:
            if any(isinstance(a, ast.JoinedStr | ast.BinOp) for a in node.args):
                found.append(f"{node.lineno}: {name}() of a built text, not a literal")
            continue
        arguments = list(node.args) if name in _SINKS else []
        arguments += [kw.value for kw in node.keywords if kw.arg in _MESSAGE_KEYWORDS]
        for argument in arguments:
            text = _literal_prose(argument)
            if text is not None:
                found.append(f"{node.lineno}: {text.strip()}")
    return found


def unmarked_in_python() -> dict[str, list[str]]:
    """Each module's unmarked messages (modules with none are left out)."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        # a fetch's or a parse's error is the feed's stored reason, kept as it was worded
        if {"migrations", "fetch", "parse"} & set(path.relative_to(SOURCE).parts):
            continue
        texts = python_texts(path.read_text(encoding="utf-8"))
        if texts:
            found[str(path.relative_to(SOURCE))] = texts
    return found
