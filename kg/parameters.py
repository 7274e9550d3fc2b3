"""Query parameters as users type them (``--param name=value``, a query string) → RDF terms.

A value becomes a term before any query sees it; the store binds the term (`GraphStore.query(bindings=...)`),
so no value is ever pasted into query text and a quote or backslash in a bureau's name is just a character.

How a value reads:

- ``<https://…>``, or a bare ``https://w3id.org/dutygraph/…`` or other ``http(s)://`` address → an IRI, which
  must lie in one of our namespaces (``https://w3id.org/dutygraph/``) or a W3C one (``http://www.w3.org/``);
- ``dg:LeadRole``, ``at:market-regulation`` → the term of our closed namespaces (a misspelt term is refused);
- ``"…"@zh`` → a language-tagged string; ``"…"^^xsd:date`` (or ``^^<IRI>``) → a typed literal, checked; ``"…"``
  → a plain string; inside quotes ``\\"`` and ``\\\\`` stand for ``"`` and ``\\``;
- ``2020-12-31`` → xsd:date; ``42`` → xsd:integer; ``4.5`` → xsd:decimal (canonical forms, as stored);
- anything else → a plain string, exactly as typed.

>>> parse_param("agency=https://w3id.org/dutygraph/id/agency/331002/market-regulation")
('agency', rdflib.term.URIRef('https://w3id.org/dutygraph/id/agency/331002/market-regulation'))
>>> parse_param("to=2020-12-31")
('to', rdflib.term.Literal('2020-12-31', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date')))
>>> parse_param("metricText=食品抽检量")
('metricText', rdflib.term.Literal('食品抽检量'))
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError
from dutygraph.kg.iris import BASE

#: IRIs a parameter may name: ours, and the W3C vocabularies we reuse (rdf, rdfs, owl, xsd, skos, org, prov, time).
ALLOWED_IRI_PREFIXES: tuple[str, ...] = (BASE, "http://www.w3.org/", "https://www.w3.org/")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NAME = re.compile(r"^[?$]?(?P<name>[^\W\d]\w*)$")
_QUOTED = re.compile(
    r'^"(?P<body>(?:[^"\\]|\\.)*)"(?:@(?P<lang>[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)|\^\^(?P<datatype>\S+))?$',
    re.S,
)
_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_PREFIXED = re.compile(r"^(?P<prefix>dg|at|xsd):(?P<local>[A-Za-z][\w.-]*)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+)$")
# An absolute IRI: no character RFC 3987 forbids unescaped (the stores' own rule).
_IRI_CHARS = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|\\^`]*$')


def parse_param(text: str) -> tuple[str, Identifier]:
    """``name=value`` → the name and the value as an RDF term (see the module docstring for the forms).

    The name may be written with or without ``?``/``$``. A quote and a backslash in a plain value stay as typed:

    >>> parse_param('metricText=抽检"量\\\\')
    ('metricText', rdflib.term.Literal('抽检"量\\\\'))
    >>> parse_param('name="区\\\\"市场\\\\"监管局"@zh')
    ('name', rdflib.term.Literal('区"市场"监管局', lang='zh'))
    >>> parse_param("role=dg:LeadRole")
    ('role', rdflib.term.URIRef('https://w3id.org/dutygraph/ns#LeadRole'))
    >>> parse_param("agency=<https://example.org/bureau>")
    Traceback (most recent call last):
    dutygraph.errors.DutygraphError: parameter agency: IRI https://example.org/bureau is outside https://w3id.org/dutygraph/ and http://www.w3.org/

    :raises DutygraphError: no ``=``, a name that is not a SPARQL variable name, or a value `parse_value` refuses.
    """
    name, equals, value = text.partition("=")
    if not equals:
        raise DutygraphError(f"parameter {text!r} is not NAME=VALUE")
    match = _NAME.match(name.strip())
    if match is None:
        raise DutygraphError(f"parameter name {name.strip()!r} is not a SPARQL variable name")
    try:
        return match["name"], parse_value(value)
    except DutygraphError as error:
        raise DutygraphError(f"parameter {match['name']}: {error}") from None


def parse_params(texts: Iterable[str]) -> dict[str, Identifier]:
    """Every ``name=value`` of a command line, by name.

    >>> parse_params(["from=2018-06-01", "to=2018-06-30"])["to"].toPython()
    datetime.date(2018, 6, 30)

    :raises DutygraphError: one cannot be read, or a name is given twice.
    """
    params: dict[str, Identifier] = {}
    for text in texts:
        name, value = parse_param(text)
        if name in params:
            raise DutygraphError(f"parameter {name} is given twice")
        params[name] = value
    return params


def parse_value(text: str) -> URIRef | Literal:
    """One value as an RDF term (see the module docstring).

    >>> parse_value("4.50")
    rdflib.term.Literal('4.5', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    >>> parse_value('"2020-02-30"^^xsd:date')
    Traceback (most recent call last):
    dutygraph.errors.DutygraphError: '2020-02-30' is not a valid xsd:date

    :raises DutygraphError: an IRI outside the allowed namespaces or not absolute, an unknown ``dg:``/``at:``
        term, a malformed quoted string, or a typed value that is not of its type.
    """
    if text.startswith("<") and text.endswith(">"):
        return _iri(text[1:-1])
    if re.match(r"^https?://", text):
        return _iri(text)
    if text.startswith('"'):
        return _quoted(text)
    if prefixed := _PREFIXED.match(text):
        return _prefixed(prefixed["prefix"], prefixed["local"])
    if _ISO_DATE.match(text):
        return _typed(text, URIRef(_XSD + "date"))
    if _INTEGER.match(text):
        return _typed(text, URIRef(_XSD + "integer"))
    if _DECIMAL.match(text):
        return _typed(text, URIRef(_XSD + "decimal"))
    return Literal(text)


def _iri(text: str) -> URIRef:
    if not _IRI_CHARS.match(text):
        raise DutygraphError(f"{text!r} is not an absolute IRI")
    if not text.startswith(ALLOWED_IRI_PREFIXES):
        raise DutygraphError(f"IRI {text} is outside {BASE} and http://www.w3.org/")
    return URIRef(text)


def _quoted(text: str) -> Literal:
    match = _QUOTED.match(text)
    if match is None:
        raise DutygraphError(f'{text!r} is not a quoted string ("…", "…"@zh or "…"^^xsd:date)')

    def unescaped(escape: re.Match[str]) -> str:
        char = escape[1]
        if char not in _ESCAPED:
            raise DutygraphError(f"unknown escape \\{char} in {text!r}")
        return _ESCAPED[char]

    body = _ESCAPE.sub(unescaped, match["body"])
    if match["lang"]:
        return Literal(body, lang=match["lang"])
    if match["datatype"]:
        written = match["datatype"]
        if written.startswith("<") and written.endswith(">"):
            datatype = _iri(written[1:-1])
        elif (prefixed := _PREFIXED.match(written)) and prefixed["prefix"] == "xsd":
            datatype = URIRef(_XSD + prefixed["local"])
        else:
            raise DutygraphError(f"datatype {written!r} is neither xsd:NAME nor <IRI>")
        return _typed(body, datatype)
    return Literal(body)


def _typed(text: str, datatype: URIRef) -> Literal:
    """A typed literal in the canonical form the stores keep, or an error if `text` is not of the type."""
    kind = str(datatype)  # a URIRef never equals a str
    short = kind.replace(_XSD, "xsd:")
    invalid = DutygraphError(f"{text!r} is not a valid {short}")
    if kind == _XSD + "date":
        if not _ISO_DATE.match(text):
            raise invalid
        try:
            return Literal(dt.date.fromisoformat(text).isoformat(), datatype=datatype)
        except ValueError:
            raise invalid from None
    if kind == _XSD + "integer":
        if not _INTEGER.match(text):
            raise invalid
        return Literal(str(int(text)), datatype=datatype)
    if kind == _XSD + "decimal":
        if not (_DECIMAL.match(text) or _INTEGER.match(text)):
            raise invalid
        value = Decimal(text)
        canonical = str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
        return Literal(canonical, datatype=datatype)
    literal = Literal(text, datatype=datatype)
    if literal.ill_typed:
        raise DutygraphError(f"{text!r} is not a valid {short}")
    return literal


def _prefixed(prefix: str, local: str) -> URIRef:
    from dutygraph.ontology.namespace import AGENCY_TYPE, DG

    if prefix == "xsd":
        return URIRef(_XSD + local)
    namespace = DG if prefix == "dg" else AGENCY_TYPE
    try:
        term: URIRef = namespace[local]
    except (AttributeError, KeyError):
        raise DutygraphError(f"{prefix}:{local} is not a term of the dutygraph vocabulary") from None
    return term
