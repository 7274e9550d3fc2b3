"""Measure a build and the query library at one scale of the synthetic corpus, against the naive stack.

One run, at scale N (5·N plans from `kg.synthetic_plans`):

- build, in three phases timed apart: read (plan files → records), load (records → triples, written with the
  ontology to an oxigraph store in a temporary folder), reason (the rules engine → the inferred graph, written
  to the store). Each phase reports plans/s or triples/s and the process's peak RSS when it ends
  (``ru_maxrss``: a high-water mark, so a phase shows the most memory used up to and including it);
- the baseline, in the same run and after the build (so it cannot raise the build's peak): a plain rdflib
  Graph of the asserted triples and the ontology closed by owlrl's ``DeductiveClosure(OWLRL_Semantics)``.
  Above `OWLRL_LIMIT` asserted triples owlrl takes minutes, so both engines then reason over the first five
  plans only, and the table says so;
- queries: every non-violation ``queries/*.rq``, its parameters bound to the header's example values (a seed
  plan or task example becomes the synthetic plan standing in for it), run `repeats` times on the oxigraph
  store and on an rdflib (``memory``) store holding the same graphs; p50 and p95 of each.

The report ends with one line: ``bench: scale=N build-s=… peak-mb=… reasoning-vs-baseline=…x
queries-p95-ms=…`` (the worst p95 over the queries on the oxigraph store).

TODO: server throughput with 16 concurrent clients is not measured yet.

>>> read = Phase("read", 0.11, 5, "plans", 50.0)
>>> BenchmarkResult(1, 5, 138, 6721, 1141, (read,), rules_s=0.36, owlrl_s=4.82, owlrl_note="").summary_line()
'bench: scale=1 build-s=0.11 peak-mb=50 reasoning-vs-baseline=13.4x queries-p95-ms=0.0'
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Identifier

from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, plan_graph_iri, plan_iri, task_iri
from dutygraph.kg.parameters import parse_value
from dutygraph.kg.query_library import NamedQuery, named_query, query_names, run_query
from dutygraph.kg.reasoning import inferred_graph
from dutygraph.kg.remits import implied_graph
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.kg.synthetic_plans import SEED_PLAN_IDS, write_corpus
from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.records import PlanReading
from dutygraph.loaders.to_rdf import reading_to_graph
from dutygraph.ontology import load_ontology

#: Above this many asserted triples the owlrl baseline runs on the first five plans only: owlrl closes the
#: scale-1 corpus (~7k triples) in ~5 s but had not closed the scale-10 one (~70k) after 12 minutes.
OWLRL_LIMIT = 20_000


@dataclass(frozen=True)
class Phase:
    """One timed build phase: what it handled (plans or triples) and the peak RSS when it ended."""

    name: str
    seconds: float
    items: int
    unit: str
    peak_mb: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class QueryTiming:
    """p50/p95 milliseconds of one named query on oxigraph and on rdflib, and how many rows it answered."""

    name: str
    rows: int
    p50_ms: float
    p95_ms: float
    baseline_p50_ms: float
    baseline_p95_ms: float


@dataclass(frozen=True)
class BenchmarkResult:
    scale: int
    plans: int
    tasks: int
    asserted_triples: int
    inferred_triples: int
    phases: tuple[Phase, ...]
    rules_s: float
    owlrl_s: float
    owlrl_note: str
    queries: tuple[QueryTiming, ...] = field(default=())

    @property
    def build_s(self) -> float:
        return sum(phase.seconds for phase in self.phases)

    @property
    def peak_mb(self) -> float:
        return max(phase.peak_mb for phase in self.phases)

    @property
    def reasoning_ratio(self) -> float:
        """How many times faster the rules engine reasons than owlrl on the same triples."""
        return self.owlrl_s / self.rules_s if self.rules_s > 0 else float("inf")

    @property
    def queries_p95_ms(self) -> float:
        return max((q.p95_ms for q in self.queries), default=0.0)

    def summary_line(self) -> str:
        return (
            f"bench: scale={self.scale} build-s={self.build_s:.2f} peak-mb={self.peak_mb:.0f} "
            f"reasoning-vs-baseline={self.reasoning_ratio:.1f}x queries-p95-ms={self.queries_p95_ms:.1f}"
        )

    def report(self) -> str:
        """The table of figures and ratios, ending with `summary_line`."""
        lines = [
            f"corpus: scale {self.scale}: {self.plans} plans, {self.tasks} tasks, "
            f"{self.asserted_triples} asserted + {self.inferred_triples} inferred triples",
            "",
            f"{'phase':<8} {'seconds':>9} {'rate':>16} {'peak RSS MB':>12}",
        ]
        for phase in self.phases:
            rate = f"{phase.rate:,.0f} {phase.unit}/s"
            lines.append(f"{phase.name:<8} {phase.seconds:>9.2f} {rate:>16} {phase.peak_mb:>12.0f}")
        lines += [
            f"{'build':<8} {self.build_s:>9.2f}",
            "",
            f"reasoning: rules {self.rules_s:.2f} s, owlrl DeductiveClosure {self.owlrl_s:.2f} s "
            f"→ {self.reasoning_ratio:.1f}x{self.owlrl_note}",
            "",
            f"{'query (ms)':<32} {'rows':>6} {'p50':>8} {'p95':>8} {'rdflib p50':>11} {'rdflib p95':>11} "
            f"{'ratio':>7}",
        ]
        for q in self.queries:
            ratio = q.baseline_p50_ms / q.p50_ms if q.p50_ms > 0 else float("inf")
            lines.append(
                f"{q.name:<32} {q.rows:>6} {q.p50_ms:>8.1f} {q.p95_ms:>8.1f} {q.baseline_p50_ms:>11.1f} "
                f"{q.baseline_p95_ms:>11.1f} {ratio:>6.1f}x"
            )
        lines += ["", self.summary_line()]
        return "\n".join(lines)


def peak_rss_mb() -> float:
    """The process's peak resident set so far, in MB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_benchmark(
    scale: int,
    *,
    seed: int = 2020,
    out: Path | None = None,
    repeats: int = 20,
    owlrl_limit: int = OWLRL_LIMIT,
) -> BenchmarkResult:
    """Generate the corpus at `scale` (into `out`, or a temporary folder), build it and time the queries.

    :raises ValueError: `scale` or `repeats` is below 1.
    :raises PlanError: a generated plan cannot be read (a defect of the generator).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be 1 or more, not {repeats}")
    with tempfile.TemporaryDirectory(prefix="dutygraph-bench-") as work:
        corpus = out if out is not None else Path(work) / "plans"
        files = write_corpus(corpus, scale=scale, seed=seed)
        with open_store("oxigraph", path=Path(work) / "store") as store:
            return _measure(scale, files, store, repeats=repeats, owlrl_limit=owlrl_limit)


def _measure(
    scale: int, files: list[Path], store: GraphStore, *, repeats: int, owlrl_limit: int
) -> BenchmarkResult:
    started = time.perf_counter()
    readings = [read_plan_file(path) for path in files]
    read = Phase("read", time.perf_counter() - started, len(readings), "plans", peak_rss_mb())

    started = time.perf_counter()
    graphs: dict[URIRef, Graph] = {plan_graph_iri(r.plan_id): reading_to_graph(r) for r in readings}
    ontology = load_ontology()
    store.replace_graphs({**graphs, ONTOLOGY_GRAPH: ontology})
    asserted_count = sum(len(g) for g in graphs.values())
    load = Phase(
        "load", time.perf_counter() - started, asserted_count + len(ontology), "triples", peak_rss_mb()
    )

    started = time.perf_counter()
    asserted = Graph()
    for graph in graphs.values():
        asserted += graph
    rules_started = time.perf_counter()
    inferred = inferred_graph(asserted, mode="rules", seeds=[implied_graph(asserted)])
    rules_s = time.perf_counter() - rules_started
    store.replace_graphs({INFERRED_GRAPH: inferred})
    reason = Phase("reason", time.perf_counter() - started, len(inferred), "triples", peak_rss_mb())

    if asserted_count > owlrl_limit:
        sample = Graph()
        for graph in list(graphs.values())[:5]:
            sample += graph
        rules_started = time.perf_counter()
        inferred_graph(sample, mode="rules", seeds=[implied_graph(sample)])
        rules_s = time.perf_counter() - rules_started
        owlrl_s = _owlrl_seconds(sample, ontology)
        note = f" (both on the first 5 plans, {len(sample)} triples: owlrl above {owlrl_limit} takes minutes)"
    else:
        owlrl_s = _owlrl_seconds(asserted, ontology)
        note = ""

    with open_store("memory") as baseline:
        baseline.replace_graphs({**graphs, ONTOLOGY_GRAPH: ontology, INFERRED_GRAPH: inferred})
        bindings = _example_bindings(readings)
        timings = tuple(
            _time_query(
                named_query(name),
                store,
                baseline,
                bindings,
                repeats=repeats,
                baseline_repeats=max(3, repeats // scale),
            )
            for name in query_names()
            if not named_query(name).is_violation
        )
    return BenchmarkResult(
        scale=scale,
        plans=len(readings),
        tasks=sum(len(r.tasks) for r in readings),
        asserted_triples=asserted_count,
        inferred_triples=len(inferred),
        phases=(read, load, reason),
        rules_s=rules_s,
        owlrl_s=owlrl_s,
        owlrl_note=note,
        queries=timings,
    )


def _owlrl_seconds(asserted: Graph, ontology: Graph) -> float:
    """Seconds owlrl takes to close a plain Graph of `asserted` and the ontology (the naive stack)."""
    import owlrl

    graph = Graph()
    graph += asserted
    graph += ontology
    started = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return time.perf_counter() - started


def _example_bindings(readings: list[PlanReading]) -> dict[URIRef, URIRef]:
    """Seed plan and task IRIs of the header examples → the synthetic plan (and a task of it) standing in."""
    substitutes: dict[URIRef, URIRef] = {}
    for seed_plan, reading in zip(SEED_PLAN_IDS, readings, strict=False):
        substitutes[plan_iri(seed_plan)] = plan_iri(reading.plan_id)
        middle = reading.tasks[len(reading.tasks) // 2].key.removeprefix(f"{reading.key_prefix}-")
        for key in ("07", "18b"):
            substitutes[task_iri(seed_plan, key)] = task_iri(reading.plan_id, middle)
    return substitutes


def _time_query(
    query: NamedQuery,
    store: GraphStore,
    baseline: GraphStore,
    substitutes: Mapping[URIRef, URIRef],
    *,
    repeats: int,
    baseline_repeats: int,
) -> QueryTiming:
    bindings: dict[str, Identifier] = {}
    for parameter in query.parameter_docs:
        example = parameter.example
        if example is None:
            raise ValueError(f"query {query.name!r}: parameter {parameter.name} has no example to bind")
        value = parse_value(example)
        bindings[parameter.name] = substitutes.get(value, value) if isinstance(value, URIRef) else value
    rows = len(run_query(store, query, bindings=bindings).rows)
    ours = _milliseconds(query, store, bindings, repeats)
    # rdflib is 10-100x slower: at larger scales the baseline runs fewer times (its p95 is then nearly its max).
    theirs = _milliseconds(query, baseline, bindings, baseline_repeats)
    return QueryTiming(
        query.name,
        rows,
        _percentile(ours, 50),
        _percentile(ours, 95),
        _percentile(theirs, 50),
        _percentile(theirs, 95),
    )


def _milliseconds(
    query: NamedQuery, store: GraphStore, bindings: Mapping[str, Identifier], repeats: int
) -> list[float]:
    times: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        run_query(store, query, bindings=bindings)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _percentile(values: list[float], percent: int) -> float:
    """The `percent`-th percentile (inclusive method); the value itself for a single sample.

    >>> _percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50), _percentile([7.0], 95)
    (3.0, 7.0)
    """
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]
