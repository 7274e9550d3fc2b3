"""Build the graph: read plans, write each into its own named graph, the ontology into its own graph, and what
reasoning infers from all the store's plans into the inferred graph.

A build is all or nothing: it writes into a draft of the store (`GraphStore.draft`) — each plan's graph as
the plan is read, then the ontology, then the inferred graph computed over every plan the draft holds — and
the draft is published as one change when all of it is done. A bad file, an error or a kill leaves the store
exactly as it was, and a reader never sees a half-built plan nor inferences from plans other than the ones it
sees. Building the same plans again changes no count.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from dutygraph.errors import DutygraphError, PlanError
from dutygraph.kg.iris import ONTOLOGY_GRAPH, plan_graph_iri
from dutygraph.kg.reasoning import Reasoning, checked_mode, infer
from dutygraph.kg.stores import GraphStore
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.loaders.read_ahead import read_ahead
from dutygraph.loaders.to_rdf import reading_to_triples
from dutygraph.ontology import load_ontology

#: Called before each plan is read: (plans done, plans in all, file being read).
Progress = Callable[[int, int, Path], None]


@dataclass
class BuildTimes:
    """Seconds a build spent on each phase, filled in as it runs (for `dutygraph bench`): reading plan files
    into records (what the build waited for: a worker reads ahead), loading (records → triples → the draft,
    and publishing it), reasoning over the draft."""

    read_s: float = 0.0
    load_s: float = 0.0
    reason_s: float = 0.0
    #: Called at the end of each phase with its name ("read+load" — they alternate plan by plan — "reason").
    on_phase_end: Callable[[str], None] | None = None


@dataclass(frozen=True)
class BuiltPlan:
    plan_id: str
    path: Path
    graph: URIRef
    triples: int
    tasks: int


def plan_files(paths: Iterable[Path]) -> list[Path]:
    """The plan files named: files as given, folders by their ``*.txt`` files; none named → the bundled plans.

    :raises PlanError: a path that does not exist, or a folder holding no ``.txt`` file.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
            if not inside:
                raise PlanError(path, "folder holds no .txt plan file")
            found.extend(inside)
        elif path.exists():
            found.append(path)
        else:
            raise PlanError(path, "no such file or folder")
    return found if found or list(paths) else bundled_plans()


def build(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    layout: str | None = None,
    reasoning: Reasoning = "rules",
    progress: Progress | None = None,
    times: BuildTimes | None = None,
) -> list[BuiltPlan]:
    """Read `paths` (see `plan_files`) and write their graphs, the ontology graph and the inferred graph to
    `store`, atomically. `reasoning` chooses the engine ("rules", the default; "owlrl", the reference; "none":
    no inferred graph). `times`, when given, gets the seconds of each phase.

    :raises ConfigError: `reasoning` is not a mode (checked before any file is read).
    :raises PlanError: a file cannot be read as a plan; nothing is written.
    :raises DutygraphError: two files would become the same plan (same file name).
    """
    reasoning = checked_mode(reasoning)
    files = plan_files(paths)
    built: list[BuiltPlan] = []
    sources: dict[str, Path] = {}
    times = times if times is not None else BuildTimes()
    clock = time.perf_counter
    with store.draft() as draft, contextlib.closing(read_ahead(files, layout=layout)) as readings:
        started = clock()
        # Read by a worker process while the plan before was written (for many files); the worker exits
        # when the last plan is read.
        for done, (path, reading) in enumerate(readings):
            read = clock()
            times.read_s += read - started
            if progress is not None:
                progress(done, len(files), path)
            if reading.plan_id in sources:
                raise DutygraphError(
                    f"{path}: same plan name as {sources[reading.plan_id]} ({reading.plan_id!r}); rename one of them"
                )
            sources[reading.plan_id] = path
            graph = reading_to_triples(reading)
            iri = plan_graph_iri(reading.plan_id)
            # Written as read: the draft holds the plans, not this process (a national corpus fits on disk).
            draft.replace_graphs({iri: graph})
            built.append(BuiltPlan(reading.plan_id, path, iri, len(graph), len(reading.tasks)))
            started = clock()
            times.load_s += started - read
        started = clock()
        draft.replace_graphs({ONTOLOGY_GRAPH: load_ontology()})
        draft.count()  # the draft loads what it held back before it is read
        times.load_s += clock() - started
        if times.on_phase_end is not None:
            times.on_phase_end("read+load")
        started = clock()
        infer(draft, mode=reasoning)
        times.reason_s += clock() - started
        started = clock()
    times.load_s += clock() - started  # publishing: the draft's last writes, closed and renamed into place
    if times.on_phase_end is not None:
        times.on_phase_end("reason")
    if progress is not None and files:
        progress(len(files), len(files), files[-1])
    return built
