"""The persistent store: a pyoxigraph `Store` (RocksDB) in one directory; the only importer of pyoxigraph.

Guarantees (on top of those in `dutygraph.kg.stores.base`):

- **One transaction per `replace_graphs`.** The call sends one SPARQL Update request —
  ``DROP SILENT GRAPH <g> ; … ; INSERT DATA { GRAPH <g> { … } … }`` — and oxigraph runs a whole request
  in one RocksDB transaction: "either the full operation succeeds, or nothing is written"
  (`pyoxigraph.Store.update`). Its write reaches RocksDB's write-ahead log as one batch when it commits,
  so a process killed half-way (kill -9) leaves the old state and one killed after the call returned
  leaves the new one. (`Store.extend` is transactional too and about three times faster, but only adds:
  the drop and the insert would be two commits, and a reader or a crash between them would see the
  plan's graph missing.) The data terms in the request are written in their N-Triples form by
  pyoxigraph itself, which escapes them; query parameters never go into text.
- **Repeatable read.** A query sees one committed state for its whole run (oxigraph's isolation), so a
  thread querying while another thread of the process runs `replace_graphs` sees each graph before or
  after, never between.
- **One writer.** RocksDB locks the directory: a second read-write open, in this or another process,
  fails with a `StoreError` saying it is locked. `read_only=True` opens without the lock and sees the
  data as of opening; pyoxigraph calls reading while another process writes undefined, so the server
  should read a store no build is writing.

>>> import tempfile
>>> from pathlib import Path
>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDFS
>>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
>>> plan = Graph()
>>> _ = plan.add((agency_iri("331002", "market-regulation"), RDFS.label, Literal("区市场监管局", lang="zh")))
>>> with tempfile.TemporaryDirectory() as tmp:
...     with OxigraphStore(path=Path(tmp) / "store") as store:
...         store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
...     with OxigraphStore(path=Path(tmp) / "store", read_only=True) as store:
...         store.count()
1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from dutygraph.errors import StoreError
from dutygraph.kg.stores.base import (
    XSD_STRING,
    GraphStore,
    QueryResult,
    checked_bindings,
    checked_graph_names,
    checked_iri,
    checked_replacement,
    stored_triples,
)

# RocksDB writes this file into every database directory it creates.
_ROCKSDB_MARKER = "CURRENT"
_COUNT_TRIPLES = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"

_OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_OxGraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
_RdfTerm = URIRef | BNode | Literal
_XSD_STRING = str(XSD_STRING)  # compared with pyoxigraph's plain str values (a URIRef never equals a str)


class OxigraphStore(GraphStore):
    """Named graphs in an oxigraph store kept in the directory `path`.

    The directory is created if missing (with its parents). With `path=None` the store is a
    temporary one held in memory (for tests). `read_only=True` opens an existing store for reading.

    :raises StoreError: if `path` is a file, a directory that is not an oxigraph store, a store
        locked by another process, or (read-only) holds no store; the message names the path.
    """

    backend = "oxigraph"

    def __init__(self, *, path: Path | None = None, read_only: bool = False) -> None:
        super().__init__(path=path, read_only=read_only)
        self._store: ox.Store | None = _open(path, read_only=read_only)

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"OxigraphStore({self.path or 'in memory'}, {mode})"

    def replace_graphs(self, graphs: Mapping[URIRef, Graph], *, remove: Iterable[URIRef] = ()) -> None:
        """See `GraphStore.replace_graphs`; one SPARQL Update request, so one transaction.

        >>> from rdflib import Graph, Literal
        >>> from rdflib.namespace import RDFS
        >>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
        >>> plan = Graph()
        >>> bureau = agency_iri("331002", "agriculture")
        >>> _ = plan.add((bureau, RDFS.label, Literal("区农业农村局", lang="zh")))
        >>> store = OxigraphStore()
        >>> store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
        >>> store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): Graph()})
        >>> store.graph_names()
        frozenset()
        """
        replaced, removed = checked_replacement(graphs, remove)
        if self.read_only:
            raise StoreError(f"{self.path}: the oxigraph store was opened read-only")
        store = self._open_store()
        writer = _UpdateWriter()
        operations = [f"DROP SILENT GRAPH {writer.iri(name)}" for name in (*replaced, *removed)]
        blocks = [block for name in replaced if (block := writer.graph_block(name, graphs[name]))]
        if blocks:
            operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        if not operations:
            return
        try:
            store.update(" ;\n".join(operations))
        except (OSError, RuntimeError, SyntaxError, ValueError) as exc:
            raise StoreError(
                f"{self.path}: replacing graphs failed, nothing changed: {_one_line(exc)}"
            ) from exc

    def graph_names(self) -> frozenset[URIRef]:
        """See `GraphStore.graph_names`."""
        store = self._open_store()
        try:
            return frozenset(URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot list graphs: {_one_line(exc)}") from exc

    def count(self, *, graph: URIRef | None = None) -> int:
        """See `GraphStore.count`.

        >>> OxigraphStore().count()
        0
        """
        store = self._open_store()
        try:
            if graph is None:
                return len(store)
            name = ox.NamedNode(checked_iri(graph, what="graph name"))
            answer = store.query(_COUNT_TRIPLES, default_graph=name)
            if not isinstance(answer, ox.QuerySolutions):
                raise StoreError(f"{self.path}: counting triples gave {answer!r}, not solutions")
            return int(next(answer)[0].value)
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot count triples: {_one_line(exc)}") from exc

    def graph(self, iri: URIRef) -> Graph:
        """See `GraphStore.graph`."""
        name = checked_iri(iri, what="graph name")
        store = self._open_store()
        reader = _TermReader()
        copy = Graph(identifier=name)
        try:
            quads = store.quads_for_pattern(None, None, None, ox.NamedNode(name))
            copy.addN((*reader.triple(q.triple), copy) for q in quads)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read graph {name}: {_one_line(exc)}") from exc
        return copy

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """See `GraphStore.query`. Bindings go to pyoxigraph's `substitutions` (SEP-0007).

        >>> from rdflib import Graph, Literal
        >>> from rdflib.namespace import RDFS
        >>> from dutygraph.kg.iris import agency_iri, plan_graph_iri
        >>> plan = Graph()
        >>> _ = plan.add((agency_iri("331002", "health"), RDFS.label, Literal("区卫生健康局", lang="zh")))
        >>> store = OxigraphStore()
        >>> store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): plan})
        >>> name = Literal("区卫生健康局", lang="zh")
        >>> store.query("ASK { ?agency ?p ?name }", bindings={"name": name}).boolean
        True
        """
        checked = checked_bindings(sparql, bindings)
        substitutions: dict[ox.Variable, _OxTerm] = {
            ox.Variable(name): _ox_term(value) for name, value in checked.items()
        }
        store = self._open_store()
        try:
            if graphs is None:
                answer = store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions)
            else:
                names = [ox.NamedNode(name) for name in checked_graph_names(graphs, what="query graph")]
                default_graph: list[_OxGraphName] = list(names)
                named_graphs: list[ox.NamedNode | ox.BlankNode] = list(names)
                answer = store.query(
                    sparql,
                    default_graph=default_graph,
                    named_graphs=named_graphs,
                    substitutions=substitutions,
                )
            return _query_result(answer)
        except SyntaxError as exc:
            raise StoreError(f"not a valid SPARQL query: {_one_line(exc)}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(f"{self.path}: query failed in the oxigraph store: {_one_line(exc)}") from exc

    def close(self) -> None:
        """See `GraphStore.close`: flushes, then drops the pyoxigraph store, which releases the lock."""
        store, self._store = self._store, None
        if store is not None and not self.read_only:
            try:
                store.flush()
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot flush the store: {_one_line(exc)}") from exc
        # pyoxigraph has no close(): RocksDB shuts down when the last reference goes, here.
        del store

    def _open_store(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"{self.path}: the oxigraph store is closed")
        return self._store


def _open(path: Path | None, *, read_only: bool) -> ox.Store:
    """Open (or create) the store, refusing directories that hold something else."""
    if path is None:
        if read_only:
            raise StoreError("a read-only oxigraph store needs a path")
        return ox.Store()
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: not an oxigraph store (it is a file, not a directory)")
    has_database = (path / _ROCKSDB_MARKER).is_file()
    if read_only and not has_database:
        raise StoreError(f"{path}: no oxigraph store there to open read-only (build one first)")
    # RocksDB would happily create its files among someone else's: refuse a foreign directory.
    if path.is_dir() and not has_database and any(path.iterdir()):
        raise StoreError(
            f"{path}: not an oxigraph store (a non-empty directory without RocksDB's CURRENT file)"
        )
    try:
        if read_only:
            return ox.Store.read_only(str(path))
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(path)
    except OSError as exc:
        reason = _one_line(exc)
        if "lock" in reason.lower():
            reason = f"locked by another process or another open store in this one ({reason})"
        raise StoreError(f"{path}: cannot open the oxigraph store: {reason}") from exc


class _UpdateWriter:
    """Writes rdflib terms as SPARQL Update text, each through its pyoxigraph term (which validates it)."""

    def __init__(self) -> None:
        self._texts: dict[Identifier, str] = {}
        # Blank node labels are fresh per request: INSERT DATA gives them new identities anyway.
        self._labels: dict[BNode, str] = {}

    def iri(self, iri: URIRef) -> str:
        return str(ox.NamedNode(iri))

    def graph_block(self, name: URIRef, graph: Graph) -> str:
        """``GRAPH <name> { … }`` holding the triples of `graph`, or "" when it has none."""
        lines = [
            f"{self._term(name, s)} {self._term(name, p)} {self._term(name, o)} ."
            for s, p, o in stored_triples(name, graph)
        ]
        if not lines:
            return ""
        return f"GRAPH {self.iri(name)} {{\n" + "\n".join(lines) + "\n}"

    def _term(self, graph_name: URIRef, term: Identifier) -> str:
        if isinstance(term, BNode):
            return "_:" + self._labels.setdefault(term, f"b{len(self._labels)}")
        text = self._texts.get(term)
        if text is None:
            try:
                text = str(_ox_term(term))
            except (TypeError, ValueError) as exc:
                raise StoreError(f"{graph_name}: cannot store {term!r}: {_one_line(exc)}") from exc
            self._texts[term] = text
        return text


def _ox_term(term: URIRef | Literal | Identifier) -> _OxTerm:
    """An rdflib IRI or literal as a pyoxigraph term.

    :raises ValueError: if oxigraph rejects it (an invalid IRI or language tag).
    :raises TypeError: for any other kind of term.
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        if term.language is not None:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype))
        return ox.Literal(str(term))
    raise TypeError(f"not an IRI or literal: {term!r}")


