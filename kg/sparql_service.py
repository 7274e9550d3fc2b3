"""The SPARQL 1.1 Protocol query operation without its HTTP: which graphs a query reads, how it runs under a
time limit, and how its answer is written.

What the endpoint promises, and where it is kept:

- **Closed.** A query reads this store only. SPARQL Update (LOAD included) is refused with `UpdateRefused`;
  ``SERVICE`` anywhere in a query, and ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` /
  ``named-graph-uri`` naming anything but one of our graphs, with `QueryRefused` — all by
  `checked_protocol_query` and `query_dataset`, before the engine sees the query. Nothing is ever fetched.
- **The dataset** (`query_dataset`): by default the union of every plan graph, the ontology graph and the
  inferred graph, each of them also a named graph for ``GRAPH``. ``inferred=False`` leaves the inferred graph
  out. The protocol's ``default-graph-uri`` / ``named-graph-uri`` choose among our graphs and, as the
  protocol says, win over ``FROM`` / ``FROM NAMED`` in the query text, which otherwise choose.
- **Guarded.** `QueryWorkers` runs each query in a worker process and kills that process when the time
  limit passes (a pyoxigraph query cannot be interrupted from another thread), then starts a fresh one.
  An answer holds at most ``max_rows`` rows (SELECT) or triples (CONSTRUCT, DESCRIBE); reading stops at
  the limit and `QueryAnswer.truncated` says so.
- **Negotiated.** `negotiated_format` picks the answer's format from an HTTP Accept header (q-values,
  wildcards): SPARQL JSON, XML, CSV or TSV for SELECT and ASK; Turtle, N-Triples, JSON-LD or RDF/XML for
  graphs; always UTF-8. `serialised` writes a `QueryResult` in any of them.

The workers query pyoxigraph directly rather than through `GraphStore.query`: the protocol's dataset can
have a default graph other than its named graphs (``FROM <a> FROM NAMED <b>``), which `GraphStore.query`
cannot express, and a capped answer must stop reading solutions at the cap instead of materialising them
all. pyoxigraph is imported only inside `QueryEngine`, when a worker runs (as the reasoning engine does).
rdflib's parser checks each query first, in the worker too, so its time counts against the limit.

Known gap (pyoxigraph 0.5, as `dutygraph.kg.stores.base` says): a triple asserted in two graphs of the
default graph is seen twice; queries that count should use DISTINCT.

>>> query = checked_protocol_query(
...     "PREFIX dg: <https://w3id.org/dutygraph/ns#> SELECT ?agency WHERE { ?agency dg:leads ?task }")
>>> query.form, negotiated_format("text/csv, */*;q=0.1", form=query.form).media_type
('SELECT', 'text/csv')
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, cast
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError, StoreError
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, is_plan_graph, plan_graph_iri
from dutygraph.kg.stores import GraphStore, QueryResult
from dutygraph.kg.stores.base import prepared_query
from dutygraph.ontology.namespace import DG

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    import pyoxigraph as ox

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
#: How long a new worker may take to open the store before it counts as broken (not part of a query's time).
_STARTUP_LIMIT_S: Final = 120.0
_READY: Final = "ready"
#: Worker processes by default: two answer at once, and one is still free while another is being replaced.
DEFAULT_WORKERS: Final = 2


# --- errors -------------------------------------------------------------------------------------------------


class SparqlError(DutygraphError):
    """A query the endpoint does not answer; each subclass is one kind of refusal (one HTTP status)."""


class MalformedQuery(SparqlError):
    """The text is not a SPARQL 1.1 query; the message is the parser's."""


class UpdateRefused(SparqlError):
    """SPARQL Update (INSERT, DELETE, LOAD, CLEAR, …): the endpoint only reads."""


class QueryRefused(SparqlError):
    """A valid query the endpoint will not run: SERVICE, or a graph that is not one of ours."""


class NotAcceptable(SparqlError):
    """No format the client accepts can carry this query's answer."""


