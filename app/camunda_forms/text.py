"""Plain-text reading of a ``text`` component's Markdown and ``{{ var }}`` templating.

form-js renders Markdown (and sanitised HTML). We never emit the designer's markup: Markdown
is reduced to headings, paragraphs and list items of plain text, which the Jinja macro escapes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = ["TextBlock", "fill_template", "text_blocks"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
_SECTION = re.compile(r"\{\{[#/][^}]*\}\}")
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image → its alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # link → its text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italic
    (re.compile(r"`([^`]*)`"), r"\1"),  # code
    (re.compile(r"<[^>]*>"), ""),  # inline HTML tags are dropped, their text kept
]


class TextBlock(NamedTuple):
    """One block of plain text.

    :ivar kind: ``"heading"``, ``"paragraph"`` or ``"list"``.
    :ivar text: plain text, still to be HTML-escaped by the template (empty for a list).
    :ivar level: heading level 1–6 (0 for other kinds).
    :ivar items: a list's items, plain text.
    """

    kind: str
    text: str
    level: int = 0
    items: tuple[str, ...] = ()


def fill_template(text: str, context: Mapping[str, Any]) -> str:
    """Replace ``{{name}}`` / ``{{a.b}}`` with context values; drop loop/section markers.

    :param text: the designer's text.
    :param context: workflow data; a missing name becomes an empty string.
    """
    from .values import get_path

    def replace(match: re.Match) -> str:
        value = get_path(context, match.group(1))
        return "" if value is None else str(value)

    return _SECTION.sub("", _PLACEHOLDER.sub(replace, text))


def text_blocks(text: str, context: Mapping[str, Any]) -> list[TextBlock]:
    """Split Markdown-ish ``text`` into plain :class:`TextBlock` s, then fill ``{{ var }}`` in each.

    Blank lines end paragraphs; ``#`` lines are headings; consecutive ``-``, ``*`` or ``1.`` lines
    form one list; inline emphasis, links and tags are reduced to their text.
    """
    blocks: list[TextBlock] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(TextBlock("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for line in _SECTION.sub("", text).splitlines():
        stripped = line.strip()
        heading, item = _HEADING.match(stripped), _ITEM.match(line)
        if not stripped or heading or item:
            flush()
        if heading:
            blocks.append(TextBlock("heading", _plain(heading.group(2)), len(heading.group(1))))
        elif item and blocks and blocks[-1].kind == "list":
            blocks[-1] = blocks[-1]._replace(items=blocks[-1].items + (_plain(item.group(1)),))
        elif item:
            blocks.append(TextBlock("list", "", items=(_plain(item.group(1)),)))
        elif stripped:
            paragraph.append(_plain(stripped))
    flush()
    return [
        block._replace(text=fill_template(block.text, context),
                       items=tuple(fill_template(entry, context) for entry in block.items))
        for block in blocks
    ]


def _plain(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text.strip()
