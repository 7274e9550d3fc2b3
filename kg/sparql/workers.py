"""Running queries: `QueryEngine` answers one `QueryJob` (check, dataset, run, write), and `QueryWorkers`
runs the engine in worker processes, killing a worker when its query outlives the time limit (a pyoxigraph
query cannot be interrupted from another thread) and starting a fresh one. An answer holds at most
``max_rows`` rows (SELECT) or triples (CONSTRUCT, DESCRIBE); reading stops at the limit and
`QueryAnswer.truncated` says so.

The workers query pyoxigraph directly rather than through `GraphStore.query`: the protocol's dataset can
have a default graph other than its named graphs (``FROM <a> FROM NAMED <b>``), which `GraphStore.query`
cannot express, and a capped answer must stop reading solutions at the cap instead of materialising them
all. pyoxigraph is imported only inside `QueryEngine`, when a worker runs (as the reasoning engine does).
rdflib's parser checks each query first, in the worker too, so its time counts against the limit.
Workers are started with ``spawn``, which finds `_serve_jobs` by this module's name.

Known gap (pyoxigraph 0.5, as `dutygraph.kg.stores.base` says): a triple asserted in two graphs of the
default graph is seen twice; queries that count should use DISTINCT.

>>> QueryJob("ASK { ?agency ?role ?task }").max_rows
10000
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Final

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError, StoreError
from dutygraph.kg.sparql.checks import checked_protocol_query
from dutygraph.kg.sparql.dataset import DatasetRequest, query_dataset
from dutygraph.kg.sparql.errors import MalformedQuery, QueryFailed, QueryTimedOut, SparqlError
from dutygraph.kg.sparql.formats import _XSD_STRING, QueryForm, ResultFormat, negotiated_format, serialised
from dutygraph.kg.stores import GraphStore, QueryResult
from dutygraph.kg.stores.base import prepared_query
from dutygraph.kg.stores.snapshots import SnapshotDirectory, SnapshotFollower

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    import pyoxigraph as ox

#: How long a new worker may take to open the store before it counts as broken (not part of a query's time).
_STARTUP_LIMIT_S: Final = 120.0
_READY: Final = "ready"
#: Worker processes by default: two answer at once, and one is still free while another is being replaced.
DEFAULT_WORKERS: Final = 2


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

        self._follower: SnapshotFollower[_OpenedStore] | None = None
        try:
            if source.oxigraph_path is not None:
                # The published snapshot, followed: a query after a build sees the new one, no restart.
                directory = SnapshotDirectory(source.oxigraph_path)
                self._follower = SnapshotFollower(directory, _OpenedStore.read_only)
                self._fixed = self._follower.current().opened
            else:
                store = ox.Store()
                if source.nquads_path is not None:
                    store.load(path=source.nquads_path, format=ox.RdfFormat.N_QUADS)
                self._fixed = _OpenedStore(store)
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
        # Held for the whole query: a build published meanwhile cannot change what this one reads.
        snapshot = self._follower.current() if self._follower is not None else None
        opened = snapshot.opened if snapshot is not None else self._fixed
        dataset = query_dataset(query, job.dataset, stored=opened.graphs)
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            ox.NamedNode(g) for g in dataset.default_graphs
        ]
        everything = set(dataset.default_graphs) == set(dataset.named_graphs) == opened.graphs
        try:
            if everything and not query.names_dataset:
                # The same dataset, far faster: oxigraph reads a listed default graph graph by graph.
                found = opened.store.query(job.text, use_default_graph_as_union=True)
            else:
                # The given dataset replaces FROM / FROM NAMED of the text, already checked to agree with it.
                found = opened.store.query(
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


@dataclass(frozen=True)
class _OpenedStore:
    """A pyoxigraph store with the names of its graphs (fixed: a snapshot never changes once published)."""

    store: ox.Store
    graphs: frozenset[URIRef] = frozenset()

    def __post_init__(self) -> None:
        import pyoxigraph as ox

        names = (URIRef(g.value) for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
        object.__setattr__(self, "graphs", frozenset(names))

    @classmethod
    def read_only(cls, path: Path) -> _OpenedStore:
        import pyoxigraph as ox

        try:
            return cls(ox.Store.read_only(str(path)))
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the oxigraph snapshot: {exc}") from exc


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
