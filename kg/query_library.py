"""Named SPARQL queries from `queries/*.rq`, with their headers, run on a store with bound parameters.

>>> query = named_query("stats")
>>> query.title
'图谱统计 / Graph statistics'
>>> query.parameters
()
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, is_plan_graph
from dutygraph.kg.stores import GraphStore, QueryResult

_HEADER_LINE = re.compile(r"^#\s*(?P<key>[a-z-]+)\s*:\s*(?P<value>.*)$")
_PARAMETER = re.compile(r"^#\s+-\s*(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<doc>.+)$")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    answers: str
    reads: str
    parameters: tuple[str, ...]
    text: str


def _parse(name: str, text: str) -> NamedQuery:
    header: dict[str, str] = {}
    parameters: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _PARAMETER.match(line):
            parameters.append(match["name"])
        elif match := _HEADER_LINE.match(line):
            header[match["key"]] = match["value"].strip()
    missing = [k for k in ("title", "answers", "parameters", "reads") if k not in header]
    if missing:
        raise DutygraphError(f"queries/{name}.rq: header lacks {', '.join(missing)}")
    return NamedQuery(name, header["title"], header["answers"], header["reads"], tuple(parameters), text)


@functools.cache
def query_names() -> tuple[str, ...]:
    """Every query in the library, by name."""
    folder = importlib.resources.files("dutygraph.queries")
    return tuple(sorted(p.name.removesuffix(".rq") for p in folder.iterdir() if p.name.endswith(".rq")))


@functools.cache
def named_query(name: str) -> NamedQuery:
    """The query called `name` (its file name without .rq).

    :raises DutygraphError: no such query (the message lists the known names), or its header is incomplete.
    """
    if name not in query_names():
        raise DutygraphError(f"no query named {name!r}; known: {', '.join(query_names())}")
    resource = importlib.resources.files("dutygraph.queries") / f"{name}.rq"
    return _parse(name, resource.read_text(encoding="utf-8"))


def run_named(
    store: GraphStore, name: str, *, bindings: Mapping[str, Identifier] | None = None
) -> QueryResult:
    """Run a library query; `bindings` must name exactly the parameters its header declares."""
    query = named_query(name)
    given = set(bindings or {})
    if given - set(query.parameters):
        raise DutygraphError(
            f"query {name!r} takes no parameter {', '.join(sorted(given - set(query.parameters)))}"
        )
    return store.query(query.text, bindings=bindings)


def graphs_to_read(store: GraphStore, *, inferred: bool) -> list[URIRef]:
    """The graphs a query reads: what the plans assert (+ the ontology), and with `inferred` the inferred graph.

    Choosing by graph, never by filtering mixed triples, keeps documents and inferences apart.
    """
    names = store.graph_names()
    chosen = sorted(g for g in names if is_plan_graph(g) or g == ONTOLOGY_GRAPH)
    if inferred and INFERRED_GRAPH in names:
        chosen.append(INFERRED_GRAPH)
    return chosen