class QueryTimedOut(SparqlError):
    """The query ran out of time (its worker was killed), or no worker came free in time."""


class QueryFailed(SparqlError):
    """The engine or a worker failed: not the query's fault."""


# --- formats and content negotiation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFormat:
    """One way to write an answer: its `name`, its `media_type` and other media types that ask for it.

    >>> SPARQL_JSON.content_type
    'application/sparql-results+json; charset=utf-8'
    """

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The HTTP Content-Type: every answer is UTF-8."""
        return f"{self.media_type}; charset=utf-8"


SPARQL_JSON = ResultFormat("json", "application/sparql-results+json", ("application/json",))
SPARQL_XML = ResultFormat("xml", "application/sparql-results+xml")
SPARQL_CSV = ResultFormat("csv", "text/csv")
SPARQL_TSV = ResultFormat("tsv", "text/tab-separated-values")
TURTLE = ResultFormat("turtle", "text/turtle", ("application/turtle", "application/x-turtle"))
N_TRIPLES = ResultFormat("nt", "application/n-triples")
JSON_LD = ResultFormat("json-ld", "application/ld+json", ("application/x-json+ld",))
RDF_XML = ResultFormat("rdf-xml", "application/rdf+xml")

#: Formats of SELECT and ASK answers, the default first (a tie in the client's preferences goes to the earlier).
RESULTS_FORMATS: Final = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)
#: Formats of CONSTRUCT and DESCRIBE answers, the default first.
GRAPH_FORMATS: Final = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)


def formats_for(form: QueryForm) -> tuple[ResultFormat, ...]:
    """The formats that can carry the answer of a query of `form`.

    >>> [f.name for f in formats_for("DESCRIBE")]
    ['turtle', 'nt', 'json-ld', 'rdf-xml']
    """
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_FORMATS


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header: ``type/subtype`` (either may be ``*``) and its quality `q`."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names `media_type` (2 exactly, 1 by ``type/*``, 0 by ``*/*``), or None."""
        kind, _, sub = media_type.partition("/")
        if self.type == kind and self.subtype == sub:
            return 2
        if self.type == kind and self.subtype == "*":
            return 1
        if self.type == "*" and self.subtype == "*":
            return 0
        return None


def media_ranges(accept: str) -> tuple[MediaRange, ...]:
    """The entries of an Accept header; malformed entries are skipped, as RFC 9110 lets a server do.

    >>> media_ranges("text/turtle;q=0.9, application/ld+json, */*;q=0.1")[0]
    MediaRange(type='text', subtype='turtle', q=0.9)
    """
    found = []
    for entry in accept.split(","):
        media, *parameters = (part.strip() for part in entry.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            found.append(MediaRange(kind, sub, q))
    return tuple(found)


def negotiated_format(accept: str | None, *, form: QueryForm) -> ResultFormat:
    """The format to answer a query of `form` in, for a client that sent `accept`.

    Each format gets the quality of the most specific range naming one of its media types; the highest
    quality above 0 wins, ties going to the server's order (JSON, Turtle first). No header, or an empty
    one, means the default format.

    >>> negotiated_format(None, form="ASK").name
    'json'
    >>> negotiated_format("application/n-triples;q=0.5, text/turtle;q=0.4", form="CONSTRUCT").name
    'nt'
    >>> try:
    ...     negotiated_format("text/html", form="SELECT")
    ... except NotAcceptable as refused:
    ...     print(refused)  # doctest: +NORMALIZE_WHITESPACE
    no acceptable format for a SELECT answer; this endpoint writes application/sparql-results+json,
    application/sparql-results+xml, text/csv, text/tab-separated-values

    :raises NotAcceptable: if every format the query can be answered in has quality 0.
    """
    offered = formats_for(form)
    ranges = media_ranges(accept or "")
    if not ranges:  # no header, an empty one, or nothing readable in it: no preference
        return offered[0]
    best: tuple[float, ResultFormat] | None = None
    for result_format in offered:
        # The most specific range naming any of the format's types decides: `application/json` matched
        # only by */* does not bring back a format whose own type the client refused with q=0.
        matches = [
            (specificity, r.q)
            for media_type in (result_format.media_type, *result_format.aliases)
            for r in ranges
            if (specificity := r.specificity(media_type)) is not None
        ]
        quality = max(matches)[1] if matches else 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, result_format)
    if best is None:
        raise NotAcceptable(_not_acceptable(form, offered))
    return best[1]


