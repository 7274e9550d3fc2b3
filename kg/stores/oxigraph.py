"""The persistent store: pyoxigraph `Store`s (RocksDB) in one directory; with the sparql workers, the only
importer of pyoxigraph.

Guarantees (on top of those in `dutygraph.kg.stores.base`):

- **A write is a new snapshot, published in one rename.** `replace_graphs` copies the latest published
  snapshot (a RocksDB checkpoint: hard links, cheap at any size), drops the replaced graphs in the copy,
  bulk-loads the new ones, closes it and renames the pointer to it (`dutygraph.kg.stores.snapshots`).
  Nobody opens a copy before it is published, so the bulk loader — ten times faster than a transaction,
  and not atomic itself — is safe: a failure deletes the copy, and a process killed half-way (kill -9)
  leaves it unpublished, the store as it was, and the next writer deletes it. In memory (`path=None`)
  the call is one SPARQL Update request, which oxigraph runs as one transaction.
- **Readers follow the published snapshot.** A read-only store — the server's — checks the pointer (one
  stat) at each call and moves to a newer snapshot when a build published one, so it sees the old or the
  new graphs, never a half-written one, and needs no restart. Each call reads one snapshot throughout.
- **One writer.** A second read-write open, in this or another process, fails with a `StoreError` saying
  it is locked. Readers are never blocked, and never block a writer.

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

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

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
from dutygraph.kg.stores.snapshots import Snapshot, SnapshotDirectory, SnapshotFollower
from dutygraph.kg.stores.substitution import substituted

# Quads handed to the bulk loader at a time: big enough for its speed, small enough to bound memory.
_BULK_BATCH = 200_000
_Result = TypeVar("_Result")
_COUNT_TRIPLES = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"

_OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_OxGraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
_RdfTerm = URIRef | BNode | Literal
_XSD_STRING = str(XSD_STRING)  # compared with pyoxigraph's plain str values (a URIRef never equals a str)


class OxigraphStore(GraphStore):
    """Named graphs in an oxigraph store kept in the directory `path`, as published snapshots.

    The directory is created if missing (with its parents). With `path=None` the store is a
    temporary one held in memory (for tests). `read_only=True` opens an existing store for reading; it
    follows the latest published snapshot, so it sees each build once it is complete.

    :raises StoreError: if `path` is a file, a directory that is not an oxigraph store, a store
        locked by another writer, or (read-only) holds no store; the message names the path.
    """

    backend = "oxigraph"

    def __init__(self, *, path: Path | None = None, read_only: bool = False) -> None:
        super().__init__(path=path, read_only=read_only)
        self._closed = False
        self._memory: ox.Store | None = None
        self._directory: SnapshotDirectory | None = None
        self._follower: SnapshotFollower[ox.Store] | None = None
        self._writer = contextlib.ExitStack()
        self._loader: _BulkLoader | None = None  # set in a draft: writes go to the bulk loader
        self._graph_names_of: tuple[str, frozenset[str]] = ("", frozenset())
        if path is None:
            if read_only:
                raise StoreError("a read-only oxigraph store needs a path")
            self._memory = ox.Store()
            return
        directory = self._directory = SnapshotDirectory(path)
        directory.check_usable()
        if read_only:
            self._follower = SnapshotFollower(directory, _open_snapshot)
            return
        self._writer.enter_context(directory.writer())
        try:
            directory.collect_garbage()  # snapshots of killed builds, and old ones no reader holds
            if directory.latest() is not None:
                self._follower = SnapshotFollower(directory, _open_snapshot)
        except BaseException:
            self._writer.close()
            raise

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"OxigraphStore({self.path or 'in memory'}, {mode})"

    def replace_graphs(self, graphs: Mapping[URIRef, Triples], *, remove: Iterable[URIRef] = ()) -> None:
        """See `GraphStore.replace_graphs`: on disk, a draft snapshot published in one rename; in memory,
        one SPARQL Update request, so one transaction.

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
        self._check_open()
        if self._loader is not None:
            self._loader.replace(graphs, replaced, removed)
        elif self._directory is None:
            self._replace_in_memory(graphs, replaced, removed)
        else:
            with self.draft() as draft:
                draft.replace_graphs(graphs, remove=removed)

    def _replace_in_memory(
        self, graphs: Mapping[URIRef, Triples], replaced: Sequence[URIRef], removed: Sequence[URIRef]
    ) -> None:
        store = self._reading().opened
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

    @contextlib.contextmanager
    def draft(self) -> Iterator[GraphStore]:
        """See `GraphStore.draft`. On disk: a copy of the latest snapshot (hard links), written with the bulk
        loader — safe, as nobody opens a copy before it is published — then closed and published by renaming
        the pointer. An exception, or a kill, leaves the copy unpublished: it is deleted then (or by the next
        writer), and the store is as it was.
        """
        directory = self._directory
        if directory is None or self._loader is not None:
            with super().draft() as copy:
                yield copy
            return
        if self.read_only:
            raise StoreError(f"{self.path}: the oxigraph store was opened read-only")
        self._check_open()
        name = directory.new_snapshot_name()
        target = directory.snapshot_path(name)
        try:
            draft = OxigraphStore._draft_at(target, self._copy_of_latest(target))
            try:
                yield draft
                draft._finish()
            finally:
                draft.close()  # drops the last reference to the copy: RocksDB closes it before publishing
        except BaseException:
            directory.discard(name)
            raise
        directory.publish(name)
        if self._follower is None:
            self._follower = SnapshotFollower(directory, _open_snapshot)
        self._follower.current()  # move to the new snapshot, letting go of the old one
        directory.collect_garbage()

    @classmethod
    def _draft_at(cls, target: Path, store: ox.Store) -> OxigraphStore:
        draft = cls()
        draft.path = target
        draft._memory = store
        draft._loader = _BulkLoader(store, target)
        return draft

    def _copy_of_latest(self, target: Path) -> ox.Store:
        """A new read-write store at `target`: a copy of the latest snapshot, or empty if there is none."""
        if self._follower is not None:
            latest = self._follower.current()
            _oxigraph_call(
                target, "cannot copy the latest snapshot", lambda: latest.opened.backup(str(target))
            )
        return _oxigraph_call(target, "cannot open a new snapshot", lambda: ox.Store(str(target)))

    def _finish(self) -> None:
        """Load what the draft still holds back, and write it all to disk."""
        if self._loader is not None and self._memory is not None:
            self._loader.flush()
            _oxigraph_call(self._loader.path, "cannot flush the snapshot", self._memory.flush)

    def ntriples(self, iri: URIRef) -> bytes:
        """See `GraphStore.ntriples`: written by oxigraph itself."""
        name = checked_iri(iri, what="graph name")
        snapshot = self._reading()
        data = _oxigraph_call(
            self.path or Path(),
            "cannot write the graph as N-Triples",
            lambda: snapshot.opened.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)),
        )
        return data or b""

    def graph_names(self) -> frozenset[URIRef]:
        """See `GraphStore.graph_names`."""
        snapshot = self._reading()
        try:
            return frozenset(
                URIRef(g.value) for g in snapshot.opened.named_graphs() if isinstance(g, ox.NamedNode)
            )
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot list graphs: {_one_line(exc)}") from exc

    def count(self, *, graph: URIRef | None = None) -> int:
        """See `GraphStore.count`.

        >>> OxigraphStore().count()
        0
        """
        snapshot = self._reading()
        store = snapshot.opened
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
        snapshot = self._reading()
        reader = _TermReader()
        copy = Graph(identifier=name)
        try:
            quads = snapshot.opened.quads_for_pattern(None, None, None, ox.NamedNode(name))
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
        """See `GraphStore.query`. Bindings are substituted into the text as terms (SEP-0007).

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
        # Terms go into the text (SEP-0007 substitution, `substitution.substituted`), not into pyoxigraph's
        # `substitutions`: oxigraph plans a query before it sees those, as if for every value.
        text = substituted(sparql, checked_bindings(sparql, bindings))
        snapshot = self._reading()  # held until every answer is read: one snapshot for the whole query
        store = snapshot.opened
        try:
            if graphs is None or self._names_all_graphs(snapshot, graphs):
                # Equal to listing them, and far faster: oxigraph reads a listed default graph graph by graph.
                answer = store.query(text, use_default_graph_as_union=True)
            else:
                names = [ox.NamedNode(name) for name in checked_graph_names(graphs, what="query graph")]
                default_graph: list[_OxGraphName] = list(names)
                named_graphs: list[ox.NamedNode | ox.BlankNode] = list(names)
                answer = store.query(text, default_graph=default_graph, named_graphs=named_graphs)
            return _query_result(answer)
        except SyntaxError as exc:
            raise StoreError(f"not a valid SPARQL query: {_one_line(exc)}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(f"{self.path}: query failed in the oxigraph store: {_one_line(exc)}") from exc

    def _names_all_graphs(self, snapshot: Snapshot[ox.Store], graphs: Sequence[URIRef]) -> bool:
        """Whether `graphs` holds every named graph of `snapshot` (a published one's names are cached)."""
        if snapshot.hold is not None and self._graph_names_of[0] == snapshot.name:
            names = self._graph_names_of[1]
        else:
            names = frozenset(g.value for g in snapshot.opened.named_graphs() if isinstance(g, ox.NamedNode))
            if snapshot.hold is not None:  # published, so never changes
                self._graph_names_of = (snapshot.name, names)
        return len(graphs) >= len(names) and names.issubset(graphs)

    def version(self) -> str | None:
        """See `GraphStore.version`: the published snapshot a read-only store reads now (a writer's data may
        change under it, so it names none).

        >>> OxigraphStore().version() is None
        True
        """
        if not self.read_only or self._follower is None:
            return None
        return f"oxigraph:{self.path}:{self._follower.current().name}"

    def snapshot_name(self) -> str | None:
        """The published snapshot reads go to now (None in memory, or before anything was published).

        >>> OxigraphStore().snapshot_name() is None
        True
        """
        self._check_open()
        return None if self._follower is None else self._follower.current().name

    def close(self) -> None:
        """See `GraphStore.close`: lets go of the snapshot it reads and of the writer's lock."""
        if self._closed:
            return
        self._closed = True
        # pyoxigraph has no close(): RocksDB shuts down when the last reference goes.
        self._memory = None
        self._loader = None
        self._follower = None
        self._writer.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.path or 'in memory'}: the oxigraph store is closed")

    def _reading(self) -> Snapshot[ox.Store]:
        """What reads go to: the latest published snapshot (alive as long as the caller holds it)."""
        self._check_open()
        if self._loader is not None:
            self._loader.flush()  # a draft reads what was written to it
        if self._memory is not None:
            return Snapshot("memory", self._memory)
        if self._follower is None:
            return Snapshot("empty", ox.Store())  # a writer's store before its first write
        return self._follower.current()


