"""Query answers printed as a table (for people), JSON or CSV (for Excel and scripts)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import Literal, URIRef
from rdflib.term import Identifier

Format = TypingLiteral["table", "json", "csv"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv")


def plain(term: Identifier | None) -> Any:
    """A term as a JSON value: IRIs and strings as text, numbers and booleans as themselves, None for unbound."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool | int | float):
            return value
        return str(term)
    return str(term)


def _width(text: str) -> int:
    """Columns a text takes on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render(variables: Sequence[str], rows: Sequence[Sequence[Any]], fmt: Format) -> str:
    """Rows of plain values (see `plain`) in one of the formats.

    >>> print(render(["agency", "tasks"], [["区市场监管局", 3]], "table"))
    agency        tasks
    ------------  -----
    区市场监管局  3
    >>> render(["agency", "tasks"], [["区市场监管局", 3]], "json")
    '[{"agency": "区市场监管局", "tasks": 3}]'
    """
    if fmt == "json":
        return json.dumps([dict(zip(variables, row, strict=True)) for row in rows], ensure_ascii=False)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(variables)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return out.getvalue().rstrip("\n")
    cells = [[str(v) for v in variables]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(variables))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def short_iri(term: URIRef) -> str:
    """The readable tail of one of our IRIs, e.g. …/task/18b → 18b."""
    return str(term).rsplit("/", 1)[-1]
