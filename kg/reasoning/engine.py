"""The fast engine: the rules as SPARQL updates, run to a fixed point on an in-memory pyoxigraph store.

Only triples some rule reads, or whose predicate is kept, are loaded (labels and texts cannot take part).
Each round runs the rules whose body reads a predicate that gained triples in the round before (all rules in
the first round); a round that adds nothing ends the run. pyoxigraph is imported here only, when it runs.

>>> from rdflib import Graph, URIRef, Variable
>>> from dutygraph.ontology.namespace import DG
>>> x, y = Variable("x"), Variable("y")
>>> rule = Rule("prp-spo1", "dg:leads rdfs:subPropertyOf dg:involvedIn", (x, DG.involvedIn, y), ((x, DG.leads, y),))
>>> bureau, task = URIRef("urn:example:bureau"), URIRef("urn:example:task")
>>> added, rounds = run_rules([Graph().add((bureau, DG.leads, task))], [rule], keep=frozenset({DG.involvedIn, DG.leads}))
>>> added == {(bureau, DG.involvedIn, task)}, rounds
(True, 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.term import Node

from dutygraph.kg.reasoning.rules import Rule, needed_rules

if TYPE_CHECKING:
    import pyoxigraph as ox

_PREDICATE_COUNTS = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
_GIVEN = "<urn:dutygraph:reasoning:given>"
_BULK_BYTES = 256 * 1024 * 1024  # N-Triples per bulk load on disk: ~1M triples


def run_rules(
    graphs: Iterable[Graph], rules: Sequence[Rule], *, keep: frozenset[URIRef]
) -> tuple[set[tuple[Node, URIRef, Node]], int]:
    """The triples with a predicate in `keep` that `rules`, run to a fixed point over `graphs`, add to them,
    and the number of rounds it took (the last one adds nothing).
    """
    closure = close_over(graphs, rules, keep=keep)
    return closure.added, closure.rounds


@dataclass(frozen=True)
class Closure:
    """What `close_over` found: the kept triples the rules added, the seed triples not already given, the
    rounds, and the distinct triples given (graphs and dumps)."""

    added: set[tuple[Node, URIRef, Node]]
    new_seeds: set[tuple[Node, Node, Node]]
    rounds: int
    given: int


def close_over(
    graphs: Iterable[Graph],
    rules: Sequence[Rule],
    *,
    keep: frozenset[URIRef],
    dumps: Iterable[bytes] = (),
    seeds: Graph | None = None,
    on_disk: Path | None = None,
) -> Closure:
    """Run `rules` to a fixed point over `graphs` (rdflib, only the triples a rule reads loaded), `dumps`
    (N-Triples, as a store writes its graphs, parsed by oxigraph without passing through rdflib) and `seeds`.

    Seeds join the closure like any input; `Closure.new_seeds` are those not among the given triples. With
    `on_disk` (an empty folder) the engine's store is a RocksDB one there instead of one in memory: slower; the
    data no longer needs memory, but each rule's update is still one transaction held in memory.
    """
    import pyoxigraph as ox

    rules = needed_rules(rules, keep)
    reads: set[object] = set(keep)
    for rule in rules:
        reads |= rule.reads
    load_all = any(isinstance(p, Variable) for p in reads)
    store = ox.Store() if on_disk is None else ox.Store(str(on_disk))
    for graph in graphs:
        store.extend(_quads(graph, None if load_all else reads))
    if on_disk is None:
        for data in dumps:
            store.load(data, format=ox.RdfFormat.N_TRIPLES)
    else:
        # The bulk loader writes a set of RocksDB files per call: one call per plan would leave thousands of
        # small files to merge. N-Triples documents concatenate, so the dumps go in large batches.
        for batch in _batches(dumps, _BULK_BYTES):
            store.bulk_load(batch, format=ox.RdfFormat.N_TRIPLES)
    given_count = len(store)
    new_seeds: set[tuple[Node, Node, Node]] = set()
    if seeds is not None:
        new_seeds = {triple for triple in seeds if ox.Quad(*(_ox(term) for term in triple)) not in store}
        store.extend(_quads(seeds, None))
    # The kept triples given, set aside in a graph of their own (the rules read and write the default graph):
    # what is not among them at the end is what the rules added.
    kept = " ".join(f"<{predicate}>" for predicate in sorted(keep))
    store.update(f"INSERT {{ GRAPH {_GIVEN} {{ ?s ?p ?o }} }} WHERE {{ VALUES ?p {{ {kept} }} ?s ?p ?o }}")
    counts = _predicate_counts(store)
    changed: set[str] | None = None  # None: run every rule
    rounds = 0
    while changed is None or changed:
        rounds += 1
        for rule in rules:
            if changed is None or any(isinstance(p, Variable) or str(p) in changed for p in rule.reads):
                store.update(rule.insert())
        before, counts = counts, _predicate_counts(store)
        changed = {p for p, n in counts.items() if before.get(p) != n}
    added: set[tuple[Node, URIRef, Node]] = set()
    iris: dict[str, URIRef] = {}  # a few thousand nodes recur in a hundred thousand triples
    new = cast(
        "ox.QuerySolutions",
        store.query(
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {kept} }} ?s ?p ?o "
            f"FILTER NOT EXISTS {{ GRAPH {_GIVEN} {{ ?s ?p ?o }} }} }}"
        ),
    )
    for subject, predicate, obj in new:
        iri = _rdf(predicate, iris)
        assert isinstance(iri, URIRef)  # a predicate is an IRI
        added.add((_rdf(subject, iris), iri, _rdf(obj, iris)))
    return Closure(added, new_seeds, rounds, given_count)


def _batches(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """`chunks` joined into pieces of at least `size` bytes (the last may be smaller)."""
    pending: list[bytes] = []
    held = 0
    for chunk in chunks:
        pending.append(chunk if chunk.endswith(b"\n") or not chunk else chunk + b"\n")
        held += len(chunk)
        if held >= size:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)


def _predicate_counts(store: ox.Store) -> dict[str, int]:
    solutions = cast("ox.QuerySolutions", store.query(_PREDICATE_COUNTS))  # a SELECT answers with solutions
    return {row["p"].value: int(row["n"].value) for row in solutions}


def _quads(graph: Graph, predicates: set[object] | None) -> Iterator[ox.Quad]:
    import pyoxigraph as ox

    for subject, predicate, obj in graph:
        if predicates is None or predicate in predicates:
            yield ox.Quad(_ox(subject), _ox(predicate), _ox(obj))


def _ox(term: Node) -> Any:
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, BNode):
        return ox.BlankNode(term)
    if isinstance(term, Literal):
        if term.language is not None:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _rdf(term: Any, iris: dict[str, URIRef]) -> URIRef | BNode | Literal:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        iri = iris.get(term.value)
        if iri is None:
            iri = iris[term.value] = URIRef(term.value)
        return iri
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language is not None:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