def _not_acceptable(form: QueryForm, offered: tuple[ResultFormat, ...]) -> str:
    kinds = ", ".join(f.media_type for f in offered)
    return f"no acceptable format for a {form} answer; this endpoint writes {kinds}"


# --- the query and its dataset ------------------------------------------------------------------------------


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


# --- writing answers ----------------------------------------------------------------------------------------


def serialised(
    result: QueryResult, result_format: ResultFormat, *, prefixes: Iterable[tuple[str, str]] = ()
) -> bytes:
    """`result` written in `result_format`, as UTF-8; `prefixes` (name, IRI) shorten IRIs in Turtle and
    RDF/XML (``dg:`` always does).

    Per the SPARQL 1.1 Query Results CSV and TSV Formats, CSV writes plain values (IRIs bare, literals by
    their text) with CRLF line ends, TSV writes RDF terms. An ASK answer in CSV or TSV is one column,
    ``_askResult``, holding ``true`` or ``false``.

    >>> from dutygraph.kg.iris import agency_iri
    >>> agency = agency_iri("331002", "market-regulation")
    >>> name = RdfLiteral("台州市椒江区市场监督管理局", lang="zh")
    >>> result = QueryResult(variables=("agency", "name"), rows=((agency, name),))
    >>> serialised(result, SPARQL_CSV).decode().split("\\r\\n")
    ['agency,name', 'https://w3id.org/dutygraph/id/agency/331002/market-regulation,台州市椒江区市场监督管理局', '']
    >>> serialised(result, SPARQL_TSV).decode().splitlines()  # doctest: +NORMALIZE_WHITESPACE
    ['?agency\\t?name',
     '<https://w3id.org/dutygraph/id/agency/331002/market-regulation>\\t"台州市椒江区市场监督管理局"@zh']
    >>> json.loads(serialised(result, SPARQL_JSON))["results"]["bindings"][0]["name"]
    {'type': 'literal', 'value': '台州市椒江区市场监督管理局', 'xml:lang': 'zh'}

    :raises ValueError: `result_format` cannot carry this kind of result (a graph as CSV, rows as Turtle).
    """
    if result.graph is not None:
        if result_format not in GRAPH_FORMATS:
            raise ValueError(f"a graph cannot be written as {result_format.media_type}")
        return _graph_bytes(result.graph, result_format, prefixes)
    if result_format not in RESULTS_FORMATS:
        raise ValueError(f"SELECT or ASK results cannot be written as {result_format.media_type}")
    if result_format is SPARQL_JSON:
        return _json_results(result)
    if result_format is SPARQL_XML:
        return _xml_results(result)
    if result_format is SPARQL_CSV:
        return _csv_results(result)
    return _tsv_results(result)


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, RdfLiteral):
        written = {"type": "literal", "value": str(term)}
        if term.language is not None:
            written["xml:lang"] = term.language
        elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
            written["datatype"] = str(term.datatype)
        return written
    raise ValueError(f"cannot write {term!r} in SPARQL results")


def _json_results(result: QueryResult) -> bytes:
    document: dict[str, Any]
    if result.boolean is not None:
        document = {"head": {}, "boolean": result.boolean}
    else:
        bindings = [
            {
                name: _json_term(value)
                for name, value in zip(result.variables, row, strict=True)
                if value is not None
            }
            for row in result.rows
        ]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _xml_term(term: Identifier) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    if isinstance(term, RdfLiteral):
        if term.language is not None:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(str(term))}</literal>"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"<literal datatype={quoteattr(str(term.datatype))}>{escape(str(term))}</literal>"
        return f"<literal>{escape(str(term))}</literal>"
    raise ValueError(f"cannot write {term!r} in SPARQL results")