def _open_snapshot(path: Path) -> ox.Store:
    """A published snapshot, read-only (what `SnapshotFollower` opens)."""
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the oxigraph snapshot: {_one_line(exc)}") from exc


def _oxigraph_call(path: Path, what: str, call: Callable[[], _Result]) -> _Result:
    """`call()`, with pyoxigraph's errors as a one-line `StoreError` naming `path`."""
    try:
        return call()
    except (OSError, RuntimeError, SyntaxError, ValueError) as exc:
        raise StoreError(f"{path}: {what}, nothing changed: {_one_line(exc)}") from exc


class _BulkLoader:
    """Writes graphs into a store nobody reads yet (a draft snapshot): drops at once, quads to the bulk loader
    in large batches (a batch per plan would leave RocksDB thousands of small files to merge)."""

    def __init__(self, store: ox.Store, path: Path) -> None:
        self.store = store
        self.path = path
        self._pending: list[ox.Quad] = []
        self._pending_graphs: set[URIRef] = set()
        self._terms = _TermCache()

    def replace(
        self, graphs: Mapping[URIRef, Triples], replaced: Sequence[URIRef], removed: Sequence[URIRef]
    ) -> None:
        if self._pending_graphs.intersection([*replaced, *removed]):
            self.flush()  # the drop below must not run before quads of the same graph still held back
        drops = " ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in (*replaced, *removed))
        if drops:
            _oxigraph_call(self.path, "cannot drop the replaced graphs", lambda: self.store.update(drops))
        blanks: dict[BNode, ox.BlankNode] = {}  # fresh blank nodes per call, as INSERT DATA makes them
        for name in replaced:
            before = len(self._pending)
            self._pending.extend(self._terms.quads(name, graphs[name], blanks))
            if len(self._pending) > before:
                self._pending_graphs.add(name)
            if len(self._pending) >= _BULK_BATCH:
                self.flush()

    def flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self._pending_graphs.clear()
            _oxigraph_call(
                self.path, "cannot load the new graphs", functools.partial(self.store.bulk_extend, batch)
            )


