"""Build the graph: read plans, write each into its own named graph, the ontology into its own graph, and what
reasoning infers from all the store's plans into the inferred graph.

A build is all or nothing. Every plan is read and turned into triples, and the inferred graph is computed over
the plans the store will hold, before anything is written; then plan graphs, ontology and inferred graph are
written in one `replace_graphs` call. A bad file leaves the store exactly as it was, and a reader never sees a
half-built plan nor inferences from plans other than the ones it sees. Building the same plans again changes
no count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from dutygraph.errors import DutygraphError, PlanError
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, is_plan_graph, plan_graph_iri
from dutygraph.kg.reasoning import Reasoning, checked_mode, inferred_graph
from dutygraph.kg.remits import implied_graph
from dutygraph.kg.stores import GraphStore
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.to_rdf import reading_to_graph
from dutygraph.ontology import load_ontology

#: Called before each plan is read: (plans done, plans in all, file being read).
Progress = Callable[[int, int, Path], None]


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
) -> list[BuiltPlan]:
    """Read `paths` (see `plan_files`) and write their graphs, the ontology graph and the inferred graph to
    `store`, atomically. `reasoning` chooses the engine ("rules", the default; "owlrl", the reference; "none":
    no inferred graph).

    :raises ConfigError: `reasoning` is not a mode (checked before any file is read).
    :raises PlanError: a file cannot be read as a plan; nothing is written.
    :raises DutygraphError: two files would become the same plan (same file name).
    """
    reasoning = checked_mode(reasoning)
    files = plan_files(paths)
    graphs: dict[URIRef, Graph] = {}
    built: list[BuiltPlan] = []
    sources: dict[str, Path] = {}
    for done, path in enumerate(files):
        if progress is not None:
            progress(done, len(files), path)
        reading = read_plan_file(path, layout=layout)
        if reading.plan_id in sources:
            raise DutygraphError(
                f"{path}: same plan name as {sources[reading.plan_id]} ({reading.plan_id!r}); rename one of them"
            )
        sources[reading.plan_id] = path
        graph = reading_to_graph(reading)
        iri = plan_graph_iri(reading.plan_id)
        graphs[iri] = graph
        built.append(BuiltPlan(reading.plan_id, path, iri, len(graph), len(reading.tasks)))
    ontology = load_ontology()
    graphs[ONTOLOGY_GRAPH] = ontology
    remove: list[URIRef] = []
    if reasoning == "none":
        remove.append(INFERRED_GRAPH)
    else:
        graphs[INFERRED_GRAPH] = _inferences(store, graphs, ontology, reasoning)
    store.replace_graphs(graphs, remove=remove)
    if progress is not None and files:
        progress(len(files), len(files), files[-1])
    return built


def _inferences(store: GraphStore, new: dict[URIRef, Graph], ontology: Graph, reasoning: Reasoning) -> Graph:
    """The inferred graph of the store as it will be: its other plans, the new plans, the ontology."""
    asserted = Graph()
    for name in store.graph_names():
        if is_plan_graph(name) and name not in new:
            asserted += store.graph(name)
    for graph in new.values():
        asserted += graph
    return inferred_graph(asserted, mode=reasoning, seeds=[implied_graph(asserted)])
