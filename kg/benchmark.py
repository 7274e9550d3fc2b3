"""Measure a build, the query library and the server at one scale of the synthetic corpus, against the
naive stack.

One run, at scale N (5·N plans from `kg.synthetic_plans`):

- build: `dutygraph build`'s own (`kg.build.build` into an oxigraph store in a temporary folder), timed by
  phase: read (plan files → records), load (records → triples → the draft snapshot, and publishing it),
  reason (the rules engine over the draft → the inferred graph). Each phase reports plans/s or triples/s and
  the process's peak RSS when it ends (``ru_maxrss``: a high-water mark; read and load alternate plan by plan
  and share one);
- reasoning baseline, after the build (so it cannot raise the build's peak): the reference mode — owlrl's
  ``DeductiveClosure(OWLRL_Semantics)`` on a plain rdflib Graph, alternated with the bridging rules in rdflib
  SPARQL — against the rules engine on the same rdflib Graph, and whether they infer the same triples. Above
  `OWLRL_LIMIT` asserted triples (``--owlrl-limit``) owlrl takes many minutes, so both then reason over the
  first five plans only, and the report says so;
- queries: every non-violation ``queries/*.rq``, its parameters bound to the header's example values (a seed
  plan or task example becomes the synthetic plan standing in for it), run `repeats` times on the oxigraph
  store and on an rdflib (``memory``) store holding the same graphs (the first `QUERY_BASELINE_PLANS` plans
  above `QUERY_BASELINE_LIMIT` triples); p50 and p95 of each;
- server: `dutygraph.kg.server_benchmark` — requests/s and p50/p95 of the busiest bureau's tasks (API and
  page) and one ``/sparql`` query with 16 concurrent clients, beside a bare FastAPI route.

The report ends with one line: ``bench: scale=N build-s=… peak-mb=… reasoning-vs-baseline=…x
queries-p95-ms=…`` (the worst p95 over the queries on the oxigraph store).

>>> read = Phase("read", 0.11, 5, "plans", 50.0)
>>> BenchmarkResult(1, 5, 138, 6721, 1141, (read,), rules_s=0.36, owlrl_s=4.82, owlrl_note="").summary_line()
'bench: scale=1 build-s=0.11 peak-mb=50 reasoning-vs-baseline=13.4x queries-p95-ms=0.0'
"""

from __future__ import annotations

import dataclasses
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.term import Identifier

from dutygraph.kg.build import BuildTimes, BuiltPlan, build
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, plan_iri, task_iri
from dutygraph.kg.parameters import parse_value
from dutygraph.kg.query_library import NamedQuery, named_query, query_names, run_query
from dutygraph.kg.reasoning import inferred_graph
from dutygraph.kg.remits import implied_graph
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.kg.synthetic_plans import SEED_PLAN_IDS, write_corpus
from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.records import PlanReading

if TYPE_CHECKING:
    from dutygraph.kg.server_benchmark import ServerLoad

#: Above this many asserted triples the queries without parameters (listings of the whole corpus, such as
#: every edge of the network: exports, not questions) are not timed: at a million triples one run of
#: network-edges takes minutes on oxigraph, and more on the rdflib baseline.
LISTING_LIMIT = 500_000
#: Seconds of repeated runs after which a query stops being timed (after three runs at least).
QUERY_BUDGET_S = 10.0
#: Above this many asserted triples the rdflib query baseline holds the first `QUERY_BASELINE_PLANS` plans only.
QUERY_BASELINE_LIMIT = 300_000
QUERY_BASELINE_PLANS = 100
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
    runs: int = 0
    baseline_runs: int = 0


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
    identical: bool = True
    queries: tuple[QueryTiming, ...] = field(default=())
    baseline_note: str = ""
    server: ServerLoad | None = None

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
            f"reasoning: rules {self.rules_s:.2f} s, owlrl (DeductiveClosure + rdflib SPARQL) {self.owlrl_s:.2f} s "
            f"→ {self.reasoning_ratio:.1f}x{self.owlrl_note}; inferred relation triples "
            + ("identical to owlrl's" if self.identical else "DIFFER from owlrl's"),
            "",
            f"{'query (ms)':<32} {'rows':>6} {'runs':>5} {'p50':>8} {'p95':>8} {'rdflib p50':>11} "
            f"{'rdflib p95':>11} {'runs':>5} {'ratio':>7}",
        ]
        for q in self.queries:
            ratio = q.baseline_p50_ms / q.p50_ms if q.p50_ms > 0 else float("inf")
            lines.append(
                f"{q.name:<32} {q.rows:>6} {q.runs:>5} {q.p50_ms:>8.1f} {q.p95_ms:>8.1f} {q.baseline_p50_ms:>11.1f} "
                f"{q.baseline_p95_ms:>11.1f} {q.baseline_runs:>5} {ratio:>6.1f}x"
            )
        if self.baseline_note:
            lines.append(f"({self.baseline_note})")
        if self.server is not None:
            lines += ["", *self.server.report_lines()]
        lines += ["", self.summary_line()]
        return "\n".join(lines)


