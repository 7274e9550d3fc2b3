"""Which graphs a query reads: the protocol's dataset parameters (`DatasetRequest`), the graphs the
endpoint serves (`served_graphs`) and the dataset chosen for one query (`query_dataset`), which refuses any
graph that is not ours.

>>> from dutygraph.kg.iris import ONTOLOGY_GRAPH
>>> served_graphs([ONTOLOGY_GRAPH, URIRef("http://example.org/plans")])
(rdflib.term.URIRef('https://w3id.org/dutygraph/graph/ontology'),)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, is_plan_graph, plan_graph_iri
from dutygraph.kg.sparql.checks import CheckedQuery
from dutygraph.kg.sparql.errors import QueryRefused


@dataclass(frozen=True)
class DatasetRequest:
    """What the request's protocol parameters say about the dataset (IRIs as given, unchecked).

    `inferred` False leaves the inferred graph out of the default dataset.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    inferred: bool = True

    @property
    def names_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True)
class QueryDataset:
    """The graphs whose merge is the default graph, and the graphs ``GRAPH`` can see."""

    default_graphs: tuple[URIRef, ...]
    named_graphs: tuple[URIRef, ...]


def served_graphs(names: Iterable[URIRef]) -> tuple[URIRef, ...]:
    """The graphs the endpoint serves, of the store's `names`: plan graphs, ontology, inferred (sorted).

    >>> from dutygraph.kg.iris import plan_graph_iri
    >>> [str(g) for g in served_graphs([INFERRED_GRAPH, plan_graph_iri("tiantai-2019-work-points")])]
    ['https://w3id.org/dutygraph/graph/inferred', 'https://w3id.org/dutygraph/graph/plan/tiantai-2019-work-points']
    """
    return tuple(sorted(g for g in names if is_plan_graph(g) or g in (ONTOLOGY_GRAPH, INFERRED_GRAPH)))


def query_dataset(query: CheckedQuery, request: DatasetRequest, *, stored: Iterable[URIRef]) -> QueryDataset:
    """The dataset `query` reads under `request`, in a store holding the graphs `stored`.

    The protocol parameters, when given, choose (the SPARQL 1.1 Protocol lets them override FROM); else FROM
    / FROM NAMED in the text; else every served graph, the inferred one unless ``inferred`` is false. Every
    IRI named anywhere must be a served graph — or the ontology or inferred graph, which may be empty.

    >>> from dutygraph.kg.iris import plan_graph_iri
    >>> from dutygraph.kg.sparql.checks import checked_protocol_query
    >>> plan = plan_graph_iri("jiaojiang-2020-reform-tasks")
    >>> ask = checked_protocol_query("ASK { ?agency ?role ?task }")
    >>> query_dataset(ask, DatasetRequest(inferred=False), stored=[plan, INFERRED_GRAPH]).default_graphs
    (rdflib.term.URIRef('https://w3id.org/dutygraph/graph/plan/jiaojiang-2020-reform-tasks'),)
    >>> try:
    ...     query_dataset(ask, DatasetRequest(default_graphs=("http://example.org/plans",)), stored=[plan])
    ... except QueryRefused as refused:
    ...     print(refused)  # doctest: +NORMALIZE_WHITESPACE
    default-graph-uri <http://example.org/plans> is not a graph of this endpoint (nothing is fetched);
    its graphs are the plan graphs <https://w3id.org/dutygraph/graph/plan/…>,
    <https://w3id.org/dutygraph/graph/ontology> and <https://w3id.org/dutygraph/graph/inferred>

    :raises QueryRefused: an IRI is not one of our graphs, or the inferred graph is named while ``inferred``
        is false.
    """
    served = served_graphs(stored)
    known = {*served, ONTOLOGY_GRAPH, INFERRED_GRAPH}

    def ours(iris: Iterable[str], what: str) -> tuple[URIRef, ...]:
        checked = []
        for iri in iris:
            if URIRef(iri) not in known:
                raise QueryRefused(
                    f"{what} <{iri}> is not a graph of this endpoint (nothing is fetched); its graphs are the "
                    f"plan graphs <{_plan_graph_pattern()}>, <{ONTOLOGY_GRAPH}> and <{INFERRED_GRAPH}>"
                )
            if URIRef(iri) == INFERRED_GRAPH and not request.inferred:
                raise QueryRefused(f"{what} names the inferred graph, but inferred=false leaves it out")
            checked.append(URIRef(iri))
        return tuple(dict.fromkeys(checked))

    protocol_default = ours(request.default_graphs, "default-graph-uri")
    protocol_named = ours(request.named_graphs, "named-graph-uri")
    text_default = ours(query.from_graphs, "FROM")
    text_named = ours(query.from_named_graphs, "FROM NAMED")
    if request.names_dataset:
        return QueryDataset(protocol_default, protocol_named)
    if query.names_dataset:
        return QueryDataset(text_default, text_named)
    chosen = tuple(g for g in served if request.inferred or g != INFERRED_GRAPH)
    return QueryDataset(chosen, chosen)


def _plan_graph_pattern() -> str:
    return str(plan_graph_iri("x")).removesuffix("x") + "…"
