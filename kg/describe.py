"""An entity's triples, for its IRI to dereference: what the plans assert about it and what reasoning infers.

`describe` answers like SPARQL DESCRIBE, with a rule that does not depend on the engine: every triple, in any
graph (plans, ontology, inferred), whose subject or object is the entity. An agency's description thus holds
its names, type and jurisdiction, the tasks it leads or assists (asserted and inferred), the assignments that
name it and the groups it belongs to. `serialized` writes it as Turtle, N-Triples or JSON-LD with our prefixes;
`page_path` says where a person reads the same entity (the pages' URL plan mirrors the IRIs).

>>> from dutygraph.kg.iris import agency_iri
>>> from dutygraph.kg.plan_views import _example_store
>>> from rdflib.namespace import SKOS
>>> graph = describe(_example_store(), agency_iri("331002", "market-regulation"))
>>> str(graph.value(agency_iri("331002", "market-regulation"), SKOS.prefLabel))
'台州市椒江区市场监督管理局'
>>> page_path(agency_iri("331002", "market-regulation"))
'/agency/331002/market-regulation'
"""

from __future__ import annotations

from typing import Literal as TypingLiteral
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.namespace import ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from dutygraph.errors import DutygraphError
from dutygraph.kg.iris import ID
from dutygraph.kg.query_library import graphs_to_read
from dutygraph.kg.stores import GraphStore
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

__all__ = [
    "RDF_MEDIA_TYPES",
    "EntityNotFound",
    "RdfMediaType",
    "asserted_in_plans",
    "describe",
    "entity_iri",
    "page_path",
    "serialized",
]

RdfMediaType = TypingLiteral["text/turtle", "application/n-triples", "application/ld+json"]
#: The RDF serialisations an entity is served in, by media type → rdflib's format name.
RDF_MEDIA_TYPES: dict[RdfMediaType, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}

_PREFIXES: dict[str, str] = {
    "dg": str(DG),
    "at": str(AGENCY_TYPE),
    "org": str(ORG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "time": str(TIME),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}

# Both directions, over whatever graphs the caller lets the query read. The entity is bound by the triple
# patterns (a CONSTRUCT parameter must be: see `checked_bindings`).
_DESCRIBE = """
CONSTRUCT { ?entity ?property ?value . ?other ?inverse ?entity }
WHERE { { ?entity ?property ?value } UNION { ?other ?inverse ?entity } }
"""
_MENTIONED = "ASK { { ?entity ?property ?value } UNION { ?other ?inverse ?entity } }"

# Parts of a plan that have no page of their own: a task's parts are read on the task's page, the others on
# the plan's.
_TASK_PARTS = frozenset({"assignment", "deadline", "indicator"})
_PLAN_PARTS = frozenset({"body", "duty", "milestone", "office"})


class EntityNotFound(DutygraphError):
    """No graph of the store says anything about the IRI."""


def entity_iri(path: str) -> URIRef:
    """The IRI a request path under ``/id/`` names: https://w3id.org/dutygraph/id/ + the path, each segment
    percent-encoded as `dutygraph.kg.iris` mints them (a server hands the path over decoded).

    >>> entity_iri("plan/jiaojiang-2020-reform-tasks/task/18b")
    rdflib.term.URIRef('https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/task/18b')

    :raises EntityNotFound: an empty path, or one with an empty segment (no IRI is minted so).
    """
    segments = path.split("/")
    if not path or any(not segment for segment in segments):
        raise EntityNotFound(f"no entity is named {ID}{path}")
    return URIRef(ID + "/".join(quote(segment, safe="") for segment in segments))


def describe(store: GraphStore, entity: URIRef, *, inferred: bool = True) -> Graph:
    """Every triple whose subject or object is `entity`: in the plans, the ontology and (with `inferred`) what
    reasoning infers. Prefixes are bound for serialising.

    :raises EntityNotFound: no such triple (the store does not know the IRI).
    :raises StoreError: the store cannot be read.
    """
    graphs = graphs_to_read(store, inferred=inferred)
    result = store.query(_DESCRIBE, bindings={"entity": entity}, graphs=graphs)
    found = result.graph if result.graph is not None else Graph()
    if len(found) == 0:
        raise EntityNotFound(f"the store says nothing about {entity}")
    description = Graph()
    for prefix, namespace in _PREFIXES.items():
        description.bind(prefix, namespace)
    for triple in found:
        description.add(triple)
    return description


def asserted_in_plans(store: GraphStore, entity: URIRef) -> bool:
    """Whether a plan says something about `entity` (an agency a plan names); false when only reasoning does
    (天台县市场监督管理局: no plan of 天台县 names it, its remit implies it).

    >>> from dutygraph.kg.iris import agency_iri
    >>> from dutygraph.kg.plan_views import _example_store
    >>> [asserted_in_plans(_example_store(), agency_iri(code, "market-regulation")) for code in ("331002", "331023")]
    [True, False]
    """
    graphs = graphs_to_read(store, inferred=False)
    return bool(store.query(_MENTIONED, bindings={"entity": entity}, graphs=graphs).boolean)


def page_path(entity: URIRef) -> str | None:
    """Where a person reads about `entity` on the server: an agency's, group's, plan's or task's own page; a
    task's deadline, indicator or assignment on the task's page; another part of a plan on the plan's page.
    None for what has no page (a jurisdiction).

    >>> page_path(URIRef("https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/deadline/18b/1"))
    '/plan/jiaojiang-2020-reform-tasks/task/18b'
    >>> page_path(URIRef("https://w3id.org/dutygraph/id/jurisdiction/331002")) is None
    True
    """
    text = str(entity)
    if not text.startswith(ID):
        return None
    segments = text.removeprefix(ID).split("/")
    match segments:
        case ["agency" | "group" as kind, code, key] if code and key:
            return f"/{kind}/{code}/{key}"
        case ["plan", plan_id] if plan_id:
            return f"/plan/{plan_id}"
        case ["plan", plan_id, "task", key, *_] if plan_id and key:
            return f"/plan/{plan_id}/task/{key}"  # the task, or a statement reasoning makes about it
        case ["plan", plan_id, part, "plan", *_] if plan_id and part in _TASK_PARTS:
            return f"/plan/{plan_id}"  # a plan-wide indicator
        case ["plan", plan_id, part, key, *_] if plan_id and key and part in _TASK_PARTS:
            return f"/plan/{plan_id}/task/{key}"
        case ["plan", plan_id, part, *_] if plan_id and part in _PLAN_PARTS:
            return f"/plan/{plan_id}"
    return None


def serialized(graph: Graph, *, media_type: RdfMediaType) -> bytes:
    """`graph` as `media_type` (a key of `RDF_MEDIA_TYPES`), UTF-8; JSON-LD compacted with our prefixes.

    >>> from rdflib import Literal
    >>> from dutygraph.kg.iris import agency_iri
    >>> graph = Graph()
    >>> _ = graph.add((agency_iri("331002", "agriculture"), SKOS.prefLabel, Literal("台州市椒江区农业农村局", lang="zh")))
    >>> print(serialized(graph, media_type="application/n-triples").decode().strip())
    <https://w3id.org/dutygraph/id/agency/331002/agriculture> <http://www.w3.org/2004/02/skos/core#prefLabel> "台州市椒江区农业农村局"@zh .
    """
    rdf_format = RDF_MEDIA_TYPES[media_type]
    if rdf_format == "json-ld":
        text = graph.serialize(format="json-ld", context=dict(_PREFIXES), auto_compact=True, indent=2)
    else:
        text = graph.serialize(format=rdf_format)
    return text.encode("utf-8")