def peak_rss_mb() -> float:
    """The process's peak resident set so far plus the largest of its finished children's (the build's plan
    reader), in MB: an upper bound of what the build held at once (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_benchmark(
    scale: int,
    *,
    seed: int = 2020,
    out: Path | None = None,
    repeats: int = 20,
    owlrl_limit: int = OWLRL_LIMIT,
    server_seconds: float = 5.0,
    log: Callable[[str], None] | None = None,
) -> BenchmarkResult:
    """Generate the corpus at `scale` (into `out`, or a temporary folder), build it and time the queries, then
    (unless `server_seconds` is 0) the server under 16 clients. `log` gets a line as each part is measured
    (a run at a million triples takes a while).

    :raises ValueError: `scale` or `repeats` is below 1.
    :raises PlanError: a generated plan cannot be read (a defect of the generator).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be 1 or more, not {repeats}")
    with tempfile.TemporaryDirectory(prefix="dutygraph-bench-") as work:
        corpus = out if out is not None else Path(work) / "plans"
        files = write_corpus(corpus, scale=scale, seed=seed)
        path = Path(work) / "store"
        with open_store("oxigraph", path=path) as store:
            result = _measure(
                scale, files, store, repeats=repeats, owlrl_limit=owlrl_limit, log=log or (lambda line: None)
            )
            if server_seconds > 0:
                from dutygraph.kg.server_benchmark import measure_server

                agency, *others = _bureaus_by_tasks(store)
                if log is not None:
                    log(f"server: 16 clients, {server_seconds:g} s per endpoint, bureau {agency}")
                server = measure_server(
                    path, agency_path=agency, seconds=server_seconds, other_agency_paths=others
                )
                result = dataclasses.replace(result, server=server)
        return result