class _TermReader:
    """Turns pyoxigraph terms into rdflib ones, remembering IRIs (a result repeats few of them often)."""

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}

    def triple(self, triple: ox.Triple) -> tuple[_RdfTerm, _RdfTerm, _RdfTerm]:
        return (self.term(triple.subject), self.term(triple.predicate), self.term(triple.object))

    def term(self, term: object) -> _RdfTerm:
        if isinstance(term, ox.NamedNode):
            iri = self._iris.get(term.value)
            if iri is None:
                iri = self._iris[term.value] = URIRef(term.value)
            return iri
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.direction is not None:
                raise StoreError(f"a literal with a base direction cannot be read into rdflib: {term}")
            if term.language is not None:
                return Literal(term.value, lang=term.language)
            if term.datatype.value == _XSD_STRING:
                return Literal(term.value)
            return Literal(term.value, datatype=self.term(term.datatype))
        raise StoreError(f"an RDF-star triple term cannot be read into rdflib: {term}")


def _query_result(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
    """pyoxigraph's answer as a `QueryResult`, every solution read now."""
    reader = _TermReader()
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        graph = Graph()
        graph.addN((*reader.triple(triple), graph) for triple in answer)
        return QueryResult(graph=graph)
    variables = tuple(variable.value for variable in answer.variables)
    width = range(len(variables))
    rows = tuple(
        tuple(None if value is None else reader.term(value) for value in (solution[i] for i in width))
        for solution in answer
    )
    return QueryResult(variables=variables, rows=rows)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
