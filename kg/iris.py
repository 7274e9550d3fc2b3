"""The one place IRIs of instance data and named graphs are minted.

Identity rules (see README "Identity"):
- a jurisdiction is its GB/T 2260 code;
- an agency is jurisdiction + agency type, so every way of writing one bureau gives one IRI;
- a group wording (各乡镇（街道）, 各有关部门) is a group node of its jurisdiction and group type;
- a task is its plan + its printed number, stable across rebuilds.

>>> str(jurisdiction_iri("331002"))
'https://w3id.org/dutygraph/id/jurisdiction/331002'
>>> str(agency_iri("331002", "agriculture"))
'https://w3id.org/dutygraph/id/agency/331002/agriculture'
>>> str(task_iri("jiaojiang-2020-reform-tasks", "18b"))
'https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/task/18b'
>>> str(plan_graph_iri("jiaojiang-2020-reform-tasks"))
'https://w3id.org/dutygraph/graph/plan/jiaojiang-2020-reform-tasks'
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from rdflib import URIRef

BASE = "https://w3id.org/dutygraph/"
ID = BASE + "id/"

#: The ontology and the agency-type scheme live in this graph.
ONTOLOGY_GRAPH = URIRef(BASE + "graph/ontology")
#: What reasoning infers goes here, never into a plan's graph.
INFERRED_GRAPH = URIRef(BASE + "graph/inferred")
_PLAN_GRAPH_PREFIX = BASE + "graph/plan/"

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _segment(value: str) -> str:
    """Percent-encode a path segment; plain ids stay readable."""
    return value if _SAFE_ID.match(value) else quote(value, safe="")


def short_hash(text: str) -> str:
    """A short stable digest for names that have no code of their own.

    >>> short_hash("蓟州北站")
    'c7c1cef6'
    """
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def plan_id_from_stem(stem: str) -> str:
    """A plan's id is its file stem (what users name and see), made IRI-safe."""
    return _segment(stem)


def plan_iri(plan_id: str) -> URIRef:
    return URIRef(f"{ID}plan/{_segment(plan_id)}")


def plan_graph_iri(plan_id: str) -> URIRef:
    """The named graph holding everything one plan asserts."""
    return URIRef(f"{_PLAN_GRAPH_PREFIX}{_segment(plan_id)}")


def is_plan_graph(graph: str) -> bool:
    return str(graph).startswith(_PLAN_GRAPH_PREFIX)


def task_iri(plan_id: str, task_key: str) -> URIRef:
    return URIRef(f"{ID}plan/{_segment(plan_id)}/task/{_segment(task_key)}")


def jurisdiction_iri(code: str) -> URIRef:
    return URIRef(f"{ID}jurisdiction/{_segment(code)}")


def agency_iri(jurisdiction_code: str, type_key: str, *, name: str | None = None) -> URIRef:
    """An agency: jurisdiction + type; `name` only separates agencies of type `other`."""
    local = type_key if name is None else f"{type_key}-{short_hash(name)}"
    return URIRef(f"{ID}agency/{_segment(jurisdiction_code)}/{_segment(local)}")


def group_iri(jurisdiction_code: str, group_type: str) -> URIRef:
    return URIRef(f"{ID}group/{_segment(jurisdiction_code)}/{_segment(group_type)}")


def body_iri(plan_id: str, index: int) -> URIRef:
    return URIRef(f"{ID}plan/{_segment(plan_id)}/body/{index}")


def node_iri(plan_id: str, kind: str, *parts: str | int) -> URIRef:
    """IRIs of a plan's own parts (assignments, deadlines, indicators, duties, milestones)."""
    tail = "/".join(_segment(str(p)) for p in parts)
    return URIRef(f"{ID}plan/{_segment(plan_id)}/{kind}/{tail}")
