"""The in-process store: an rdflib `Dataset`, for tests, small runs and as the reference engine.

Nothing is kept on disk. A lock makes each call atomic with respect to the others: `replace_graphs`
first copies and checks every new graph outside the lock (where a failure leaves the store untouched),
then swaps them in under it, and readers take the same lock, so a reader sees the old or the new state.

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDFS
>>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
>>> plan = Graph()
>>> _ = plan.add((agency_iri("331002", "health"), RDFS.label, Literal("区卫生健康局", lang="zh")))
>>> with MemoryStore() as store:
...     store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
...     sorted(store.graph_names())
[rdflib.term.URIRef('https://w3id.org/dutygraph/graph/plan/jiaojiang-2020-reform-tasks')]
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier

from dutygraph.errors import StoreError
from dutygraph.kg.stores.base import (
    GraphStore,
    QueryResult,
    Triples,
    checked_bindings,
    checked_graph_names,
    checked_iri,
    checked_replacement,
    prepared_query,
    stored_literal,
    stored_triples,
)

_Triple = tuple[URIRef | BNode, URIRef, Identifier]


class MemoryStore(GraphStore):
    """Named graphs in an rdflib `Dataset` whose default graph is the union of all of them.

    `path` is accepted for a uniform `open_store` call and ignored; `read_only` refuses writes.
    """

    backend = "memory"

    def __init__(self, *, path: Path | None = None, read_only: bool = False) -> None:
        super().__init__(path=None, read_only=read_only)
        self._dataset: Dataset | None = Dataset(default_union=True)
        # One lock for readers and the writer's swap: rdflib's memory store is not safe to read while
        # it is being changed, and holding it over the swap is what makes the swap atomic to readers.
        self._lock = threading.RLock()
        # Datasets holding only some graphs, for queries given `graphs`; emptied by every write.
        self._views: dict[tuple[URIRef, ...], Dataset] = {}
        self._generation = 0

    def replace_graphs(self, graphs: Mapping[URIRef, Triples], *, remove: Iterable[URIRef] = ()) -> None:
        """See `GraphStore.replace_graphs`.

        >>> from rdflib import Graph, Literal
        >>> from rdflib.namespace import RDFS
        >>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
        >>> plan = Graph()
        >>> _ = plan.add((agency_iri("331002", "health"), RDFS.label, Literal("区卫生健康局", lang="zh")))
        >>> _ = plan.add((agency_iri("331002", "education"), RDFS.label, Literal("区教育局", lang="zh")))
        >>> store = MemoryStore()
        >>> store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
        >>> store.count(graph=plan_graph_iri("jiaojiang-2020-reform-tasks"))
        2
        """
        replaced, removed = checked_replacement(graphs, remove)
        if self.read_only:
            raise StoreError("the memory store was opened read-only")
        self._open_dataset()
        # Blank nodes get fresh identities, shared by all graphs of this call (as oxigraph does).
        fresh: dict[BNode, BNode] = {}

        def renamed(term: Any) -> Any:
            return fresh.setdefault(term, BNode()) if isinstance(term, BNode) else term

        staged: list[tuple[URIRef, list[_Triple]]] = [
            (name, [(renamed(s), p, renamed(o)) for s, p, o in stored_triples(name, graphs[name])])
            for name in replaced
        ]
        with self._lock:
            dataset = self._open_dataset()
            for name in (*replaced, *removed):
                dataset.remove_graph(name)
            for name, triples in staged:
                if triples:
                    context = dataset.graph(name)
                    dataset.addN((s, p, o, context) for s, p, o in triples)
            self._views.clear()
            self._generation += 1

    def version(self) -> str | None:
        """See `GraphStore.version`: this store and how many writes it has had."""
        return f"memory:{id(self)}:{self._generation}"

    def graph_names(self) -> frozenset[URIRef]:
        """See `GraphStore.graph_names`."""
        with self._lock:
            dataset = self._open_dataset()
            return frozenset(
                URIRef(graph.identifier)
                for graph in dataset.graphs()
                if graph.identifier != DATASET_DEFAULT_GRAPH_ID and len(graph) > 0
            )

    def count(self, *, graph: URIRef | None = None) -> int:
        """See `GraphStore.count`.

        >>> MemoryStore().count()
        0
        """
        with self._lock:
            dataset = self._open_dataset()
            if graph is not None:
                return len(self._stored_graph(dataset, checked_iri(graph, what="graph name")))
            return sum(len(g) for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID)

    def graph(self, iri: URIRef) -> Graph:
        """See `GraphStore.graph`."""
        name = checked_iri(iri, what="graph name")
        copy = Graph(identifier=name)
        with self._lock:
            copy.addN((s, p, o, copy) for s, p, o in self._stored_graph(self._open_dataset(), name))
        return copy

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """See `GraphStore.query`.

        >>> from rdflib import Graph, Literal
        >>> from rdflib.namespace import RDFS
        >>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
        >>> agency = agency_iri("331002", "health")
        >>> plan = Graph()
        >>> _ = plan.add((agency, RDFS.label, Literal("区卫生健康局", lang="zh")))
        >>> store = MemoryStore()
        >>> store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
        >>> select = "SELECT ?agency ?name WHERE { ?agency ?p ?name }"
        >>> result = store.query(select, bindings={"agency": agency})
        >>> result.variables, result.column("name")
        (('agency', 'name'), (rdflib.term.Literal('区卫生健康局', lang='zh'),))
        """
        checked = checked_bindings(sparql, bindings)
        prepared = prepared_query(sparql)
        names = None if graphs is None else checked_graph_names(graphs, what="query graph")
        with self._lock:
            dataset = self._open_dataset() if names is None else self._view(names)
            try:
                return _query_result(dataset.query(prepared, initBindings=checked))
            except Exception as exc:  # rdflib raises plain Exceptions from evaluation
                reason = " ".join(str(exc).split())
                raise StoreError(f"query failed in the memory store: {reason}") from exc

    def close(self) -> None:
        """See `GraphStore.close`."""
        with self._lock:
            self._dataset = None
            self._views.clear()

    def _open_dataset(self) -> Dataset:
        if self._dataset is None:
            raise StoreError("the memory store is closed")
        return self._dataset

    @staticmethod
    def _stored_graph(dataset: Dataset, name: URIRef) -> Graph:
        # A Graph over the dataset's store reads that context without registering it
        # (`dataset.graph(name)` would add an empty graph).
        return Graph(store=dataset.store, identifier=name)

    def _view(self, names: tuple[URIRef, ...]) -> Dataset:
        key = tuple(sorted(names))
        view = self._views.get(key)
        if view is None:
            dataset = self._open_dataset()
            view = Dataset(default_union=True)
            for name in key:
                stored = self._stored_graph(dataset, name)
                if len(stored) > 0:
                    context = view.graph(name)
                    view.addN((s, p, o, context) for s, p, o in stored)
            self._views[key] = view
        return view


def _query_result(result: Any) -> QueryResult:
    """rdflib's `Result` as a `QueryResult` (every answer read now, while the lock is held)."""
    if result.type == "ASK":
        return QueryResult(boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        graph.addN((s, p, o, graph) for s, p, o in result.graph)
        return QueryResult(graph=graph)
    variables = tuple(str(variable) for variable in result.vars)
    rows = tuple(tuple(_plain(value) for value in row) for row in result)
    return QueryResult(variables=variables, rows=rows)


def _plain(value: Identifier | None) -> Identifier | None:
    """A result term as the oxigraph backend returns it (plain strings, lower-case language tags)."""
    return stored_literal(value) if isinstance(value, Literal) else value
