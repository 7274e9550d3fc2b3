"""Named SPARQL queries from `queries/*.rq`, with their headers, run on a store with bound parameters.

A query file opens with a header of comment lines (the form `dutygraph.queries` describes)::

    # title: 单位的任务 / Tasks of an agency
    # answers: Which tasks involve this agency, in which role, due when, from which plan?
    # parameters:
    #   - agency: IRI of a dg:Agency or dg:AgencyGroup, e.g. <https://w3id.org/dutygraph/id/agency/…>
    # reads: plan graphs and, when included, the inferred graph

The body writes each parameter with SPARQL's other variable sign, ``$agency`` — the same variable as
``?agency`` to every engine, so the text runs unchanged — and every other variable with ``?``. That is how the
variables the body expects bound are told from the rest: `expected_parameters` lists the ``$`` ones, and a
file whose header declares another set is refused. The body names its parameters first in the SELECT clause
(both engines bind a parameter only there: `checked_bindings`), so each row says what it answers for. A
parameter's doc opens with its kind — ``IRI of a dg:…`` or ``xsd:date`` (checked before the query runs) — and
gives an example after ``e.g.``. Parameters are bound as RDF terms by the store
(`GraphStore.query(bindings=...)`), never pasted into the text.

Every parameter is required: for an optional filter the library has a second query (``agency-tasks-in-role``
beside ``agency-tasks``), or the caller filters rows.

>>> query = named_query("stats")
>>> query.title
'图谱统计 / Graph statistics'
>>> query.parameters
()
>>> named_query("agency-tasks").parameters
('agency',)
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError, StoreError
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, is_plan_graph
from dutygraph.kg.stores import GraphStore, QueryResult
from dutygraph.kg.stores.base import prepared_query

_HEADER_KEYS = ("title", "answers", "parameters", "reads")
_HEADER_LINE = re.compile(r"^# ?(?P<key>[a-z-]+)\s*:\s*(?P<value>.*)$")
_PARAMETER = re.compile(r"^#\s+-\s*(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<doc>.+)$")
_CONTINUATION = re.compile(r"^#\s{2,}(?P<value>\S.*)$")
_EXAMPLE = re.compile(r"\be\.g\.\s+(?P<value>\S+)")

# What can hide a `$` that is not a variable sign: long and short strings, IRIs, comments. An IRI holds no
# space, which tells `<https://…>` from the operator in `?date <= $to`.
_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*"
)
_DOLLAR_VARIABLE = re.compile(r"\$(?P<name>[^\W\d]\w*)")
_QUESTION_VARIABLE = re.compile(r"\?(?P<name>[^\W\d]\w*)")

_XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

#: Queries that must answer nothing on good data end with this (INCATools ODK naming).
VIOLATION_SUFFIX = "-violation"


@dataclass(frozen=True)
class QueryParameter:
    """One parameter a query declares: its name (without ``$``) and what it is, with an example.

    >>> QueryParameter("agency", "IRI of a dg:Agency, e.g. <https://w3id.org/dutygraph/id/agency/331002/health>").names_agency
    True
    """

    name: str
    doc: str

    @property
    def example(self) -> str | None:
        """The example value the doc gives after ``e.g.``, as a user would type it.

        >>> QueryParameter("from", "xsd:date, the first day, e.g. 2018-06-01").example
        '2018-06-01'
        """
        match = _EXAMPLE.search(self.doc)
        return match["value"] if match else None

    def refusal(self, value: Identifier) -> str | None:
        """Why `value` cannot be this parameter, going by the doc's first words, or None if it can.

        A doc opening with ``IRI of`` wants an IRI; one opening with ``xsd:date`` wants a date.

        >>> QueryParameter("to", "xsd:date, the last day, e.g. 2018-06-30").refusal(Literal("6月前"))
        "wants an xsd:date (such as 2018-06-30), not '6月前'"
        """
        if self.doc.startswith("IRI of") and not isinstance(value, URIRef):
            return f"wants an IRI ({self.doc}), not {str(value)!r}"
        if self.doc.startswith("xsd:date") and not (
            isinstance(value, Literal) and value.datatype == _XSD_DATE
        ):
            return f"wants an xsd:date (such as {self.example}), not {str(value)!r}"
        return None

    @property
    def names_agency(self) -> bool:
        """Whether the value is an agency (or group) IRI — one a user may also give by name."""
        return self.doc.startswith("IRI of a dg:Agency")


@dataclass(frozen=True)
class NamedQuery:
    """A query and its header: `parameters` are the names, `parameter_docs` what each one is."""

    name: str
    title: str
    answers: str
    reads: str
    parameters: tuple[str, ...]
    text: str
    parameter_docs: tuple[QueryParameter, ...] = ()

    @property
    def is_violation(self) -> bool:
        """A check: every row it answers is a defect in the data."""
        return self.name.endswith(VIOLATION_SUFFIX)


def expected_parameters(text: str) -> tuple[str, ...]:
    """The variables a query body expects bound: those it writes with ``$``, in order of first use.

    ``$`` inside strings, IRIs and comments does not count.

    >>> expected_parameters('SELECT $from $to ?task WHERE { ?task ?p "$5" FILTER(?date <= $to) } # $note')
    ('from', 'to')

    :raises DutygraphError: a parameter is also written with ``?`` (one spelling per variable, so a reader
        sees at once what is bound from outside).
    """
    code = _NOT_CODE.sub(" ", text)
    names = tuple(dict.fromkeys(match["name"] for match in _DOLLAR_VARIABLE.finditer(code)))
    both = sorted(set(names) & {match["name"] for match in _QUESTION_VARIABLE.finditer(code)})
    if both:
        raise DutygraphError(
            f"parameter {', '.join('$' + n for n in both)} is also written with '?'; write a parameter with $ only"
        )
    return names


def parse_query(
    name: str, text: str, *, header_required: bool = True, source: str | None = None
) -> NamedQuery:
    """A query and its header, checked: the declared parameters are the ``$`` variables of the body.

    Without a header (allowed when `header_required` is false: a user's own file or text), the parameters are
    the ``$`` variables and the title is the name. `source` names the text in error messages (default: `name`).

    >>> text = "# title: 方案 / Plans\\n# answers: Which plans?\\n# parameters: none\\n# reads: plan graphs\\n"
    >>> parse_query("plans", text + "SELECT ?plan WHERE { ?plan a ?class }").answers
    'Which plans?'
    >>> mine = "# note: tasks of one bureau\\nSELECT $agency ?task WHERE { $agency ?role ?task }"
    >>> parse_query("mine", mine, header_required=False).parameters
    ('agency',)

    :raises DutygraphError: the header lacks a key, its parameter list is malformed, or it declares other
        parameters than the body expects bound (the message names both sets).
    """
    where = source or name
    header: dict[str, str] = {}
    documented: list[QueryParameter] = []
    last_key: str | None = None  # the key (or, when None, the parameter) a continuation line extends
    for line in text.splitlines():
        if not line.startswith("#") or not line[1:].strip():
            break  # the header is the leading block of non-empty comment lines
        if match := _PARAMETER.match(line):
            documented.append(QueryParameter(match["name"], match["doc"].strip()))
            last_key = None
        elif match := _HEADER_LINE.match(line):
            last_key = match["key"]
            header[last_key] = match["value"].strip()
        elif match := _CONTINUATION.match(line):
            more = match["value"].strip()
            if last_key is not None:
                header[last_key] = f"{header[last_key]} {more}".strip()
            elif documented:
                documented[-1] = QueryParameter(documented[-1].name, f"{documented[-1].doc} {more}")
    expected = expected_parameters(text)
    if not header_required and not set(header) & set(_HEADER_KEYS):  # comments, but no header
        return NamedQuery(name, name, "", "", expected, text, tuple(QueryParameter(n, "") for n in expected))
    missing = [key for key in _HEADER_KEYS if key not in header]
    if missing:
        raise DutygraphError(f"{where}: header lacks {', '.join(missing)}")
    declared = tuple(p.name for p in documented)
    if header["parameters"] not in ("", "none") or (header["parameters"] == "none") == bool(declared):
        raise DutygraphError(
            f"{where}: write '# parameters: none', or '# parameters:' followed by one '#   - name: what it is' line each"
        )
    if set(declared) != set(expected) or len(declared) != len(set(declared)):
        raise DutygraphError(
            f"{where}: header declares parameters {sorted(declared)} but the body writes "
            f"{sorted('$' + n for n in expected)}"
        )
    return NamedQuery(
        name, header["title"], header["answers"], header["reads"], declared, text, tuple(documented)
    )


@functools.cache
def query_names() -> tuple[str, ...]:
    """Every query in the library, by name.

    >>> "agency-tasks" in query_names() and "task-without-agency-violation" in query_names()
    True
    """
    folder = importlib.resources.files("dutygraph.queries")
    return tuple(sorted(p.name.removesuffix(".rq") for p in folder.iterdir() if p.name.endswith(".rq")))


def violation_names() -> tuple[str, ...]:
    """The checks of the library: queries named ``*-violation``, which answer nothing on good data.

    >>> "deadline-without-kind-violation" in violation_names()
    True
    """
    return tuple(name for name in query_names() if name.endswith(VIOLATION_SUFFIX))


@functools.cache
def named_query(name: str) -> NamedQuery:
    """The query called `name` (its file name without .rq).

    :raises DutygraphError: no such query (the message lists the known names), or its header is incomplete
        or disagrees with its body.
    """
    if name not in query_names():
        raise DutygraphError(f"no query named {name!r}; known: {', '.join(query_names())}")
    resource = importlib.resources.files("dutygraph.queries") / f"{name}.rq"
    return parse_query(name, resource.read_text(encoding="utf-8"), source=f"queries/{name}.rq")


def checked_query_form(text: str) -> str:
    """The form of a read-only query — ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` — or why it is refused.

    Refused: SPARQL Update (the store is read here, never written), ``FROM``/``FROM NAMED`` (the graphs a query
    reads are chosen by `graphs_to_read`, not by the text) and ``SERVICE`` (no query reaches out of the store).

    >>> checked_query_form("PREFIX dg: <https://w3id.org/dutygraph/ns#> ASK { ?agency dg:leads ?task }")
    'ASK'
    >>> checked_query_form("DELETE WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    dutygraph.errors.DutygraphError: SPARQL Update is refused: queries only read the store

    :raises DutygraphError: as above; `StoreError` if the text is not valid SPARQL 1.1.
    """
    from rdflib.plugins.sparql.parser import parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = prepared_query(text).algebra  # cached: the memory store runs this very parse
    except StoreError as query_error:
        try:
            parseUpdate(text)
        except Exception:  # pyparsing's ParseException and rdflib's bare Exception alike
            raise query_error from None
        raise DutygraphError("SPARQL Update is refused: queries only read the store") from None
    if dict.get(algebra, "datasetClause"):
        raise DutygraphError("FROM / FROM NAMED is refused: the graphs a query reads are chosen by dutygraph")

    def has_service(node: object) -> bool:
        if isinstance(node, CompValue):
            return node.name == "ServiceGraphPattern" or any(has_service(v) for v in dict.values(node))
        if isinstance(node, list | tuple):
            return any(has_service(item) for item in node)
        return False

    if has_service(algebra):
        raise DutygraphError("SERVICE is refused: a query reads this store only")
    return str(algebra.name).removesuffix("Query").upper()


def run_query(
    store: GraphStore,
    query: NamedQuery,
    *,
    bindings: Mapping[str, Identifier] | None = None,
    inferred: bool = True,
) -> QueryResult:
    """Run `query` with `bindings` for exactly its declared parameters; without `inferred`, on what the plans
    assert (+ the ontology) only.

    :raises DutygraphError: a declared parameter is not given, a given one is not declared (both named), or
        a value is not of the kind its header doc names (an IRI, an xsd:date).
    :raises StoreError: the store refuses or fails the query.
    """
    given = dict(bindings or {})
    unknown = sorted(set(given) - set(query.parameters))
    if unknown:
        declared = ", ".join(query.parameters) or "none"
        raise DutygraphError(
            f"query {query.name!r} takes no parameter {', '.join(unknown)} (its parameters: {declared})"
        )
    missing = [name for name in query.parameters if name not in given]
    if missing:
        raise DutygraphError(
            f"query {query.name!r} needs parameter {', '.join(missing)} (give --param NAME=VALUE)"
        )
    for parameter in query.parameter_docs:
        reason = parameter.refusal(given[parameter.name])
        if reason is not None:
            raise DutygraphError(f"query {query.name!r}: parameter {parameter.name} {reason}")
    graphs = None if inferred else graphs_to_read(store, inferred=False)
    return store.query(query.text, bindings=given, graphs=graphs)


def run_named(
    store: GraphStore,
    name: str,
    *,
    bindings: Mapping[str, Identifier] | None = None,
    inferred: bool = True,
) -> QueryResult:
    """Run a library query; `bindings` must name exactly the parameters its header declares.

    >>> from dutygraph.kg.stores import open_store
    >>> with open_store("memory") as store:
    ...     run_named(store, "workload").rows
    ()

    :raises DutygraphError: no such query, or the bindings do not match its parameters.
    :raises StoreError: the store refuses or fails the query.
    """
    return run_query(store, named_query(name), bindings=bindings, inferred=inferred)


def graphs_to_read(store: GraphStore, *, inferred: bool) -> list[URIRef]:
    """The graphs a query reads: what the plans assert (+ the ontology), and with `inferred` the inferred graph.

    Choosing by graph, never by filtering mixed triples, keeps documents and inferences apart.
    """
    names = store.graph_names()
    chosen = sorted(g for g in names if is_plan_graph(g) or g == ONTOLOGY_GRAPH)
    if inferred and INFERRED_GRAPH in names:
        chosen.append(INFERRED_GRAPH)
    return chosen


@dataclass(frozen=True)
class Violation:
    """One row of a check: the offending node and what is wrong with it, in Chinese and English."""

    check: str
    node: Identifier | None
    message_zh: str
    message_en: str


def find_violations(store: GraphStore, *, checks: tuple[str, ...] | None = None) -> tuple[Violation, ...]:
    """Run every check of the library (or those named) on the whole store: no violation means no rows.

    The checks read every graph, the inferred one included: ``task-without-agency-violation`` counts the
    agencies reasoning implies for tasks that name none, so run the checks on a store built with reasoning.

    >>> from dutygraph.kg.stores import open_store
    >>> with open_store("memory") as store:
    ...     find_violations(store)
    ()

    :raises DutygraphError: a name is not a check of the library.
    :raises StoreError: the store refuses or fails a query.
    """
    names = violation_names() if checks is None else checks
    found: list[Violation] = []
    for name in names:
        query = named_query(name)
        if not query.is_violation:
            raise DutygraphError(f"{name!r} is not a check (checks are named *{VIOLATION_SUFFIX})")
        result = run_query(store, query)
        for row in result.rows:
            values = dict(zip(result.variables, row, strict=True))
            found.append(
                Violation(
                    name, values.get("node"), _text(values.get("message_zh")), _text(values.get("message_en"))
                )
            )
    return tuple(found)


def _text(term: Identifier | None) -> str:
    return str(term) if isinstance(term, Literal | URIRef) else ""
