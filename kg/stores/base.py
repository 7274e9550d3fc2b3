"""The graph store interface every backend implements, and the checks all backends share.

A store holds named graphs only: one per plan (`plan_graph_iri`), the ontology graph and the inferred
graph (`dutygraph.kg.iris`). Nothing is ever written to the default graph; queries read the union of the
named graphs instead. What a reader can rely on, on every backend:

- **Whole graphs change at once.** `replace_graphs` swaps any number of named graphs (and drops others) in
  one step: a reader running during a rebuild sees every graph as it was before the call or every graph
  as it is after it, never some of each and never a graph half written. A call that fails changes
  nothing, whatever the error.
- **A graph exists while it holds a triple.** Replacing a graph with an empty one removes it.
- **Blank nodes are local to one `replace_graphs` call**: the store gives them fresh identities, so a
  blank node written in two calls is two nodes. Our data names everything with IRIs anyway.
- **Literals keep their form**, with exceptions that follow RDF 1.1: ``"x"^^xsd:string`` comes back as
  the plain ``"x"``; language tags come back in lower case (``@zh-Hans`` as ``@zh-hans``: equal by ``==``,
  as tags compare case-insensitively); and oxigraph keeps typed values (xsd:decimal, xsd:integer,
  xsd:double, …) in canonical form, so a non-canonical ``"4.50"^^xsd:decimal`` comes back as ``"4.5"``
  (equal by `Literal.eq`, not by ``==``). Write canonical forms (`Literal(Decimal("4.5"))`) and nothing
  changes.
- **Parameters are bound terms, never text** (SEP-0007 substitution, which is what pyoxigraph implements;
  the memory backend is held to the same rules by `checked_bindings`).

Known gap (pyoxigraph 0.5, oxigraph/oxigraph#1919): a triple asserted in two graphs is seen twice in
oxigraph's union default graph, once in the memory backend's. Queries that count should use DISTINCT.

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDFS
>>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
>>> from dutygraph.kg.stores import open_store
>>> plan = Graph()
>>> _ = plan.add((agency_iri("331002", "market-regulation"), RDFS.label, Literal("区市场监管局", lang="zh")))
>>> with open_store("memory") as store:
...     store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
...     result = store.query("SELECT ?name WHERE { ?agency ?label ?name }")
>>> result.rows
((rdflib.term.Literal('区市场监管局', lang='zh'),),)
"""

from __future__ import annotations

import abc
import contextlib
import functools
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self

import rdflib.namespace
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.term import Identifier, Node

from dutygraph.errors import StoreError

# The XSD namespace object itself stays out of module globals: pytest's doctest finder probes
# every global for mock attributes, and a closed rdflib namespace warns on each unknown one.
XSD_STRING = rdflib.namespace.XSD.string

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

#: What a graph is given as when written: an rdflib Graph, or any set of triples (a build's plans: sets
#: are made far faster than Graphs). Either way it is only iterated.
Triples = Graph | AbstractSet[tuple[Node, Node, Node]]


@dataclass(frozen=True)
class QueryResult:
    """What a query answered, in rdflib terms whatever the backend.

    SELECT fills `variables` and `rows` (None where a variable is unbound), ASK fills `boolean`,
    CONSTRUCT and DESCRIBE fill `graph`.

    >>> from dutygraph.kg.iris import task_iri
    >>> result = QueryResult(variables=("task",), rows=((task_iri("jiaojiang-2020-reform-tasks", "18b"),),))
    >>> result.column("task")
    (rdflib.term.URIRef('https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/task/18b'),)
    """

    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Identifier | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = None

    def column(self, name: str) -> tuple[Identifier | None, ...]:
        """The values of one SELECT variable, row by row.

        :raises KeyError: if the query has no such variable.
        """
        if name not in self.variables:
            raise KeyError(f"no variable ?{name} in {self.variables}")
        index = self.variables.index(name)
        return tuple(row[index] for row in self.rows)