class _TermCache:
    """rdflib triples as pyoxigraph quads for the bulk loader. Each term is checked (as `stored_triples` checks
    it) and converted once per place it takes — a million triples name a few thousand terms."""

    def __init__(self) -> None:
        self._places: tuple[dict[Node, _OxTerm], ...] = ({}, {}, {})  # subject, predicate, object

    def quads(self, name: URIRef, graph: Triples, blanks: dict[BNode, ox.BlankNode]) -> Iterator[ox.Quad]:
        """The quads of `graph` in graph `name`; `blanks` maps its blank nodes to fresh ones (filled here)."""
        graph_name = ox.NamedNode(name)
        subjects, predicates, objects = self._places
        for s, p, o in graph:
            subject = _fresh(blanks, s) if isinstance(s, BNode) else subjects.get(s)
            predicate = predicates.get(p)
            obj = _fresh(blanks, o) if isinstance(o, BNode) else objects.get(o)
            if subject is None or predicate is None or obj is None:
                subject, predicate, obj = self._first_seen(name, (s, p, o), blanks)
            yield ox.Quad(subject, predicate, obj, graph_name)  # type: ignore[arg-type]

    def _first_seen(
        self, graph_name: URIRef, triple: tuple[Node, Node, Node], blanks: dict[BNode, ox.BlankNode]
    ) -> tuple[_OxTerm, _OxTerm, _OxTerm]:
        """Check the triple as `stored_triples` does, then convert its terms and remember them by place."""
        checked = next(stored_triples(graph_name, {triple}))
        converted: list[_OxTerm] = []
        for place, (given, term) in enumerate(zip(triple, checked, strict=True)):
            if isinstance(term, BNode):
                converted.append(_fresh(blanks, term))
                continue
            try:
                converted.append(_ox_term(term))
            except (TypeError, ValueError) as exc:
                raise StoreError(f"{graph_name}: cannot store {term!r}: {_one_line(exc)}") from exc
            self._places[place][given] = converted[-1]
        return converted[0], converted[1], converted[2]


def _fresh(blanks: dict[BNode, ox.BlankNode], node: BNode) -> ox.BlankNode:
    blank = blanks.get(node)
    if blank is None:
        blank = blanks[node] = ox.BlankNode()
    return blank


class _UpdateWriter:
    """Writes rdflib terms as SPARQL Update text, each through its pyoxigraph term (which validates it)."""

    def __init__(self) -> None:
        self._texts: dict[Identifier, str] = {}
        # Blank node labels are fresh per request: INSERT DATA gives them new identities anyway.
        self._labels: dict[BNode, str] = {}

    def iri(self, iri: URIRef) -> str:
        return str(ox.NamedNode(iri))

    def graph_block(self, name: URIRef, graph: Triples) -> str:
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
