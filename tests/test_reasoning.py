"""Reasoning into the inferred graph: each rule on a hand-made fixture, owlrl (the reference) against the rules
engine, and what `infer` does to a store built from the five bundled plans.

Fixtures live in tests/reasoning/<rule>/ (see its README): asserted.ttl, expected-inferred.ttl, maybe seeds.ttl.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import ORG, OWL, RDF, RDFS

from dutygraph.errors import ConfigError, DutygraphError
from dutygraph.kg.build import build
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, agency_iri, group_iri, is_plan_graph, task_iri
from dutygraph.kg.reasoning import REASONING_MODES, infer, inferred_graph
from dutygraph.kg.reasoning.rules import bridging_rules, ontology_rules
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.ontology import load_ontology
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

FIXTURES = sorted(p for p in (Path(__file__).parent / "reasoning").iterdir() if (p / "asserted.ttl").exists())


def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def _seeds(folder: Path) -> list[Graph]:
    return [_parse(folder / "seeds.ttl")] if (folder / "seeds.ttl").exists() else []


def _sorted_ntriples(graph: Graph) -> str:
    return "\n".join(sorted(graph.serialize(format="nt").splitlines()))


def _assert_same_graph(produced: Graph, expected: Graph, what: str) -> None:
    iso_produced, iso_expected = to_isomorphic(produced), to_isomorphic(expected)
    if iso_produced != iso_expected:
        _, only_produced, only_expected = graph_diff(iso_produced, iso_expected)
        pytest.fail(
            f"{what}: graphs differ\n--- only expected:\n{_sorted_ntriples(only_expected)}\n"
            f"--- only inferred:\n{_sorted_ntriples(only_produced)}"
        )


# --- each rule on its fixture


def test_there_is_a_fixture_per_rule() -> None:
    names = {folder.name for folder in FIXTURES}
    assert names >= {"role-involvement", "jurisdiction-nesting", "agency-type-broader", "member-role"}
    assert names >= {"office-host", "group-members", "group-subdivisions", "seeds"}
    assert all((folder / "expected-inferred.ttl").exists() for folder in FIXTURES)


@pytest.mark.parametrize("folder", FIXTURES, ids=[f.name for f in FIXTURES])
def test_rules_infer_exactly_the_expected_triples(folder: Path) -> None:
    produced = inferred_graph(_parse(folder / "asserted.ttl"), mode="rules", seeds=_seeds(folder))
    _assert_same_graph(produced, _parse(folder / "expected-inferred.ttl"), f"{folder.name} (rules)")


def _in_fixture(graph: Graph, folder: Path) -> Graph:
    namespace = f"urn:test:{folder.name}:"
    part = Graph()
    for triple in graph:
        if str(triple[0]).startswith(namespace):
            part.add(triple)
    return part


def test_owlrl_infers_the_same_triples_on_every_fixture() -> None:
    # One owlrl run over all fixtures together (each names its nodes under its own namespace): owlrl spends
    # ~1.5 s on the ontology alone, so one run per folder would cost ten times as much.
    everything, seeds = Graph(), []
    for folder in FIXTURES:
        everything += _parse(folder / "asserted.ttl")
        seeds += _seeds(folder)
    by_owlrl = inferred_graph(everything, mode="owlrl", seeds=seeds)
    assert set(by_owlrl) == set(inferred_graph(everything, mode="rules", seeds=seeds))
    for folder in FIXTURES:
        _assert_same_graph(
            _in_fixture(by_owlrl, folder), _parse(folder / "expected-inferred.ttl"), f"{folder.name} (owlrl)"
        )
    assert sum(len(_in_fixture(by_owlrl, folder)) for folder in FIXTURES) == len(by_owlrl)


# --- the rules come from the axioms


def test_rules_are_generated_from_the_axioms_of_the_ontology() -> None:
    rules = ontology_rules(load_ontology())
    readings = {(rule.id, rule.axiom) for rule in rules}
    assert ("prp-spo1", "dg:leads rdfs:subPropertyOf dg:involvedIn") in readings
    assert ("prp-inv1", "dg:hosts owl:inverseOf dg:hostedBy") in readings
    assert ("prp-inv1", "dg:memberOf owl:inverseOf org:hasMember") in readings
    assert ("prp-trp", "dg:withinJurisdiction a owl:TransitiveProperty") in readings
    assert ("prp-spo2", "dg:agencyType owl:propertyChainAxiom (dg:agencyType skos:broader)") in readings
    assert ("prp-spo2", "dg:involvedIn owl:propertyChainAxiom (dg:hosts dg:involvedIn)") in readings
    # scm-spo: dg:ledBy ⊑ dg:involves is written; nothing longer exists in the ontology yet.
    assert ("prp-spo1", "dg:ledBy rdfs:subPropertyOf dg:involves") in readings


def test_an_axiom_written_with_the_data_is_applied_too() -> None:
    oversees = URIRef("urn:test:axioms:oversees")
    bureau, task = URIRef("urn:test:axioms:bureau"), URIRef("urn:test:axioms:task")
    asserted = Graph()
    asserted.add((oversees, RDFS.subPropertyOf, DG.leads))
    asserted.add((bureau, oversees, task))
    inferred = inferred_graph(asserted, mode="rules")
    assert (bureau, DG.leads, task) in inferred
    assert (task, DG.involves, bureau) in inferred


def test_an_axiom_the_rules_cannot_translate_is_refused() -> None:
    asserted = Graph()
    asserted.add((DG.taskKey, RDF.type, OWL.InverseFunctionalProperty))
    with pytest.raises(
        DutygraphError, match=r"owl:InverseFunctionalProperty \(OWL 2 RL prp-ifp\).*mode 'owlrl'"
    ):
        inferred_graph(asserted, mode="rules")
    same = Graph().add((URIRef("urn:test:a"), OWL.sameAs, URIRef("urn:test:b")))
    with pytest.raises(DutygraphError, match="owl:sameAs"):
        inferred_graph(same, mode="rules")


def test_bridging_rules_are_files_with_a_header() -> None:
    rules = {rule.id: rule for rule in bridging_rules()}
    assert set(rules) == {"group-members", "group-subdivisions"}
    for rule in rules.values():
        assert rule.head[1] == ORG.hasMember
        assert " / " in rule.axiom and "?group" in rule.because
        assert rule.select().startswith("SELECT ?group ?agency ")


# --- infer on a store


def test_mode_is_checked_before_any_work() -> None:
    untouchable = cast(GraphStore, object())  # any use of it would raise AttributeError
    with pytest.raises(ConfigError, match=r"unknown reasoning mode 'owl'; choose one of: none, owlrl, rules"):
        infer(untouchable, mode="owl")  # type: ignore[arg-type]
    assert REASONING_MODES == ("none", "owlrl", "rules")


@pytest.fixture(scope="module")
def bundled() -> Iterator[tuple[GraphStore, dict[URIRef, frozenset[object]]]]:
    """The five bundled plans, their graphs as built (before reasoning), then reasoned over once."""
    with open_store("memory") as store:
        build(store, [], reasoning="none")
        before = {name: frozenset(store.graph(name)) for name in store.graph_names()}
        infer(store, seeds=())  # the closure alone: remit seeds are tested apart
        yield store, before


def test_infer_leaves_the_plan_graphs_as_they_were(
    bundled: tuple[GraphStore, dict[URIRef, frozenset[object]]],
) -> None:
    store, before = bundled
    assert set(store.graph_names()) == set(before) | {INFERRED_GRAPH}
    for name, triples in before.items():
        assert frozenset(store.graph(name)) == triples, name


def test_the_inferred_graph_repeats_no_asserted_triple(
    bundled: tuple[GraphStore, dict[URIRef, frozenset[object]]],
) -> None:
    store, before = bundled
    inferred = set(store.graph(INFERRED_GRAPH))
    assert len(inferred) > 1500
    for name, triples in before.items():
        assert is_plan_graph(name) or name == ONTOLOGY_GRAPH
        assert not inferred & triples, name


def test_what_the_bundled_plans_imply(bundled: tuple[GraphStore, dict[URIRef, frozenset[object]]]) -> None:
    store, _ = bundled
    inferred = store.graph(INFERRED_GRAPH)
    market = agency_iri("331002", "market-regulation")
    sampling = task_iri("jiaojiang-2020-reform-tasks", "07")
    assert (sampling, DG.ledBy, market) in inferred
    assert (market, DG.involvedIn, sampling) in inferred
    # 各县（市、区）政府 in the Wenzhou plan: the county governments it names elsewhere are its members and lead.
    counties = group_iri("330300", "county-government")
    ruian = agency_iri("330381", "government")
    assert (counties, ORG.hasMember, ruian) in inferred
    assert (ruian, DG.leads, task_iri("wenzhou-2018-duty-table", "01")) in inferred
    # 各县（市、区）食安办 of Wenzhou reaches 乐清市食安办 of the Yueqing plan: another plan, the division below.
    offices = group_iri("330300", "county-government-food-safety-office")
    assert (offices, ORG.hasMember, agency_iri("330382", "food-safety-office")) in inferred
    # 领导小组办公室设在市市场监管局.
    office = URIRef("https://w3id.org/dutygraph/id/plan/yueqing-2022-demo-city-plan/office/1")
    assert (agency_iri("330382", "market-regulation"), DG.hosts, office) in inferred
    # Types inherit up the scheme; labels, texts and types of nodes are not kept.
    assert (
        agency_iri("331002", "public-security"),
        DG.agencyType,
        AGENCY_TYPE["law-enforcement"],
    ) in inferred
    assert not set(inferred.triples((None, RDF.type, None)))
    assert not set(inferred.triples((None, OWL.sameAs, None)))


def test_inferring_again_changes_no_count(
    bundled: tuple[GraphStore, dict[URIRef, frozenset[object]]],
) -> None:
    store, before = bundled
    counts = {name: store.count(graph=name) for name in store.graph_names()}
    inferred = set(store.graph(INFERRED_GRAPH))
    report = infer(store, seeds=())
    assert {name: store.count(graph=name) for name in store.graph_names()} == counts
    assert set(store.graph(INFERRED_GRAPH)) == inferred
    assert report.mode == "rules" and report.inferred_triples == counts[INFERRED_GRAPH]
    assert report.asserted_triples == len(set().union(*(store.graph(name) for name in before)))
    assert report.rounds >= 2 and report.seconds > 0


@pytest.mark.slow
def test_owlrl_and_rules_infer_the_same_from_the_bundled_plans(
    bundled: tuple[GraphStore, dict[URIRef, frozenset[object]]],
) -> None:
    # All five plans in one graph (owlrl takes ~10 s; per plan it takes as long, the ontology being most of it).
    store, before = bundled
    asserted = Graph()
    for name in before:
        asserted += store.graph(name)
    by_rules = inferred_graph(asserted, mode="rules")
    by_owlrl = inferred_graph(asserted, mode="owlrl")
    _assert_same_graph(by_rules, by_owlrl, "bundled plans (rules vs owlrl)")
    assert set(by_rules) == set(store.graph(INFERRED_GRAPH))


def test_seeds_join_the_closure_and_are_kept() -> None:
    with open_store("memory") as store:
        build(store, [p for p in bundled_plans() if p.stem.startswith("tiantai")], reasoning="none")
        task = task_iri("tiantai-2019-work-points", "1-1")
        education = agency_iri("331023", "education")
        why = URIRef(f"{task}/inference/remit/1")
        seeds = Graph()
        seeds.add((education, DG.involvedIn, task))
        seeds.add((why, RDF.type, DG.Inference))
        seeds.add((why, DG.rule, Literal("remit")))
        seeds.add((why, DG.conclusionAgent, education))
        seeds.add((why, DG.conclusionTask, task))
        report = infer(store, seeds=[seeds])
        inferred = store.graph(INFERRED_GRAPH)
        assert (task, DG.involves, education) in inferred
        assert set(seeds) <= set(inferred)
        assert report.inferred_triples == len(inferred)


def test_mode_none_removes_the_inferred_graph() -> None:
    with open_store("memory") as store:
        build(store, [p for p in bundled_plans() if p.stem.startswith("jiaojiang")], reasoning="none")
        infer(store, mode="rules")
        assert INFERRED_GRAPH in store.graph_names()
        plans = store.count()
        report = infer(store, mode="none")
        assert INFERRED_GRAPH not in store.graph_names()
        assert report.inferred_triples == 0 and report.mode == "none"
        assert store.count() < plans


def test_the_engine_on_disk_infers_what_it_infers_in_memory(
    bundled: tuple[GraphStore, dict[URIRef, frozenset[object]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above `IN_MEMORY_LIMIT` quads the engine works in a temporary RocksDB store; same triples."""
    import dutygraph.kg.reasoning as reasoning

    store, _ = bundled
    in_memory = set(store.graph(INFERRED_GRAPH))
    monkeypatch.setattr(reasoning, "IN_MEMORY_LIMIT", 0)
    report = infer(store, seeds=())
    assert set(store.graph(INFERRED_GRAPH)) == in_memory
    assert report.inferred_triples == len(in_memory) > 1000
