"""A remote store: any SPARQL 1.1 server, spoken to over HTTP; the only importer of an HTTP client (httpx).

The store is named by one base URL (``DUTYGRAPH_ENDPOINT`` or ``--endpoint``); the SPARQL 1.1 Protocol
endpoints are found under it as Oxigraph server lays them out — queries at ``<base>/query``, updates at
``<base>/update`` — and everything goes through those two (no Graph Store Protocol is needed).

Pointing it at a server:

- **Oxigraph server** (what the tests run): ``oxigraph serve --location DIR --bind 127.0.0.1:7878``,
  then ``--endpoint http://127.0.0.1:7878``. Without ``graphs=`` a query reads the union of the named
  graphs through Oxigraph's ``union-default-graph`` request parameter.
- **Apache Jena Fuseki**: a dataset ``/ds`` has ``/ds/query`` and ``/ds/update`` (and ``/ds/data`` for the
  Graph Store Protocol, unused), so ``--endpoint http://localhost:3030/ds`` works as it is. Set
  ``tdb2:unionDefaultGraph true`` on the dataset so that the default graph is the union of the named
  graphs (Fuseki ignores Oxigraph's parameter), and make the update endpoint writable.
- **Virtuoso**: one endpoint serves both, and its default graph already is the union:
  ``SparqlStore(endpoint="http://localhost:8890", query_url="http://localhost:8890/sparql",
  update_url="http://localhost:8890/sparql", union_default_graph_parameter=None)`` (updates need the
  ``SPARQL_UPDATE`` grant for the anonymous user there). Only Oxigraph server is tested.

Guarantees (on top of those in `dutygraph.kg.stores.base`), as far as the server keeps them:

- **One request per `replace_graphs`**: ``DROP SILENT GRAPH <g> ; … ; INSERT DATA { GRAPH <g> { … } … }``.
  Oxigraph (and Fuseki, TDB2) run one update request in one transaction, so readers see the old state
  or the new one. The data terms are written in their N-Triples form (rdflib's ``n3()``), after
  `stored_triples` checked them.
- **Parameters are substituted as terms** (SEP-0007): after `checked_bindings`, each occurrence of a
  parameter variable in the query text becomes the term's N-Triples form — in the SELECT clause as
  ``(<term> AS ?name)``, in GROUP BY / ORDER BY as ``(<term>)`` — so a parameter inside a FILTER, a
  FILTER NOT EXISTS or an OPTIONAL is bound there, as with the other backends. (A final ``VALUES`` join
  would leave those unbound: rdflib issue #1772.) This is the one place where a term becomes text.
- **Errors are one line**: a refused connection, a timeout or an HTTP error status becomes a
  `StoreError` naming the URL and the reason.

Known gap (Oxigraph server 0.5, oxigraph/oxigraph#1919): as for the embedded oxigraph store, a triple
asserted in two graphs is seen twice in the union default graph.

>>> store = SparqlStore(endpoint="http://127.0.0.1:7878")
>>> store.query_url, store.update_url
('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update')
>>> print(substituted("SELECT ?task ?agency WHERE { ?task ?p ?lead FILTER(?lead = ?agency) }",
...                   {"agency": URIRef("https://w3id.org/dutygraph/id/agency/331002/market-regulation")}))
SELECT ?task (<https://w3id.org/dutygraph/id/agency/331002/market-regulation> AS ?agency) WHERE \
{ ?task ?p ?lead FILTER(?lead = <https://w3id.org/dutygraph/id/agency/331002/market-regulation>) }
>>> store.close()
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from dutygraph.errors import StoreError
from dutygraph.kg.stores.base import (
    XSD_STRING,
    GraphStore,
    QueryResult,
    Triples,
    checked_bindings,
    checked_graph_names,
    checked_iri,
    checked_replacement,
    stored_triples,
)
from dutygraph.kg.stores.substitution import substituted

if TYPE_CHECKING:
    import httpx

_SPARQL_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"
_ACCEPT = f"{_SPARQL_JSON}, {_N_TRIPLES}, text/turtle;q=0.8"
# Named in a query's dataset when `graphs=[]`: a graph no one writes, so the query sees nothing.
_NO_GRAPH = "urn:dutygraph:no-graph"
_RESPONSE_EXCERPT = 300  # characters of a server's error text kept in the one-line message

_RdfTerm = URIRef | BNode | Literal


class SparqlStore(GraphStore):
    """Named graphs in a SPARQL 1.1 server whose base URL is `endpoint`.

    `endpoint` defaults to the ``endpoint`` setting (``DUTYGRAPH_ENDPOINT``); `query_url` and
    `update_url` override the paths inferred from it. `path` is accepted for a uniform `open_store`
    call and ignored. `read_only=True` refuses writes. Nothing is sent until the first call.

    :raises StoreError: if no endpoint is given or set, or a URL is not an http(s) URL.
    """

    backend = "sparql"

    def __init__(
        self,
        *,
        path: Path | None = None,
        read_only: bool = False,
        endpoint: str | None = None,
        query_url: str | None = None,
        update_url: str | None = None,
        union_default_graph_parameter: str | None = "union-default-graph",
        timeout_s: float = 120.0,
    ) -> None:
        super().__init__(path=path, read_only=read_only)
        if endpoint is None:
            from dutygraph.settings import get_settings

            endpoint = get_settings().endpoint
        if endpoint is None:
            raise StoreError("the sparql store needs the server's base URL: set DUTYGRAPH_ENDPOINT")
        base = _checked_url(endpoint, what="endpoint").rstrip("/")
        self.endpoint = base
        self.query_url = _checked_url(query_url or f"{base}/query", what="query URL")
        self.update_url = _checked_url(update_url or f"{base}/update", what="update URL")
        self.union_default_graph_parameter = union_default_graph_parameter
        self._timeout_s = timeout_s
        self._client: httpx.Client | None = None
        self._closed = False

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"SparqlStore({self.endpoint}, {mode})"

    def replace_graphs(self, graphs: Mapping[URIRef, Triples], *, remove: Iterable[URIRef] = ()) -> None:
        """See `GraphStore.replace_graphs`; one SPARQL Update request, one transaction on the server."""
        replaced, removed = checked_replacement(graphs, remove)
        if self.read_only:
            raise StoreError(f"{self.endpoint}: the sparql store was opened read-only")
        self._http()  # a closed store refuses before reading any graph
        operations = [f"DROP SILENT GRAPH {name.n3()}" for name in (*replaced, *removed)]
        labels: dict[BNode, str] = {}
        blocks = [block for name in replaced if (block := _graph_block(name, graphs[name], labels))]
        if blocks:
            operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        if operations:
            self._post(self.update_url, {"update": " ;\n".join(operations)}, what="replacing graphs")

    def graph_names(self) -> frozenset[URIRef]:
        """See `GraphStore.graph_names`."""
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {}).rows
        return frozenset(row[0] for row in rows if isinstance(row[0], URIRef))

    def count(self, *, graph: URIRef | None = None) -> int:
        """See `GraphStore.count`."""
        name = "?g" if graph is None else checked_iri(graph, what="graph name").n3()
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}", {}).rows
        (value,) = rows[0] if rows else (None,)
        if not isinstance(value, Literal):
            raise StoreError(f"{self.query_url}: counting triples gave {value!r}, not a number")
        return int(value)

    def graph(self, iri: URIRef) -> Graph:
        """See `GraphStore.graph`."""
        name = checked_iri(iri, what="graph name")
        answer = self._select(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name.n3()} {{ ?s ?p ?o }} }}", {})
        copy = Graph(identifier=name)
        if answer.graph is not None:
            copy.addN((s, p, o, copy) for s, p, o in answer.graph)
        return copy

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """See `GraphStore.query`. Parameters are substituted as terms (see `substituted`); `graphs`
        becomes the protocol's ``default-graph-uri`` and ``named-graph-uri``, which override FROM.
        """
        text = substituted(sparql, checked_bindings(sparql, bindings))
        form: dict[str, str | list[str]] = {}
        if graphs is not None:
            names = [str(n) for n in checked_graph_names(graphs, what="query graph")] or [_NO_GRAPH]
            form = {"default-graph-uri": names, "named-graph-uri": names}
        return self._select(text, form)

    def close(self) -> None:
        """See `GraphStore.close`: closes the HTTP connections; the server keeps the data."""
        client, self._client = self._client, None
        self._closed = True
        if client is not None:
            client.close()

    def _http(self) -> httpx.Client:
        if self._closed:
            raise StoreError(f"{self.endpoint}: the sparql store is closed")
        if self._client is None:
            # httpx is imported by this backend only, when it first talks to the server.
            import httpx

            self._client = httpx.Client(timeout=self._timeout_s, headers={"User-Agent": "dutygraph"})
        return self._client

    def _select(self, text: str, dataset: dict[str, str | list[str]]) -> QueryResult:
        """Run query `text` (any form) against `dataset`, or the union of the named graphs if empty."""
        form: dict[str, str | list[str]] = {"query": text, **dataset}
        if not dataset and self.union_default_graph_parameter:
            form[self.union_default_graph_parameter] = "true"
        response = self._post(self.query_url, form, what="SPARQL query", accept=_ACCEPT)
        return _query_result(response, url=self.query_url)

    def _post(
        self, url: str, form: dict[str, str | list[str]], *, what: str, accept: str | None = None
    ) -> httpx.Response:
        import httpx

        client = self._http()
        headers = {"Accept": accept} if accept else {}
        try:
            response = client.post(url, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise StoreError(f"{url}: {what} failed: {_one_line(exc)}") from exc
        if response.is_error:
            reason = _one_line(response.text[:_RESPONSE_EXCERPT]) or response.reason_phrase
            raise StoreError(f"{url}: {what} refused, HTTP {response.status_code}: {reason}")
        return response


def _graph_block(name: URIRef, graph: Triples, labels: dict[BNode, str]) -> str:
    """``GRAPH <name> { … }`` holding the triples of `graph`, or "" when it has none."""
    lines = [
        f"{_term_text(name, s, labels)} {_term_text(name, p, labels)} {_term_text(name, o, labels)} ."
        for s, p, o in stored_triples(name, graph)
    ]
    if not lines:
        return ""
    return f"GRAPH {name.n3()} {{\n" + "\n".join(lines) + "\n}"


def _term_text(graph_name: URIRef, term: Identifier, labels: dict[BNode, str]) -> str:
    # Blank node labels are fresh per request: INSERT DATA gives them new identities anyway.
    if isinstance(term, BNode):
        return "_:" + labels.setdefault(term, f"b{len(labels)}")
    try:
        return str(term.n3())
    except Exception as exc:  # rdflib raises a bare Exception for an IRI it cannot write
        raise StoreError(f"{graph_name}: cannot store {term!r}: {_one_line(exc)}") from exc


def _query_result(response: httpx.Response, *, url: str) -> QueryResult:
    """The server's answer as a `QueryResult`: SPARQL JSON results, or N-Triples / Turtle for a graph."""
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in (_SPARQL_JSON, "application/json"):
        try:
            return _json_result(json.loads(response.content))
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{url}: unreadable SPARQL JSON results: {_one_line(exc)}") from exc
    formats = {_N_TRIPLES: "nt", "text/plain": "nt", "text/turtle": "turtle"}
    if media_type not in formats:
        raise StoreError(f"{url}: the server answered {media_type or 'no content type'}, not results")
    graph = Graph()
    try:
        graph.parse(data=response.text, format=formats[media_type])
    except Exception as exc:  # rdflib's parsers raise assorted exception types
        raise StoreError(f"{url}: unreadable {media_type} answer: {_one_line(exc)}") from exc
    return QueryResult(graph=graph)


