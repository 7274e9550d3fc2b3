"""Reasoning: what the plans imply, computed into its own graph (`kg.iris.INFERRED_GRAPH`), never into theirs.

What is inferred, from the axioms of `ontology/dutygraph.ttl` and two bridging rules (`kg/rules/*.rq`):

1. every lead / assist / responsible role implies dg:involvedIn, and each role has its inverse on the task
   (dg:ledBy, dg:assistedBy, dg:hasResponsible, dg:involves);
2. a group (食安委成员单位, 各有关部门) has as members the agencies of its jurisdiction's leading group or
   committee, and a township or county group (各乡镇（街道）, 各县（市、区）食安办) the units of its member type
   in the divisions below (bridging rules); a member takes the group's role (``(dg:memberOf dg:leads) ⊑
   dg:leads`` …);
3. the bureau an office sits in (食安办设在市场监管局) takes part in the office's tasks;
4. jurisdictions nest transitively (dg:withinJurisdiction);
5. agency types inherit up the scheme (a public-security bureau is also of type law-enforcement);
6. seeds — triples computed elsewhere, such as the bureaus `kg.remits` implies for tasks that name none —
   join the closure, so their inverses are inferred too, and are kept with their explanation nodes.

Two modes compute the same closure. ``"owlrl"`` is the reference: owlrl's OWL 2 RL closure on a copy,
alternated with the bridging rules (rdflib SPARQL) until nothing new appears. ``"rules"`` (the default) runs
the OWL 2 RL rules instantiated from the ontology's axioms (`dutygraph.kg.reasoning.rules`) and the bridging
rules as SPARQL updates on an in-memory pyoxigraph store, to a fixed point: on the five bundled plans 0.5 s
against owlrl's 10 s, at 100 000 triples 3 s against minutes (`bench/reasoning.py`). A test holds the two to
identical results. ``"none"`` removes the inferred graph.

**What the inferred graph keeps.** owlrl derives much that says nothing about the plans: ``owl:Thing`` and
datatype types, reflexive ``owl:sameAs``, schema triples (``p rdfs:subPropertyOf p``), the type of every
node. The inferred graph keeps only *relation triples* — those whose predicate is an owl:ObjectProperty of
the dg namespace (dg:memberOf, dg:hosts and dg:agencyType among them) or org:hasMember — that no plan or the
ontology asserts, plus the seeds (all their triples, explanation nodes included) less what is asserted. So
the inferred graph never repeats a triple of a plan graph, and queries choose "asserted" or "with inferred"
by the graphs they read (`kg.query_library.graphs_to_read`). Types are derived by the rules engine only
because bridging rules test them.

>>> from rdflib import Graph, URIRef
>>> from dutygraph.ontology.namespace import DG
>>> bureau = URIRef("https://w3id.org/dutygraph/id/agency/331002/market-regulation")  # 区市场监管局
>>> task = URIRef("https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/task/07")
>>> plan = Graph().add((bureau, DG.leads, task))
>>> inferred = inferred_graph(plan, mode="rules")
>>> sorted(str(p).rsplit("#")[-1] for _, p, _ in inferred)
['involvedIn', 'involves', 'ledBy']
>>> inferred_graph(plan, mode="owl")
Traceback (most recent call last):
dutygraph.errors.ConfigError: unknown reasoning mode 'owl'; choose one of: none, owlrl, rules
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import itertools
import tempfile
import time
import typing
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import OWL, RDFS
from rdflib.term import Node

from dutygraph.errors import ConfigError
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, is_plan_graph
from dutygraph.kg.reasoning.rules import bridging_rules, ontology_rules, relation_predicates
from dutygraph.kg.stores import GraphStore
from dutygraph.kg.stores.base import Triples
from dutygraph.ontology import load_ontology
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

__all__ = ["REASONING_MODES", "InferenceReport", "Reasoning", "checked_mode", "infer", "inferred_graph"]

Reasoning = Literal["none", "owlrl", "rules"]

#: Above this many quads in the store, the rules engine works in a temporary RocksDB store on disk instead of
#: in memory. Measured: in memory it holds ~0.5 GB per million triples; on disk the store's memory is flat, but
#: each rule's SPARQL update is one RocksDB transaction held in memory, so at ten million triples it reached
#: 5.8 GB and was slower — in memory is the better choice up to about this size.
IN_MEMORY_LIMIT = 12_000_000
#: The modes, in the order the CLI lists them.
REASONING_MODES: tuple[Reasoning, ...] = typing.get_args(Reasoning)


@dataclass(frozen=True)
class InferenceReport:
    """What one `infer` did: the mode, the triples it read (plans + ontology) and wrote, how long it took, and
    how many rounds (rules: passes over the rules, the last adding nothing; owlrl: owlrl closures)."""

    mode: Reasoning
    asserted_triples: int
    inferred_triples: int
    seconds: float
    rounds: int


def checked_mode(mode: object) -> Reasoning:
    """`mode` if it names a reasoning mode.

    >>> checked_mode("rules")
    'rules'

    :raises ConfigError: otherwise, listing the modes.
    """
    for known in REASONING_MODES:
        if mode == known:
            return known
    raise ConfigError(f"unknown reasoning mode {mode!r}; choose one of: {', '.join(REASONING_MODES)}")


def infer(
    store: GraphStore, *, mode: Reasoning = "rules", seeds: Iterable[Graph] | None = None
) -> InferenceReport:
    """Compute what the store's plans imply and replace the inferred graph with it, in one atomic step.

    `seeds` are conclusions of other steps that join the closure; by default (None) the implied agencies of
    tasks that name none (`kg.remits.implied_graph`), as `dutygraph build` has them; ``()`` for none.

    Reads the plan graphs and the ontology graph (never writes them). Mode ``"none"`` removes the inferred
    graph. Running it again on the same store changes nothing.

    >>> from dutygraph.kg.build import build
    >>> from dutygraph.kg.stores import open_store
    >>> from dutygraph.loaders.bundled import bundled_plans
    >>> with open_store("memory") as store:
    ...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("jiaojiang")])
    ...     report = infer(store)
    ...     report.mode, report.inferred_triples == store.count(graph=INFERRED_GRAPH) > 0
    ('rules', True)

    :raises ConfigError: `mode` is not a reasoning mode (before anything is read).
    :raises DutygraphError: the ontology uses an axiom the rules engine does not translate (mode "rules").
    :raises StoreError: the store cannot be read or written.
    """
    mode = checked_mode(mode)
    started = time.perf_counter()
    names = store.graph_names()
    plans = sorted(name for name in names if is_plan_graph(name))
    # The store's own ontology graph: the bundled file's blank nodes (property chains) are other nodes there.
    ontology = store.graph(ONTOLOGY_GRAPH) if ONTOLOGY_GRAPH in names else load_ontology()
    if seeds is None:
        from dutygraph.kg.remits import implied_graph  # remits read the store; reasoning does not need them

        seeds = [implied_graph(store)]
    inferred: Triples
    if mode == "rules":
        # The plans reach the engine as N-Triples that oxigraph writes and parses: no rdflib copy of the store.
        inferred, rounds, read = _infer_from_store(store, plans, ontology=ontology, seeds=seeds)
    else:
        asserted = Graph()
        for name in plans:
            asserted += store.graph(name)
        inferred, rounds, read = _infer(asserted, ontology=ontology, mode=mode, seeds=seeds)
    store.replace_graphs({INFERRED_GRAPH: inferred})
    return InferenceReport(mode, read, len(inferred), time.perf_counter() - started, rounds)


def inferred_graph(asserted: Graph, *, mode: Reasoning, seeds: Iterable[Graph] = ()) -> Graph:
    """What `infer` would write to the inferred graph for these asserted triples: derived relation triples and
    seeds, less what `asserted` and the ontology hold. The bundled ontology is always added; `asserted` may
    hold it already (as the union of a store's graphs does), its axioms then count once.

    :raises ConfigError: `mode` is not a reasoning mode.
    :raises DutygraphError: the ontology uses an axiom the rules engine does not translate (mode "rules").
    """
    return _infer(asserted, ontology=load_ontology(), mode=checked_mode(mode), seeds=seeds)[0]


def _infer(
    asserted: Graph, *, ontology: Graph, mode: Reasoning, seeds: Iterable[Graph]
) -> tuple[Graph, int, int]:
    """The inferred graph, the rounds it took, and the number of asserted triples read."""
    seed = _union(seeds)
    inferred = _inferred_graph()
    read = len(asserted) + sum(1 for triple in ontology if triple not in asserted)
    if mode == "none":
        return inferred, 0, read
    schema = _schema((asserted, ontology, seed))
    keep = relation_predicates(schema)
    if mode == "owlrl":
        from dutygraph.kg.reasoning.reference import closure_with_owlrl

        closed, rounds = closure_with_owlrl((asserted, ontology, seed), bridging_rules(), keep=keep)
        derived: Collection[tuple[Node, Node, Node]] = [
            triple for triple in closed if triple not in asserted and triple not in ontology
        ]
    else:
        from dutygraph.kg.reasoning.engine import run_rules

        # What the engine adds is new to its inputs: no check against the asserted triples needed.
        derived, rounds = run_rules(
            (asserted, ontology, seed), ontology_rules(schema) + bridging_rules(), keep=keep
        )
    for triple in derived:
        inferred.add(triple)
    for triple in seed:
        if triple not in asserted and triple not in ontology:
            inferred.add(triple)
    return inferred, rounds, read


def _infer_from_store(
    store: GraphStore, plans: Sequence[URIRef], *, ontology: Graph, seeds: Iterable[Graph]
) -> tuple[frozenset[tuple[Node, Node, Node]], int, int]:
    """As `_infer` in mode "rules", the asserted triples being the store's plan graphs, read as N-Triples;
    the inferred triples as a set (a store takes one, and at ten million asserted triples the inferred ones
    would take gigabytes as an rdflib Graph)."""
    from dutygraph.kg.reasoning.engine import close_over

    seed = _union(seeds)
    schema = _schema((_plan_axioms(store, plans), ontology, seed))
    with contextlib.ExitStack() as scratch:
        on_disk = None
        if store.count() > IN_MEMORY_LIMIT:
            on_disk = Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="dutygraph-reasoning-")))
        closure = close_over(
            (),
            ontology_rules(schema) + bridging_rules(),
            keep=relation_predicates(schema),
            dumps=itertools.chain(
                (ontology.serialize(format="nt", encoding="utf-8"),), _prefetched(store.ntriples, plans)
            ),
            seeds=seed,
            on_disk=on_disk,
        )
    return frozenset(itertools.chain(closure.added, closure.new_seeds)), closure.rounds, closure.given


def _prefetched(dump: Callable[[URIRef], bytes], plans: Sequence[URIRef], ahead: int = 8) -> Iterator[bytes]:
    """`dump(plan)` for each plan, in order, made by a thread up to `ahead` plans before they are used: oxigraph
    writes one graph's N-Triples while the engine parses the last (both release the GIL)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pending: collections.deque[concurrent.futures.Future[bytes]] = collections.deque()
        for plan in plans:
            pending.append(pool.submit(dump, plan))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _plan_axioms(store: GraphStore, plans: Sequence[URIRef]) -> Graph:
    """The axioms written in plan graphs (none in ours; `check_translatable` must see any that are)."""
    if not plans:
        return Graph()
    predicates = " ".join(predicate.n3() for predicate in _SCHEMA_PREDICATES)
    kinds = " ".join(kind.n3() for kind in _SCHEMA_TYPES)
    axioms = (
        "CONSTRUCT { ?s ?p ?o } WHERE {"
        f" {{ VALUES ?p {{ {predicates} }} ?s ?p ?o }}"
        f" UNION {{ VALUES ?o {{ {kinds} }} ?s a ?o BIND({RDF.type.n3()} AS ?p) }} }}"
    )
    found = store.query(axioms, graphs=plans).graph
    return found if found is not None else Graph()


def _union(graphs: Iterable[Graph]) -> Graph:
    union = Graph()
    for graph in graphs:
        union += graph
    return union


def _inferred_graph() -> Graph:
    inferred = Graph()
    inferred.bind("dg", DG._NS)
    inferred.bind("at", AGENCY_TYPE._NS)
    return inferred


# The triples axioms are made of; everything else is data. Untranslated axioms are collected too, so that
# `check_translatable` sees them wherever they are written (owl:sameAs in a plan included).
_SCHEMA_PREDICATES = (
    RDFS.subPropertyOf,
    RDFS.subClassOf,
    RDFS.domain,
    RDFS.range,
    OWL.inverseOf,
    OWL.equivalentProperty,
    OWL.equivalentClass,
    OWL.propertyChainAxiom,
    OWL.hasKey,
    OWL.sameAs,
    OWL.hasValue,
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.intersectionOf,
    OWL.oneOf,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.sourceIndividual,
    RDF.first,
    RDF.rest,
)
_SCHEMA_TYPES = (
    OWL.ObjectProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
)


def _schema(graphs: Iterable[Graph]) -> Graph:
    """The axioms of `graphs` (the ontology's, and any a plan or seed writes), apart from their data."""
    schema = Graph()
    for graph in graphs:
        for predicate in _SCHEMA_PREDICATES:
            for triple in graph.triples((None, predicate, None)):
                schema.add(triple)
        for kind in _SCHEMA_TYPES:
            for subject in graph.subjects(RDF.type, kind):
                schema.add((subject, RDF.type, kind))
    return schema