def _measure(
    scale: int,
    files: list[Path],
    store: GraphStore,
    *,
    repeats: int,
    owlrl_limit: int,
    log: Callable[[str], None],
) -> BenchmarkResult:
    # The build is `dutygraph build`'s own: plans streamed into a draft snapshot, reasoning over it, published.
    peaks: dict[str, float] = {}
    times = BuildTimes(on_phase_end=lambda name: peaks.__setitem__(name, peak_rss_mb()))
    built = build(store, files, times=times)
    asserted_count = sum(plan.triples for plan in built)
    inferred_count = store.count(graph=INFERRED_GRAPH)
    loaded = asserted_count + store.count(graph=ONTOLOGY_GRAPH)
    phases = (
        Phase("read", times.read_s, len(built), "plans", peaks["read+load"]),
        Phase("load", times.load_s, loaded, "triples", peaks["read+load"]),
        Phase("reason", times.reason_s, inferred_count, "triples", peaks["reason"]),
    )
    log(
        f"build: {len(built)} plans, {asserted_count} asserted + {inferred_count} inferred triples in "
        + ", ".join(f"{phase.name} {phase.seconds:.2f} s" for phase in phases)
        + f"; peak {max(phase.peak_mb for phase in phases):.0f} MB"
    )

    # The baselines hold rdflib copies: made after the build, so they cannot raise its peak.
    if asserted_count > owlrl_limit:
        sample = _asserted_sample(store, built[:5])
        note = f" (both on the first 5 plans, {len(sample)} triples: owlrl above {owlrl_limit} takes minutes)"
    else:
        sample = _asserted_sample(store, built)
        note = ""
    seeds = [implied_graph(sample)]
    rules_started = time.perf_counter()
    by_rules = inferred_graph(sample, mode="rules", seeds=seeds)
    rules_s = time.perf_counter() - rules_started
    # The baseline is the reference mode: owlrl's DeductiveClosure on a plain rdflib Graph, alternated with
    # the bridging rules in rdflib's SPARQL — the naive stack — and it must infer exactly what the rules do.
    owlrl_started = time.perf_counter()
    by_owlrl = inferred_graph(sample, mode="owlrl", seeds=seeds)
    owlrl_s = time.perf_counter() - owlrl_started
    identical = set(by_owlrl) == set(by_rules)
    log(
        f"reasoning: rules {rules_s:.2f} s, owlrl {owlrl_s:.2f} s on {len(sample)} triples; identical: {identical}"
    )

    baseline_plans = built if asserted_count <= QUERY_BASELINE_LIMIT else built[:QUERY_BASELINE_PLANS]
    baseline_note = (
        ""
        if len(baseline_plans) == len(built)
        else f"rdflib on the first {len(baseline_plans)} plans only: above {QUERY_BASELINE_LIMIT} triples it "
        "takes too long to load and query"
    )
    readings = [read_plan_file(plan.path) for plan in built[: len(SEED_PLAN_IDS)]]
    with open_store("memory") as baseline:
        names = [plan.graph for plan in baseline_plans] + [ONTOLOGY_GRAPH, INFERRED_GRAPH]
        baseline.replace_graphs({name: store.graph(name) for name in names})
        bindings = _example_bindings(readings)
        timings_made: list[QueryTiming] = []
        skipped: list[str] = []
        for name in query_names():
            if named_query(name).is_violation:
                continue
            if asserted_count > LISTING_LIMIT and not named_query(name).parameter_docs:
                skipped.append(name)  # a listing of the whole corpus: an export, minutes at this size
                continue
            timing = _time_query(
                named_query(name),
                store,
                baseline,
                bindings,
                repeats=repeats,
                baseline_repeats=max(3, repeats // scale),
            )
            log(f"query {name}: p50 {timing.p50_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms ({timing.runs} runs)")
            timings_made.append(timing)
        timings = tuple(timings_made)
    if skipped:
        listing_note = (
            f"listings of the whole corpus not timed above {LISTING_LIMIT:,} triples: {', '.join(skipped)}"
        )
        baseline_note = f"{baseline_note}; {listing_note}" if baseline_note else listing_note
    return BenchmarkResult(
        scale=scale,
        plans=len(built),
        tasks=sum(plan.tasks for plan in built),
        asserted_triples=asserted_count,
        inferred_triples=inferred_count,
        phases=phases,
        rules_s=rules_s,
        owlrl_s=owlrl_s,
        owlrl_note=note,
        identical=identical,
        queries=timings,
        baseline_note=baseline_note,
    )


def _asserted_sample(store: GraphStore, plans: Sequence[BuiltPlan]) -> Graph:
    sample = Graph()
    for plan in plans:
        sample += store.graph(plan.graph)
    return sample


def _bureaus_by_tasks(store: GraphStore) -> list[str]:
    """``code/type`` of up to 5,000 bureaus (not groups) that lead or assist a task, the busiest first: the
    server is asked for the busiest again and again, and for the others each in turn."""
    answer = store.query(_BUREAUS_BY_TASKS)
    bureaus = [str(row[0]).split("/id/agency/", 1)[1] for row in answer.rows if row[0] is not None]
    if not bureaus:
        raise ValueError("the benchmark store holds no agency with a task")
    return bureaus


_BUREAUS_BY_TASKS = """
PREFIX dg: <https://w3id.org/dutygraph/ns#>
SELECT ?agency (COUNT(DISTINCT ?task) AS ?tasks) WHERE {
  ?agency a dg:Agency ; dg:leads|dg:assists ?task .
  FILTER (CONTAINS(STR(?agency), "/id/agency/"))
} GROUP BY ?agency ORDER BY DESC(?tasks) ?agency LIMIT 5000
"""


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
        runs=len(ours),
        baseline_runs=len(theirs),
    )


def _milliseconds(
    query: NamedQuery, store: GraphStore, bindings: Mapping[str, Identifier], repeats: int
) -> list[float]:
    """`repeats` timings of the query — fewer once they have taken `QUERY_BUDGET_S`: three at least, or one
    if that one alone took longer (a query over the whole corpus, every edge of the network, takes a minute
    at a million triples)."""
    times: list[float] = []
    budget_ends = time.perf_counter() + QUERY_BUDGET_S
    for run in range(repeats):
        started = time.perf_counter()
        run_query(store, query, bindings=bindings)
        times.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > budget_ends and (run >= 2 or times[0] > QUERY_BUDGET_S * 1000):
            break
    return times


def _percentile(values: list[float], percent: int) -> float:
    """The `percent`-th percentile (inclusive method); the value itself for a single sample.

    >>> _percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50), _percentile([7.0], 95)
    (3.0, 7.0)
    """
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]
