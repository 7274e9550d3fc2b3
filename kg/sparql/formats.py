"""How an answer is written: the result formats, Accept-header negotiation, and the writers.

SPARQL JSON, XML, CSV or TSV for SELECT and ASK; Turtle, N-Triples, JSON-LD or RDF/XML for CONSTRUCT and
DESCRIBE; always UTF-8. `negotiated_format` picks one from an HTTP Accept header (q-values, wildcards);
`serialised` writes a `QueryResult` in any of them.

>>> negotiated_format("text/csv, */*;q=0.1", form="SELECT").media_type
'text/csv'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Identifier

from dutygraph.kg.sparql.errors import NotAcceptable
from dutygraph.kg.stores import QueryResult
from dutygraph.ontology.namespace import DG

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


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