class GraphStore(abc.ABC):
    """A set of named graphs that can be replaced whole and queried with SPARQL.

    Backends: ``memory`` (rdflib, in-process) and ``oxigraph`` (persistent); open one with
    `dutygraph.kg.stores.open_store`. A store is a context manager; leaving the block closes it.
    The module docstring lists the guarantees every backend gives.
    """

    backend: ClassVar[str]

    def __init__(self, *, path: Path | None = None, read_only: bool = False) -> None:
        """Every backend takes these options: its directory (if it keeps one) and whether to refuse writes."""
        self.path = path
        self.read_only = read_only

    @abc.abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Triples], *, remove: Iterable[URIRef] = ()) -> None:
        """Atomically: each given graph replaces the named graph of the same IRI; graphs in `remove` go.

        The key names the graph (the `Graph`'s own identifier is ignored). All or nothing: on any error
        nothing changes, and an error raised while reading a given graph reaches the caller unchanged.
        Readers see the old or the new state, never a mix.

        >>> from rdflib import Graph, Literal
        >>> from rdflib.namespace import RDFS
        >>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
        >>> from dutygraph.kg.stores import open_store
        >>> plan = Graph()
        >>> bureau = agency_iri("331002", "agriculture")
        >>> _ = plan.add((bureau, RDFS.label, Literal("区农业农村局", lang="zh")))
        >>> store = open_store("memory")
        >>> store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
        >>> store.count()
        1
        >>> store.replace_graphs({}, remove=[plan_graph_iri("jiaojiang-2020-reform-tasks")])
        >>> store.count()
        0

        :raises StoreError: if a graph name or term cannot be stored (not an absolute IRI, a literal as
            subject, …), an IRI is both given and removed, the store is read-only or closed, or the
            backend fails to write.
        """

    @abc.abstractmethod
    def graph_names(self) -> frozenset[URIRef]:
        """The IRIs of the named graphs that hold at least one triple.

        :raises StoreError: if the store is closed or cannot be read.
        """

    @abc.abstractmethod
    def count(self, *, graph: URIRef | None = None) -> int:
        """The number of triples in one named graph, or of quads in all of them.

        :raises StoreError: if the store is closed or cannot be read.
        """

    @abc.abstractmethod
    def graph(self, iri: URIRef) -> Graph:
        """A copy of one named graph (empty if there is no such graph), identified by `iri`.

        :raises StoreError: if the store is closed or cannot be read.
        """

    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """Run one SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE) and return all its answers.

        The default graph is the union of all named graphs, or of `graphs` when given; `graphs` also
        limits what ``GRAPH ?g`` can see. `bindings` maps variable names (without ``?``) to IRIs or
        literals, bound as terms by the engine — never pasted into the text. The engines agree only when
        a parameter is named in the SELECT clause (or, for ASK/CONSTRUCT/DESCRIBE, bound by the pattern),
        so other uses are refused: see `checked_bindings`.

        :raises StoreError: if the query is not valid SPARQL, a binding breaks those rules, the store is
            closed, or the engine fails.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Write everything out and release the store (its lock, for oxigraph). Closing twice is harmless."""

    def version(self) -> str | None:
        """A name for the data as it is now, which changes whenever it does — or None if the store cannot
        tell (a remote server, a store being written). What was computed from one version may be reused
        while the version stays the same (`dutygraph.kg.answer_cache`).

        >>> from dutygraph.kg.stores import open_store
        >>> open_store("sparql", endpoint="http://127.0.0.1:7878").version() is None
        True
        """
        return None

    def ntriples(self, iri: URIRef) -> bytes:
        """One named graph as N-Triples (UTF-8), for a consumer that parses it natively (the rules engine).

        >>> from rdflib import Graph, Literal
        >>> from rdflib.namespace import RDFS
        >>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
        >>> from dutygraph.kg.stores import open_store
        >>> plan = Graph()
        >>> _ = plan.add((agency_iri("331002", "health"), RDFS.label, Literal("区卫生健康局", lang="zh")))
        >>> store = open_store("memory")
        >>> store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
        >>> store.ntriples(plan_graph_iri("jiaojiang-2020-reform-tasks")).decode().split(" ", 2)[2].strip()
        '"区卫生健康局"@zh .'

        :raises StoreError: if the store is closed or cannot be read.
        """
        data: bytes = self.graph(iri).serialize(format="nt", encoding="utf-8")
        return data

    @contextlib.contextmanager
    def draft(self) -> Iterator[GraphStore]:
        """A store to make many changes in, published as one when the block ends without an error.

        Inside the block the draft reads and writes like any store (a build writes each plan as it reads
        it, then reasons over the draft); readers of this store see none of it. Leaving the block normally
        publishes every change at once — readers see the old state or the new, never between; leaving it
        by an exception discards the draft and changes nothing.

        This default copies the store into an rdflib memory store and writes the graphs changed there back
        with one `replace_graphs`; the oxigraph backend overrides it with a snapshot on disk, so no copy is
        held in memory.

        >>> from rdflib import Graph, Literal
        >>> from rdflib.namespace import RDFS
        >>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
        >>> from dutygraph.kg.stores import open_store
        >>> plan = Graph()
        >>> _ = plan.add((agency_iri("331002", "health"), RDFS.label, Literal("区卫生健康局", lang="zh")))
        >>> store = open_store("memory")
        >>> with store.draft() as draft:
        ...     draft.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
        ...     store.count(), draft.count()
        (0, 1)
        >>> store.count()
        1

        :raises StoreError: the store is read-only or closed, or cannot be read or written.
        """
        if self.read_only:
            raise StoreError(f"{self.path or self.backend}: a draft needs a store opened for writing")
        from dutygraph.kg.stores.memory import MemoryStore

        copy = MemoryStore()
        copy.replace_graphs({name: self.graph(name) for name in self.graph_names()})
        recording = _RecordingStore(copy)
        yield recording
        changed = {name: copy.graph(name) for name in recording.replaced}
        self.replace_graphs(changed, remove=recording.removed - recording.replaced)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _RecordingStore(GraphStore):
    """A store that remembers which graphs were replaced or removed through it (the default draft)."""

    backend = "draft"

    def __init__(self, inner: GraphStore) -> None:
        super().__init__(path=inner.path, read_only=False)
        self._inner = inner
        self.replaced: set[URIRef] = set()
        self.removed: set[URIRef] = set()

    def replace_graphs(self, graphs: Mapping[URIRef, Triples], *, remove: Iterable[URIRef] = ()) -> None:
        remove = list(remove)
        self._inner.replace_graphs(graphs, remove=remove)
        self.replaced -= set(remove)
        self.replaced |= set(graphs)
        self.removed |= set(remove)

    def graph_names(self) -> frozenset[URIRef]:
        return self._inner.graph_names()

    def count(self, *, graph: URIRef | None = None) -> int:
        return self._inner.count(graph=graph)

    def graph(self, iri: URIRef) -> Graph:
        return self._inner.graph(iri)

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        return self._inner.query(sparql, bindings=bindings, graphs=graphs)

    def close(self) -> None:
        """Nothing to release: the draft's owner closes the copy."""