def _json_result(answer: dict[str, Any]) -> QueryResult:
    if "boolean" in answer:
        return QueryResult(boolean=bool(answer["boolean"]))
    variables = tuple(str(name) for name in answer["head"]["vars"])
    iris: dict[str, URIRef] = {}
    rows = tuple(
        tuple(_json_term(row[name], iris) if name in row else None for name in variables)
        for row in answer["results"]["bindings"]
    )
    return QueryResult(variables=variables, rows=rows)


def _json_term(term: dict[str, Any], iris: dict[str, URIRef]) -> _RdfTerm:
    kind, value = term["type"], str(term["value"])
    if kind == "uri":
        iri = iris.get(value)
        if iri is None:
            iri = iris[value] = URIRef(value)
        return iri
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if "its:dir" in term:
            raise StoreError(f"a literal with a base direction cannot be read into rdflib: {value!r}")
        if "xml:lang" in term:
            return Literal(value, lang=term["xml:lang"])
        datatype = term.get("datatype")
        if datatype is None or datatype == str(XSD_STRING):
            return Literal(value)
        return Literal(value, datatype=URIRef(datatype))
    raise StoreError(f"an RDF term of type {kind!r} cannot be read into rdflib: {value!r}")


def _checked_url(url: str, *, what: str) -> str:
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", url):
        raise StoreError(f"{what} {url!r} is not an http(s) URL")
    return url


def _one_line(exc: BaseException | str) -> str:
    text = exc if isinstance(exc, str) else str(exc)
    return " ".join(text.split()) or type(exc).__name__
