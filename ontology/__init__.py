"""The dutygraph ontology and the agency-type scheme, shipped as package data.

Two Turtle files, the only place a dutygraph term is defined:

- ``dutygraph.ttl`` — the OWL ontology ``https://w3id.org/dutygraph/ns`` (prefix ``dg:``): plans, tasks,
  agencies and agency groups, the qualified ``dg:Assignment`` node (one agency's role on one task as one plan
  wrote it), deadlines, indicators, bodies (leading group / committee / office), jurisdictions, and the two
  small SKOS schemes of roles (``dg:RoleScheme``) and deadline kinds (``dg:DeadlineKindScheme``). It reuses
  org:, skos:, prov: and time: where they fit.
- ``agency-types.ttl`` — the SKOS concept scheme ``at:scheme`` of agency types (prefix ``at:``), one concept
  per kind of bureau (``at:market-regulation``, ``at:agriculture``, …), with every way the bureau's name is
  written after its jurisdiction prefix as ``skos:altLabel`` @zh, and a ``skos:broader`` hierarchy of
  grouping concepts (``at:law-enforcement``, ``at:party-organs``, ``at:food-safety-bodies``, ``at:group``).

Their terms reach Python as the closed namespaces ``DG`` and ``AGENCY_TYPE`` of
``dutygraph.ontology.namespace``, generated from these files by ``python -m
dutygraph.ontology.generate_namespace`` (``--check`` in CI).

>>> graph = load_ontology()
>>> from dutygraph.ontology.namespace import AGENCY_TYPE
>>> from rdflib import Literal
>>> from rdflib.namespace import SKOS
>>> Literal("农水局", lang="zh") in set(graph.objects(AGENCY_TYPE.agriculture, SKOS.altLabel))
True
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

__all__ = [
    "agency_type_keys",
    "agency_type_labels",
    "agency_type_names",
    "agency_types_path",
    "load_ontology",
    "ontology_path",
    "remits_path",
]

# Why the namespace module is imported inside functions: the generator (`python -m
# dutygraph.ontology.generate_namespace`) imports this package first, and must still run when namespace.py
# is stale, broken or missing — that is when it is needed.


def ontology_path() -> Traversable:
    """The OWL ontology file (``dutygraph.ttl``) inside the installed package.

    >>> ontology_path().name
    'dutygraph.ttl'
    """
    return files(__name__) / "dutygraph.ttl"


def agency_types_path() -> Traversable:
    """The agency-type SKOS scheme file (``agency-types.ttl``) inside the installed package.

    >>> agency_types_path().name
    'agency-types.ttl'
    """
    return files(__name__) / "agency-types.ttl"


def remits_path() -> Traversable:
    """The remits file (``remits.ttl``): which matters each kind of bureau covers.

    >>> remits_path().name
    'remits.ttl'
    """
    return files(__name__) / "remits.ttl"


@cache
def _ontology_graph() -> Graph:
    graph = Graph()
    for source in (ontology_path(), agency_types_path(), remits_path()):
        graph.parse(data=source.read_text(encoding="utf-8"), format="turtle")
    return graph


def load_ontology() -> Graph:
    """The ontology, the agency-type scheme and the remits in one new Graph (the parse is cached; the caller
    may change its copy freely).

    Raises ``rdflib`` parser errors only if a shipped file is broken (a test guards against that).

    >>> from dutygraph.ontology.namespace import DG
    >>> from rdflib.namespace import RDFS
    >>> graph = load_ontology()
    >>> (DG.leads, RDFS.subPropertyOf, DG.involvedIn) in graph
    True
    >>> graph.value(DG.hostedBy, RDFS.range) == DG.Agency  # 食安办设在市场监管局
    True
    """
    from dutygraph.ontology.namespace import AGENCY_TYPE, DG

    copy = Graph()  # rdflib binds org:, skos:, prov:, time: … by default; add ours
    copy.bind("dg", DG._NS)
    copy.bind("at", AGENCY_TYPE._NS)
    copy += _ontology_graph()
    return copy


def _grouping_concepts(graph: Graph) -> frozenset[URIRef]:
    """Concepts that something is ``skos:broader`` than: hierarchy only, never the type of a written name."""
    return frozenset(o for o in graph.objects(None, SKOS.broader) if isinstance(o, URIRef))


def _zh_labels(graph: Graph, concept: URIRef, predicate: URIRef) -> list[str]:
    return [
        str(label)
        for label in graph.objects(concept, predicate)
        if isinstance(label, Literal) and label.language == "zh"
    ]


@cache
def agency_type_labels() -> tuple[tuple[str, str], ...]:
    """Every (Chinese label, type key) pair of the agency types, longest label first.

    The labels are each concept's ``skos:prefLabel`` @zh and ``skos:altLabel`` @zh — the ways a bureau's
    name is written after its jurisdiction prefix. Grouping concepts (``at:law-enforcement`` …) name no
    bureau and are left out. Sorted by label length descending, then label, so the first label a written
    name ends with is the longest one: 区农水局 and 区农业农村和水利局 are agriculture, not water-resources.

    >>> written = "区农业农村和水利局"
    >>> next(key for label, key in agency_type_labels() if written.endswith(label))
    'agriculture'
    >>> dict(agency_type_labels())["食安办"]
    'food-safety-office'
    """
    from dutygraph.ontology.namespace import DG

    graph = _ontology_graph()
    grouping = _grouping_concepts(graph)
    pairs: set[tuple[str, str]] = set()
    for concept in graph.subjects(RDF.type, DG.AgencyType):
        if not isinstance(concept, URIRef) or concept in grouping:
            continue
        key = str(graph.value(concept, DG.typeKey))
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            pairs.update((label, key) for label in _zh_labels(graph, concept, predicate))
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0], pair[1])))


@cache
def _agency_type_names() -> tuple[tuple[str, str], ...]:
    from dutygraph.ontology.namespace import DG

    graph = _ontology_graph()
    names: list[tuple[str, str]] = []
    for concept in graph.subjects(RDF.type, DG.AgencyType):
        if not isinstance(concept, URIRef):
            continue
        for label in _zh_labels(graph, concept, SKOS.prefLabel):
            names.append((str(graph.value(concept, DG.typeKey)), label))
    return tuple(sorted(names))


def agency_type_names() -> dict[str, str]:
    """Type key → today's full Chinese name (``skos:prefLabel`` @zh), grouping concepts included.

    >>> agency_type_names()["market-regulation"]
    '市场监督管理局'
    >>> agency_type_names()["agriculture"]
    '农业农村局'
    """
    return dict(_agency_type_names())


@cache
def agency_type_keys() -> frozenset[str]:
    """Every agency-type key (``dg:typeKey``), grouping concepts and group types included.

    >>> {"market-regulation", "township-government", "law-enforcement"} <= agency_type_keys()
    True
    >>> "food-safety" in agency_type_keys()
    False
    """
    from dutygraph.ontology.namespace import DG

    graph = _ontology_graph()
    return frozenset(str(key) for key in graph.objects(None, DG.typeKey))