# --- checks shared by the backends -------------------------------------------------------------------

# An absolute IRI: a scheme, then no character that RFC 3987 forbids unescaped.
_ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|\\^`]*$')
# SPARQL VARNAME, approximately: a letter or underscore, then letters, digits, underscores.
_VARIABLE_NAME = re.compile(r"^[^\W\d]\w*$")


def checked_iri(value: object, *, what: str) -> URIRef:
    """`value` if it is a `URIRef` holding an absolute IRI.

    >>> checked_iri(URIRef("https://w3id.org/dutygraph/graph/ontology"), what="graph name")
    rdflib.term.URIRef('https://w3id.org/dutygraph/graph/ontology')
    >>> checked_iri(URIRef("区市场监管局"), what="graph name")
    Traceback (most recent call last):
    dutygraph.errors.StoreError: graph name is not an absolute IRI: '区市场监管局'

    :raises StoreError: otherwise, naming `what` it was meant to be.
    """
    if not isinstance(value, URIRef):
        raise StoreError(f"{what} must be an IRI (rdflib URIRef), not {type(value).__name__}: {value!r}")
    if not _ABSOLUTE_IRI.match(value):
        raise StoreError(f"{what} is not an absolute IRI: {str(value)!r}")
    return value


def checked_graph_names(graphs: Iterable[URIRef], *, what: str = "graph name") -> tuple[URIRef, ...]:
    """The names, checked and without repeats, in their first order.

    :raises StoreError: if one is not an absolute IRI.
    """
    return tuple(dict.fromkeys(checked_iri(name, what=what) for name in graphs))


def checked_replacement(
    graphs: Mapping[URIRef, Triples], remove: Iterable[URIRef]
) -> tuple[tuple[URIRef, ...], tuple[URIRef, ...]]:
    """The names to replace and to remove, checked; a name may not be in both.

    :raises StoreError: if a name is not an absolute IRI or is both replaced and removed.
    """
    replaced = checked_graph_names(graphs)
    removed = checked_graph_names(remove)
    both = set(replaced) & set(removed)
    if both:
        raise StoreError(f"graph {sorted(both)[0]} is both replaced and removed in one call")
    return replaced, removed


def stored_triples(graph_name: URIRef, graph: Triples) -> Iterator[tuple[URIRef | BNode, URIRef, Identifier]]:
    """The triples of `graph` as a store keeps them: terms checked, literals as `stored_literal` makes them.

    Blank nodes are left as they are (each backend renames them its own way). Errors raised while
    iterating `graph` pass through untouched.

    :raises StoreError: if a triple cannot be stored, naming the graph.
    """
    for subject, predicate, obj in graph:
        if isinstance(subject, URIRef):
            checked_iri(subject, what=f"a subject in {graph_name}")
        elif not isinstance(subject, BNode):
            raise StoreError(f"{graph_name}: a subject must be an IRI or blank node, not {subject!r}")
        predicate = checked_iri(predicate, what=f"a predicate in {graph_name}")
        if isinstance(obj, URIRef):
            checked_iri(obj, what=f"an object in {graph_name}")
        elif isinstance(obj, Literal):
            obj = stored_literal(obj)
        elif not isinstance(obj, BNode):
            raise StoreError(f"{graph_name}: an object must be an IRI, blank node or literal, not {obj!r}")
        yield subject, predicate, obj


def stored_literal(literal: Literal) -> Literal:
    """`literal` as every backend stores it: ``xsd:string`` made plain, the language tag in lower case.

    >>> stored_literal(Literal("区市场监管局", lang="zh-Hans"))
    rdflib.term.Literal('区市场监管局', lang='zh-hans')
    """
    if literal.language is not None and literal.language != literal.language.lower():
        return Literal(str(literal), lang=literal.language.lower())
    if literal.datatype == XSD_STRING:
        return Literal(str(literal))
    return literal


def checked_bindings(sparql: str, bindings: Mapping[str, Identifier] | None) -> dict[str, URIRef | Literal]:
    """The bindings of `sparql`, checked against the rules both engines answer alike.

    A parameter is substituted as a constant wherever it occurs (SEP-0007), including inside FILTER.
    rdflib (issue #1772) and oxigraph then agree only if:

    - a SELECT names the parameter in its SELECT clause (``SELECT *`` does not name it); each row then
      carries the bound value. A parameter used only in a FILTER is fine once it is named there;
    - an ASK, CONSTRUCT or DESCRIBE binds it in its pattern (a triple pattern, GRAPH, VALUES), not only
      in a FILTER or expression;
    - it is not tested with BOUND() nor assigned with BIND / ``AS`` (oxigraph sees it unbound there);
    - a sub-SELECT that uses it also projects it (oxigraph does not bind inside otherwise).

    >>> agency = URIRef("https://w3id.org/dutygraph/id/agency/331002/market-regulation")
    >>> lead = "PREFIX dg: <https://w3id.org/dutygraph/ontology#> "
    >>> checked_bindings(lead + "SELECT ?task ?agency WHERE { ?task dg:lead ?a FILTER(?a = ?agency) }",
    ...                  {"agency": agency})
    {'agency': rdflib.term.URIRef('https://w3id.org/dutygraph/id/agency/331002/market-regulation')}
    >>> checked_bindings(lead + "SELECT ?task WHERE { ?task dg:lead ?agency }", {"agency": agency})
    Traceback (most recent call last):
    dutygraph.errors.StoreError: parameter ?agency is not named in the SELECT clause (SELECT * does not count)

    :raises StoreError: if a name is not a SPARQL variable name, a value is not an IRI or literal, the
        query is not valid SPARQL 1.1, or a rule above is broken.
    """
    if not bindings:
        return {}
    checked: dict[str, URIRef | Literal] = {}
    for name, value in bindings.items():
        if not isinstance(name, str) or not _VARIABLE_NAME.match(name):
            raise StoreError(f"parameter name {name!r} is not a SPARQL variable name (give it without '?')")
        if isinstance(value, URIRef):
            checked[name] = checked_iri(value, what=f"parameter ?{name}")
        elif isinstance(value, Literal):
            checked[name] = stored_literal(value)
        else:
            raise StoreError(f"parameter ?{name} must be an IRI or a literal, not {value!r}")
    shape = _query_shape(sparql)
    for name in checked:
        reason = shape.refusal(name)
        if reason is not None:
            raise StoreError(f"parameter ?{name} {reason}")
    return checked


def prepared_query(sparql: str) -> Query:
    """rdflib's parsed and translated form of `sparql`, cached (named queries run again and again).

    :raises StoreError: if `sparql` is not valid SPARQL 1.1 (including an undeclared prefix).
    """
    return _prepared_query(sparql)


@functools.lru_cache(maxsize=256)
def _prepared_query(sparql: str) -> Query:
    return _parse(sparql)[1]


@functools.lru_cache(maxsize=256)
def _query_shape(sparql: str) -> _QueryShape:
    parsed, prepared = _parse(sparql)
    return _QueryShape.of(parsed, prepared)


# rdflib's SPARQL parser (pyparsing) is not thread-safe: two threads parsing at once — a server's first
# concurrent requests — can leave its grammar broken for the life of the process (every later parse raising
# "Param.postParse2() missing 1 required positional argument"). Parsing is cached and quick; one at a time.
_PARSER_LOCK = threading.Lock()


def _parse(sparql: str) -> tuple[Any, Query]:
    # rdflib's SPARQL grammar takes a noticeable time to build: import it only when a query is run.
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with _PARSER_LOCK:
            parsed = parseQuery(sparql)
            return parsed, translateQuery(parsed)
    except Exception as exc:  # pyparsing errors, and rdflib's bare Exception for an unknown prefix
        reason = " ".join(str(exc).split())
        raise StoreError(f"not a valid SPARQL 1.1 query: {reason}") from exc


@dataclass(frozen=True)
class _QueryShape:
    """How a query uses its variables, as far as the parameter rules need to know."""

    form: str
    named_in_select: frozenset[Variable]
    bound_by_pattern: frozenset[Variable]
    tested_with_bound: frozenset[Variable]
    assigned: frozenset[Variable]
    hidden_in_subselect: frozenset[Variable]

    @classmethod
    def of(cls, parsed: Any, prepared: Query) -> _QueryShape:
        from rdflib.plugins.sparql.parserutils import CompValue

        algebra = prepared.algebra
        top = algebra["p"]
        while isinstance(top, CompValue) and top.name in ("Slice", "Distinct", "Reduced"):
            top = top["p"]
        where = top["p"] if isinstance(top, CompValue) and top.name == "Project" else top
        selected: frozenset[Variable] = frozenset()
        # `SELECT *` has no projection in the parse tree; rdflib then projects every variable it saw,
        # FILTER-only ones included, which oxigraph does not: so only explicitly named ones count.
        # (CompValue.get answers the key itself for a missing key, hence dict.get.)
        if algebra.name == "SelectQuery" and dict.get(parsed[1], "projection") is not None:
            selected = frozenset(algebra["PV"])
        nodes = list(_nodes(where))
        hidden: set[Variable] = set()
        for node in nodes:
            if node.name == "Project":
                hidden |= set(_variables(node["p"])) - set(node["PV"])
        return cls(
            form=algebra.name,
            named_in_select=selected,
            bound_by_pattern=frozenset(_bound_by_pattern(where)),
            tested_with_bound=frozenset(n["arg"] for n in nodes if n.name == "Builtin_BOUND"),
            assigned=frozenset(n["var"] for n in nodes if n.name == "Extend" and not _is_group_sample(n)),
            hidden_in_subselect=frozenset(hidden),
        )

    def refusal(self, name: str) -> str | None:
        """Why parameter `name` cannot be bound in this query, or None if it can."""
        variable = Variable(name)
        if variable in self.tested_with_bound:
            return "is tested with BOUND(), which oxigraph answers as if it were unbound"
        if variable in self.assigned:
            return "is assigned by BIND or AS; a parameter cannot also be computed"
        if variable in self.hidden_in_subselect:
            return "is used inside a sub-SELECT that does not project it"
        if self.form == "SelectQuery":
            if variable not in self.named_in_select:
                return "is not named in the SELECT clause (SELECT * does not count)"
        elif variable not in self.bound_by_pattern:
            return "is not bound by the query pattern (a triple pattern, GRAPH or VALUES, not only a FILTER)"
        return None


def _is_group_sample(extend: Any) -> bool:
    """rdflib re-binds each GROUP BY variable from an internal ``__agg_N__`` sample: not a user's BIND."""
    expr = extend["expr"]
    return isinstance(expr, Variable) and str(expr).startswith("__agg_")


def _nodes(node: object) -> Iterator[Any]:
    """Every algebra node (CompValue) under `node`, itself included, expressions included."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node
        for key, value in dict.items(node):
            if key != "_vars":
                yield from _nodes(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _nodes(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(key)
            yield from _nodes(value)


def _variables(node: object) -> Iterator[Variable]:
    """Every variable mentioned under `node`."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, Variable):
        yield node
    elif isinstance(node, CompValue):
        for key, value in dict.items(node):
            if key != "_vars":
                yield from _variables(value)
    elif isinstance(node, list | tuple | set | frozenset):
        for item in node:
            yield from _variables(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _variables(key)
            yield from _variables(value)


def _bound_by_pattern(node: object) -> set[Variable]:
    """The variables a graph pattern binds (SPARQL's in-scope variables): not those only in expressions."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(node, CompValue):
        return set()
    if node.name == "BGP":
        return {term for triple in node["triples"] for term in triple if isinstance(term, Variable)}
    if node.name == "Project":  # a sub-SELECT binds what it projects
        return set(node["PV"])
    bound: set[Variable] = set()
    if node.name == "Extend":
        bound.add(node["var"])
    elif node.name == "Graph" and isinstance(node["term"], Variable):
        bound.add(node["term"])
    elif node.name == "values":
        bound |= {variable for row in node["res"] for variable in row}
    for key in ("p", "p1", "p2"):
        if key == "p2" and node.name == "Minus":  # MINUS's right side binds nothing outside it
            continue
        bound |= _bound_by_pattern(dict.get(node, key))
    return bound
