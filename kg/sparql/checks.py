"""Which queries the endpoint runs: `checked_protocol_query` parses a text and refuses SPARQL Update
(LOAD included) and ``SERVICE`` before any engine sees it, keeping the graphs ``FROM`` / ``FROM NAMED``
name for `dutygraph.kg.sparql.dataset` to check.

>>> checked_protocol_query("ASK { ?agency ?role ?task }").form
'ASK'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from rdflib import URIRef

from dutygraph.errors import StoreError
from dutygraph.kg.sparql.errors import MalformedQuery, QueryRefused, UpdateRefused
from dutygraph.kg.sparql.formats import QueryForm
from dutygraph.kg.stores.base import prepared_query


@dataclass(frozen=True)
class CheckedQuery:
    """A query the endpoint may run: its form, the graphs its FROM / FROM NAMED clauses name, its prefixes."""

    text: str
    form: QueryForm
    from_graphs: tuple[URIRef, ...] = ()
    from_named_graphs: tuple[URIRef, ...] = ()
    prefixes: tuple[tuple[str, str], ...] = ()

    @property
    def names_dataset(self) -> bool:
        """Whether the text chooses its own dataset (FROM or FROM NAMED)."""
        return bool(self.from_graphs or self.from_named_graphs)


def checked_protocol_query(text: str) -> CheckedQuery:
    """`text` parsed and checked: a SPARQL 1.1 query (not Update) with no SERVICE; FROM is checked later.

    Like `dutygraph.kg.query_library.checked_query_form`, which the CLI uses, but keeping FROM / FROM
    NAMED: over the protocol they choose among our graphs (`query_dataset` refuses any other IRI).

    >>> from dutygraph.kg.sparql.errors import SparqlError
    >>> lead = "PREFIX dg: <https://w3id.org/dutygraph/ns#> "
    >>> plan = "<https://w3id.org/dutygraph/graph/plan/jiaojiang-2020-reform-tasks>"
    >>> checked_protocol_query(lead + f"SELECT ?task FROM {plan} WHERE {{ ?agency dg:leads ?task }}").from_graphs
    (rdflib.term.URIRef('https://w3id.org/dutygraph/graph/plan/jiaojiang-2020-reform-tasks'),)
    >>> for text in ("INSERT DATA { <urn:x:a> <urn:x:b> '台州市椒江区市场监督管理局' }",
    ...              "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"):
    ...     try:
    ...         checked_protocol_query(text)
    ...     except SparqlError as refused:
    ...         print(type(refused).__name__, refused)
    UpdateRefused SPARQL Update is refused: this endpoint only reads
    QueryRefused SERVICE is refused: a query reads this endpoint's graphs only, nothing is fetched

    :raises MalformedQuery: `text` is neither a query nor an update (the parser's message says where).
    :raises UpdateRefused: `text` is SPARQL Update.
    :raises QueryRefused: the query uses SERVICE.
    """
    if not text.strip():
        raise MalformedQuery("the query is empty")
    try:
        prepared = prepared_query(text)
    except StoreError as query_error:
        if _is_update(text):
            raise UpdateRefused("SPARQL Update is refused: this endpoint only reads") from None
        raise MalformedQuery(str(query_error)) from None
    algebra = prepared.algebra
    if _has_service(algebra):
        raise QueryRefused(
            "SERVICE is refused: a query reads this endpoint's graphs only, nothing is fetched"
        )
    from_graphs: list[URIRef] = []
    from_named: list[URIRef] = []
    for clause in dict.get(algebra, "datasetClause") or ():
        # CompValue.get answers the key itself for a missing key, hence dict.get.
        if (default := dict.get(clause, "default")) is not None:
            from_graphs.append(URIRef(default))
        elif (named := dict.get(clause, "named")) is not None:
            from_named.append(URIRef(named))
    form = cast("QueryForm", str(algebra.name).removesuffix("Query").upper())
    prefixes = tuple((p, str(iri)) for p, iri in prepared.prologue.namespace_manager.namespaces() if p)
    return CheckedQuery(
        text, form, tuple(dict.fromkeys(from_graphs)), tuple(dict.fromkeys(from_named)), prefixes
    )


def _is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # pyparsing's ParseException and rdflib's bare Exception alike
        return False
    return True


def _has_service(node: object) -> bool:
    """Whether a SERVICE pattern sits anywhere in the algebra, expressions (FILTER EXISTS) included."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        return node.name == "ServiceGraphPattern" or any(
            _has_service(value) for key, value in dict.items(node) if key != "_vars"
        )
    if isinstance(node, list | tuple):
        return any(_has_service(item) for item in node)
    if isinstance(node, dict):
        return any(_has_service(value) for value in node.values())
    return False