def _xml_results(result: QueryResult) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sparql xmlns="{_RESULTS_NS}">']
    if result.boolean is not None:
        lines += ["  <head/>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        lines.append("  <head>")
        lines += [f"    <variable name={quoteattr(name)}/>" for name in result.variables]
        lines += ["  </head>", "  <results>"]
        for row in result.rows:
            lines.append("    <result>")
            lines += [
                f"      <binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
                for name, value in zip(result.variables, row, strict=True)
                if value is not None
            ]
            lines.append("    </result>")
        lines.append("  </results>")
    lines.append("</sparql>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv_value(term: Identifier | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _csv_results(result: QueryResult) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerows([["_askResult"], ["true" if result.boolean else "false"]])
    else:
        writer.writerow(result.variables)
        writer.writerows([_csv_value(value) for value in row] for row in result.rows)
    return out.getvalue().encode("utf-8")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_value(term: Identifier | None) -> str:
    """A term in its N-Triples form (tabs and line ends escaped: they separate fields and rows)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, RdfLiteral):
        text = '"' + str(term).translate(_TSV_ESCAPES) + '"'
        if term.language is not None:
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    raise ValueError(f"cannot write {term!r} in SPARQL results")


def _tsv_results(result: QueryResult) -> bytes:
    if result.boolean is not None:
        lines = ["?_askResult", "true" if result.boolean else "false"]
    else:
        lines = ["\t".join(f"?{name}" for name in result.variables)]
        lines += ["\t".join(_tsv_value(value) for value in row) for row in result.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


_RDFLIB_FORMATS: Final = {"turtle": "turtle", "nt": "nt", "json-ld": "json-ld", "rdf-xml": "xml"}


def _graph_bytes(graph: Graph, result_format: ResultFormat, prefixes: Iterable[tuple[str, str]]) -> bytes:
    written = Graph(bind_namespaces="rdflib")  # skos, org, prov, time, … ; only the ones used are printed
    for prefix, iri in (*prefixes, ("dg", str(DG._NS))):
        written.bind(prefix, iri, override=True, replace=True)
    written.addN((s, p, o, written) for s, p, o in graph)
    return written.serialize(format=_RDFLIB_FORMATS[result_format.name], encoding="utf-8")


# --- running one query (inside a worker) --------------------------------------------------------------------


@dataclass(frozen=True)
class QueryJob:
    """One request for the query operation: the text, the client's Accept header, the protocol's dataset
    parameters and the most rows (or triples) to answer with."""

    text: str
    accept: str | None = None
    dataset: DatasetRequest = field(default_factory=DatasetRequest)
    max_rows: int = 10_000


@dataclass(frozen=True)
class QueryAnswer:
    """A written answer: its bytes, format and query form, how many rows (or triples) it holds and whether
    the row limit cut it short."""

    body: bytes
    format: ResultFormat
    form: QueryForm
    rows: int
    truncated: bool


@dataclass(frozen=True)
class StoreSource:
    """Where a worker finds the data: an oxigraph store directory (opened read-only), or an N-Quads file
    (a snapshot of another backend, loaded into memory)."""

    oxigraph_path: Path | None = None
    nquads_path: Path | None = None


def write_snapshot(store: GraphStore, path: Path) -> None:
    """Write every named graph of `store` to `path` as N-Quads, for workers of a store they cannot open.

    :raises StoreError: the store cannot be read.
    """
    dataset = Dataset()
    for name in sorted(store.graph_names()):
        target = dataset.graph(name)
        target.addN((s, p, o, target) for s, p, o in store.graph(name))
    dataset.serialize(destination=path, format="nquads", encoding="utf-8")


class QueryEngine:
    """A pyoxigraph store opened from a `StoreSource`, answering `QueryJob`s; what each worker process runs.

    >>> engine = QueryEngine(StoreSource())
    >>> answer = engine.answer(QueryJob("SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }", accept="text/csv"))
    >>> answer.body
    b'triples\\r\\n0\\r\\n'

    :raises StoreError: the source cannot be opened or loaded.
    """

    def __init__(self, source: StoreSource) -> None:
        import pyoxigraph as ox

        try:
            if source.oxigraph_path is not None:
                self._store = ox.Store.read_only(str(source.oxigraph_path))
            else:
                self._store = ox.Store()
                if source.nquads_path is not None:
                    self._store.load(path=source.nquads_path, format=ox.RdfFormat.N_QUADS)
            # A read-only store sees the data as of opening, so its graphs are fixed too.
            self._graphs = frozenset(
                URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
            )
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"the query engine cannot open {source}: {exc}") from exc
        prepared_query("ASK {}")  # loads rdflib's SPARQL grammar now, not in the first query's time

    def answer(self, job: QueryJob) -> QueryAnswer:
        """Check, run and write one query.

        :raises MalformedQuery, UpdateRefused, QueryRefused, NotAcceptable: as `checked_protocol_query`,
            `query_dataset` and `negotiated_format` say; nothing runs then.
        :raises QueryFailed: the engine fails, or the answer holds what the format cannot write.
        """
        import pyoxigraph as ox

        query = checked_protocol_query(job.text)
        result_format = negotiated_format(job.accept, form=query.form)
        dataset = query_dataset(query, job.dataset, stored=self._graphs)
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            ox.NamedNode(g) for g in dataset.default_graphs
        ]
        try:
            # The given dataset replaces FROM / FROM NAMED of the text, already checked to agree with it.
            found = self._store.query(
                job.text,
                default_graph=default_graph,
                named_graphs=[ox.NamedNode(g) for g in dataset.named_graphs],
            )
            result, rows, truncated = _read_answer(found, max_rows=job.max_rows)
        except SyntaxError as exc:  # rdflib and oxigraph disagree on the grammar at the edges
            raise MalformedQuery(" ".join(str(exc).split())) from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryFailed(f"the query failed in the engine: {' '.join(str(exc).split())}") from exc
        try:
            body = serialised(result, result_format, prefixes=query.prefixes)
        except Exception as exc:  # rdflib's writers raise bare Exceptions (an IRI RDF/XML cannot split, …)
            raise QueryFailed(f"the answer cannot be written as {result_format.media_type}: {exc}") from exc
        return QueryAnswer(body, result_format, query.form, rows, truncated)


def _read_answer(
    found: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, *, max_rows: int
) -> tuple[QueryResult, int, bool]:
    """The answer as a `QueryResult` of at most `max_rows` rows or triples, their number, and whether more
    were left unread."""
    import pyoxigraph as ox

    if isinstance(found, ox.QueryBoolean):
        return QueryResult(boolean=bool(found)), 1, False
    if isinstance(found, ox.QueryTriples):
        graph = Graph()
        for triple in found:
            if len(graph) >= max_rows:
                return QueryResult(graph=graph), len(graph), True
            graph.add((_rdf_term(triple.subject), _rdf_term(triple.predicate), _rdf_term(triple.object)))
        return QueryResult(graph=graph), len(graph), False
    variables = tuple(variable.value for variable in found.variables)
    width = range(len(variables))
    rows: list[tuple[Identifier | None, ...]] = []
    for solution in found:
        if len(rows) >= max_rows:
            return QueryResult(variables=variables, rows=tuple(rows)), len(rows), True
        rows.append(tuple(None if (value := solution[i]) is None else _rdf_term(value) for i in width))
    return QueryResult(variables=variables, rows=tuple(rows)), len(rows), False


def _rdf_term(term: object) -> URIRef | BNode | RdfLiteral:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language is not None:
            return RdfLiteral(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return RdfLiteral(term.value)
        return RdfLiteral(term.value, datatype=URIRef(term.datatype.value))
    raise QueryFailed(f"the answer holds {term}, which SPARQL 1.1 results cannot carry")


# --- worker processes ---------------------------------------------------------------------------------------


def _serve_jobs(connection: Connection, source: StoreSource) -> None:
    """A worker process: open the source, say ready, then answer jobs until told to stop (None) or orphaned."""
    # Ctrl-C in `dutygraph serve` reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        engine = QueryEngine(source)
    except Exception as exc:
        connection.send(QueryFailed(f"a query worker cannot start: {exc}"))
        return
    connection.send(_READY)
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return  # the server is gone
        if job is None:
            return
        reply: QueryAnswer | SparqlError
        try:
            reply = engine.answer(job)
        except SparqlError as refused:
            reply = refused
        except Exception as exc:  # a worker must answer; the server tells the client it failed
            reply = QueryFailed(f"the query failed: {type(exc).__name__}: {exc}")
        connection.send(reply)


class _Worker:
    """One worker process and the server's end of its pipe; `ready` once it said so."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.ready = False
        self.failure: SparqlError | None = None

    def check_started(self, wait_s: float) -> bool:
        """Whether the worker has said how its start went (ready, or `failure`), waiting up to `wait_s`."""
        if self.ready or self.failure is not None:
            return True
        if not self.connection.poll(wait_s):
            return False
        message = self.connection.recv()
        if message == _READY:
            self.ready = True
        elif isinstance(message, SparqlError):
            self.failure = message
        else:
            self.failure = QueryFailed(f"a query worker said {message!r} instead of being ready")
        return True


class QueryWorkers:
    """Worker processes that answer queries for one store, each query under a time limit.

    Nothing starts until the first query: then the workers start (a store that is not an oxigraph
    directory is first written to a temporary N-Quads snapshot, which they load; later changes to such a
    store are not seen). A worker runs one query at a time; a query that outlives its limit has its worker
    killed — the engine's work really stops — and a fresh worker takes its place. Close the workers (or
    leave the ``with`` block) to stop them all and remove the snapshot.

    Workers are started with multiprocessing's ``spawn``, which imports the program's main module in each
    worker: a script that serves queries must start the server under ``if __name__ == "__main__":`` (the
    ``dutygraph`` command and pytest do).

    >>> from dutygraph.kg.stores import open_store
    >>> with open_store("memory") as store, QueryWorkers(store, size=1) as workers:
    ...     answer = workers.run(QueryJob("ASK { ?agency ?role ?task }"), timeout_s=30)
    >>> answer.body
    b'{"head": {}, "boolean": false}'
    """

    def __init__(self, store: GraphStore, *, size: int = DEFAULT_WORKERS) -> None:
        if size < 1:
            raise ValueError(f"a query pool needs at least one worker, not {size}")
        self._store = store
        self._size = size
        # spawn, not fork: the server process has threads (and RocksDB's), which fork would copy mid-state.
        self._context = multiprocessing.get_context("spawn")
        self._freed = threading.Condition()
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._source: StoreSource | None = None
        self._snapshot_dir: Path | None = None
        self._closed = False

    def __enter__(self) -> QueryWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def source(self) -> StoreSource | None:
        """Where the workers read the data (None until the first query starts them)."""
        return self._source

    def pids(self) -> tuple[int, ...]:
        """The process ids of the live workers."""
        with self._freed:
            return tuple(sorted(w.process.pid for w in self._workers if w.process.pid is not None))

    def run(self, job: QueryJob, *, timeout_s: float) -> QueryAnswer:
        """Answer `job` in a worker, waiting at most `timeout_s` for a free worker and `timeout_s` for the
        answer (a new worker's start-up is not counted).

        :raises QueryTimedOut: the query ran out of time (its worker was killed), or no worker came free.
        :raises QueryFailed: a worker could not start or died.
        :raises SparqlError: the query's own refusal (malformed, update, refused, not acceptable).
        """
        worker = self._take(timeout_s)
        healthy = False
        try:
            self._await_ready(worker)
            worker.connection.send(job)
            if not worker.connection.poll(timeout_s):
                raise QueryTimedOut(
                    f"the query ran longer than the limit of {timeout_s:g} s and was stopped "
                    "(its worker process was killed); narrow it, or add LIMIT"
                )
            reply = worker.connection.recv()
            healthy = True
        except (EOFError, OSError) as exc:
            raise QueryFailed(f"the query worker died: {exc or type(exc).__name__}") from exc
        finally:
            if healthy:
                self._give_back(worker)
            else:
                self._replace(worker)
        if isinstance(reply, SparqlError):
            raise reply
        if not isinstance(reply, QueryAnswer):
            raise QueryFailed(f"the query worker answered {type(reply).__name__}, not an answer")
        return reply

    def close(self) -> None:
        """Stop every worker (a query still running is cut off) and remove the snapshot."""
        with self._freed:
            self._closed = True
            workers, self._workers, self._idle = set(self._workers), set(), []
            self._freed.notify_all()
        for worker in workers:
            _stop(worker)
        if self._snapshot_dir is not None:
            shutil.rmtree(self._snapshot_dir, ignore_errors=True)
            self._snapshot_dir = None

    # -- internals --

    def _take(self, timeout_s: float) -> _Worker:
        deadline = time.monotonic() + timeout_s
        with self._freed:
            while True:
                if self._closed:
                    raise QueryFailed("the query workers are stopped (the server is shutting down)")
                while len(self._workers) < self._size:
                    self._idle.append(self._spawn_locked())
                if self._idle:
                    # A worker that has started beats one still starting (a replacement, say).
                    ready = [w for w in self._idle if w.check_started(0) and w.ready]
                    worker = ready[-1] if ready else self._idle[-1]
                    self._idle.remove(worker)
                    if worker.process.is_alive():
                        return worker
                    self._workers.discard(worker)  # died while idle: start another in its place
                    _stop(worker)
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimedOut(
                        f"every query worker stayed busy for {timeout_s:g} s; try again in a moment"
                    )
                self._freed.wait(remaining)

    def _spawn_locked(self) -> _Worker:
        if self._source is None:
            self._source = self._prepare_source()
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve_jobs, args=(child_end, self._source), name="dutygraph-sparql-worker", daemon=True
        )
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        self._workers.add(worker)
        return worker

    def _prepare_source(self) -> StoreSource:
        store = self._store
        if store.backend == "oxigraph" and store.path is not None:
            return StoreSource(oxigraph_path=store.path)
        self._snapshot_dir = Path(tempfile.mkdtemp(prefix="dutygraph-sparql-"))
        snapshot = self._snapshot_dir / "store.nq"
        write_snapshot(store, snapshot)
        return StoreSource(nquads_path=snapshot)

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.check_started(_STARTUP_LIMIT_S):
            raise QueryFailed(f"a query worker did not start within {_STARTUP_LIMIT_S:g} s")
        if worker.failure is not None:
            raise worker.failure

    def _give_back(self, worker: _Worker) -> None:
        with self._freed:
            if self._closed or worker not in self._workers:
                _stop(worker)
                return
            self._idle.append(worker)
            self._freed.notify()

    def _replace(self, worker: _Worker) -> None:
        _stop(worker)
        with self._freed:
            self._workers.discard(worker)
            if not self._closed:
                # Started now, so it is ready by the next query; if it cannot start, the next query tries
                # again and reports why.
                with contextlib.suppress(OSError, DutygraphError):
                    self._idle.append(self._spawn_locked())
            self._freed.notify()


def _stop(worker: _Worker) -> None:
    """Kill a worker and reap it: whatever it was doing stops, and its pid is gone."""
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(timeout=10)
    worker.connection.close()
