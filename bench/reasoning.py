"""Benchmark: owlrl (the reference) against the rules engine on a synthetic graph shaped like the plans' graphs.

Run from the project root:

    .venv/bin/python bench/reasoning.py                 # about 10 000 asserted triples (owlrl: ~15 s)
    .venv/bin/python bench/reasoning.py --size 100000   # about 100 000 (owlrl: minutes)
    .venv/bin/python bench/reasoning.py --size 100000 --rules-only
    .venv/bin/python bench/reasoning.py --plans          # the five bundled plans, as `dutygraph build` reads them

It prints the asserted and inferred triple counts, the seconds each mode takes — `inferred_graph` (rdflib
Graphs in and out, the bundled ontology added) for both, and the rules engine again as `dutygraph build` runs
it (over a draft of an oxigraph store) — their ratios, and whether the inferred graphs are identical; it exits 1
if they are not.
This is a script, not a test: the tests compare the modes on fixtures and on the five bundled plans.

The graph: one city with counties, each county with townships; per county the bureaus of many types (some
below a grouping type, such as public security under law enforcement), a township government per township,
a leading group listing bureaus as members, its office hosted by the market regulation bureau, the groups
食安委成员单位 / 各有关部门 / 各乡镇（街道）, and one plan of numbered tasks, each led by one unit and assisted by
two (sometimes a group or the office), with its qualified assignments, title, text and lines, as
`loaders/to_rdf.py` writes them.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import ORG

from dutygraph.kg import iris
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, plan_graph_iri
from dutygraph.kg.reasoning import Reasoning, infer, inferred_graph
from dutygraph.kg.stores import open_store
from dutygraph.ontology import load_ontology
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

BUREAU_TYPES = (
    "market-regulation",
    "health",
    "agriculture",
    "education",
    "public-security",
    "court",
    "procuratorate",
    "justice",
    "ecology-environment",
    "commerce",
    "urban-management",
    "finance",
    "party-propaganda",
    "food-safety-office",
    "government",
)
TASKS_PER_COUNTY = 100
TOWNSHIPS_PER_COUNTY = 8
_ROLES = ((DG.leads, DG.LeadRole), (DG.assists, DG.AssistRole), (DG.assists, DG.AssistRole))


def synthetic_graph(size: int, *, seed: int = 7) -> Graph:
    """A graph of about `size` asserted triples (it stops at the first task past `size`)."""
    rng = random.Random(seed)
    graph = Graph()
    city = _jurisdiction(graph, "990100", None)
    for county_number in count(1):
        if len(graph) >= size:
            break
        _county(graph, rng, f"9901{county_number:02d}", city, size)
    return graph


def _jurisdiction(graph: Graph, code: str, parent: URIRef | None) -> URIRef:
    node = iris.jurisdiction_iri(code)
    graph.add((node, RDF.type, DG.Jurisdiction))
    graph.add((node, RDFS.label, Literal(f"辖区{code}", lang="zh")))
    graph.add((node, DG.adminCode, Literal(code)))
    if parent is not None:
        graph.add((node, DG.parentJurisdiction, parent))
    return node


def _unit(graph: Graph, node: URIRef, kind: URIRef, type_key: str, place: URIRef) -> URIRef:
    graph.add((node, RDF.type, kind))
    graph.add((node, SKOS.prefLabel, Literal(f"{type_key}@{place.rsplit('/', 1)[-1]}", lang="zh")))
    graph.add((node, DG.agencyType, AGENCY_TYPE[type_key]))
    graph.add((node, DG.jurisdiction, place))
    return node


def _county(graph: Graph, rng: random.Random, code: str, city: URIRef, size: int) -> None:
    place = _jurisdiction(graph, code, city)
    plan_id = f"bench-{code}"
    plan = iris.plan_iri(plan_id)
    graph.add((plan, RDF.type, DG.Plan))
    graph.add((plan, DG.sourceFile, Literal(f"{plan_id}.txt")))
    graph.add((plan, DG.jurisdiction, place))
    bureaus = [_unit(graph, iris.agency_iri(code, key), DG.Agency, key, place) for key in BUREAU_TYPES]
    for number in range(1, TOWNSHIPS_PER_COUNTY + 1):
        town_code = f"{code}{number:03d}"
        town = _jurisdiction(graph, town_code, place)
        _unit(graph, iris.agency_iri(town_code, "government"), DG.Agency, "government", town)
    groups = []
    for group_type in ("committee-members", "all-departments", "township-government"):
        group = _unit(graph, iris.group_iri(code, group_type), DG.AgencyGroup, group_type, place)
        if group_type == "township-government":
            graph.add((group, DG.memberType, AGENCY_TYPE.government))
        groups.append(group)
    body = iris.body_iri(plan_id, 1)
    graph.add((body, RDF.type, DG.LeadingGroup))
    graph.add((body, RDFS.label, Literal("食品安全工作领导小组", lang="zh")))
    graph.add((body, DG.jurisdiction, place))
    graph.add((body, DG.inPlan, plan))
    for member in rng.sample(bureaus, 10):
        graph.add((body, ORG.hasMember, member))
    office = iris.node_iri(plan_id, "office", 1)
    graph.add((body, DG.office, office))
    graph.add((office, RDF.type, DG.Office))
    graph.add((office, DG.hostedBy, bureaus[0]))
    units = [*bureaus, *groups, office]
    for number in range(1, TASKS_PER_COUNTY + 1):
        if len(graph) >= size:
            return
        _task(graph, rng, plan_id, plan, number, units)


def _task(
    graph: Graph, rng: random.Random, plan_id: str, plan: URIRef, number: int, units: list[URIRef]
) -> None:
    key = f"{number:02d}"
    task = iris.task_iri(plan_id, key)
    graph.add((plan, DG.hasTask, task))
    graph.add((task, RDF.type, DG.Task))
    graph.add((task, DG.inPlan, plan))
    graph.add((task, DG.taskKey, Literal(f"{plan_id}-{key}")))
    graph.add((task, DG.title, Literal(f"第{number}项任务", lang="zh")))
    graph.add((task, DG.text, Literal(f"加强食品安全监管第{number}项工作，2020年底前完成。", lang="zh")))
    graph.add((task, DG.lineStart, Literal(number * 3, datatype=XSD.integer)))
    graph.add((task, DG.lineEnd, Literal(number * 3 + 2, datatype=XSD.integer)))
    for index, (unit, (predicate, role)) in enumerate(
        zip(rng.sample(units, 3), _ROLES, strict=True), start=1
    ):
        graph.add((unit, predicate, task))
        assignment = iris.node_iri(plan_id, "assignment", key, index)
        graph.add((task, DG.qualifiedAssignment, assignment))
        graph.add((assignment, RDF.type, DG.Assignment))
        graph.add((assignment, DG.agent, unit))
        graph.add((assignment, DG.role, role))
        graph.add((assignment, DG.asWritten, Literal(str(unit).rsplit("/", 1)[-1], lang="zh")))


def timed(asserted: Graph, mode: Reasoning) -> tuple[Graph, float]:
    started = time.perf_counter()
    inferred = inferred_graph(asserted, mode=mode)
    return inferred, time.perf_counter() - started


def timed_as_built(asserted: Graph) -> tuple[frozenset[object], float]:
    """The rules engine as `dutygraph build` runs it: the triples in a plan graph of an oxigraph store on disk,
    `infer` over a draft of it (the plans read as N-Triples, the inferred graph written back), no remit seeds.
    The time is `infer`'s; filling the store is not counted."""
    with (
        tempfile.TemporaryDirectory(prefix="dutygraph-reasoning-bench-") as folder,
        open_store("oxigraph", path=Path(folder) / "store") as store,
    ):
        store.replace_graphs({plan_graph_iri("synthetic"): asserted, ONTOLOGY_GRAPH: load_ontology()})
        with store.draft() as draft:
            started = time.perf_counter()
            infer(draft, seeds=())
            seconds = time.perf_counter() - started
        return frozenset(store.graph(INFERRED_GRAPH)), seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="owlrl against the rules engine on a synthetic graph")
    parser.add_argument("--size", type=int, default=10_000, help="asserted triples (default 10000)")
    parser.add_argument("--rules-only", action="store_true", help="time the rules engine only")
    parser.add_argument(
        "--plans", action="store_true", help="the five bundled plans instead of a synthetic graph"
    )
    args = parser.parse_args(argv)
    if args.plans:
        from dutygraph.loaders.bundled import bundled_plans
        from dutygraph.loaders.extract import read_plan_file
        from dutygraph.loaders.to_rdf import reading_to_graph

        asserted = Graph()
        for path in bundled_plans():
            asserted += reading_to_graph(read_plan_file(path))
        print("the five bundled plans")
    else:
        asserted = synthetic_graph(args.size)
    print(f"asserted: {len(asserted)} triples (+ the ontology)")
    by_rules, rules_seconds = timed(asserted, "rules")
    print(f"rules:  {rules_seconds:8.2f} s  {len(by_rules)} inferred triples  (rdflib Graph in and out)")
    as_built, built_seconds = timed_as_built(asserted)
    print(f"rules:  {built_seconds:8.2f} s  {len(as_built)} inferred triples  (as `dutygraph build` runs it)")
    if args.rules_only:
        return 0
    by_owlrl, owlrl_seconds = timed(asserted, "owlrl")
    print(f"owlrl:  {owlrl_seconds:8.2f} s  {len(by_owlrl)} inferred triples")
    print(f"ratio:  owlrl takes {owlrl_seconds / rules_seconds:.1f}× as long as rules on rdflib Graphs")
    print(
        f"ratio:  owlrl takes {owlrl_seconds / built_seconds:.1f}× as long as rules as `dutygraph build` runs them"
    )
    same = set(by_rules) == set(by_owlrl) == set(as_built)
    print("inferred relation triples: " + ("identical" if same else "DIFFERENT"))
    if not same:
        for triple in sorted(set(by_rules) ^ set(by_owlrl))[:20]:
            print("  only rules:" if triple in by_rules else "  only owlrl:", *triple)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
