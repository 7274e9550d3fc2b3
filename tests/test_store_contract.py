"""One contract, every backend: what a caller of `dutygraph.kg.stores` may rely on, whichever store it got.

Every test taking the `store` fixture runs on each name in `BACKENDS` — ``sparql`` on a real Oxigraph
server on loopback (the `oxigraph_server` fixture); none is skipped under CI when a backend is missing.
Known differences between backends are xfail(strict=True) marks kept in `KNOWN_GAPS`, so a fixed engine
turns the test red until the mark goes. Oxigraph-only behaviour (persistence, locking, crash safety) is
at the end, then the whole CLI on the sparql backend.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib.namespace as ns
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Identifier, Node

from dutygraph.errors import StoreError
from dutygraph.kg.iris import agency_iri, plan_graph_iri, task_iri
from dutygraph.kg.stores import BACKENDS, GraphStore, QueryResult, open_store

# The namespaces are used through `ns.`: a closed rdflib namespace held as a module global makes
# pytest's doctest collection warn about every attribute it probes.
DCTERMS, ORG, PROV, RDF, SKOS, XSD = ns.DCTERMS, ns.ORG, ns.PROV, ns.RDF, ns.SKOS, ns.XSD
del ns

JIAOJIANG = "jiaojiang-2020-reform-tasks"
JIZHOU = "jizhou-2020-supervision-plan"
JIAOJIANG_GRAPH = plan_graph_iri(JIAOJIANG)
JIZHOU_GRAPH = plan_graph_iri(JIZHOU)
MARKET_BUREAU = agency_iri("331002", "market-regulation")
FARMING_BUREAU = agency_iri("331002", "agriculture")
JIZHOU_MARKET_BUREAU = agency_iri("120119", "market-regulation")

PREFIXES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# (backend, test name) -> why it fails there. One place for every known gap.
KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("oxigraph", "test_a_triple_in_two_graphs_is_seen_once_in_the_union"): (
        "oxigraph/oxigraph#1919: pyoxigraph 0.5 merges graphs as a bag, so a shared triple is seen twice"
    ),
    ("sparql", "test_a_triple_in_two_graphs_is_seen_once_in_the_union"): (
        "oxigraph/oxigraph#1919: Oxigraph server 0.5's union-default-graph is a bag, as in pyoxigraph"
    ),
}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    gap = KNOWN_GAPS.get((request.param, request.node.originalname))
    if gap is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=gap))
    if request.param == "sparql":
        # One server for the session: each test starts from an empty one, emptied through the contract.
        endpoint: str = request.getfixturevalue("oxigraph_server")
        with open_store("sparql", endpoint=endpoint) as opened:
            opened.replace_graphs({}, remove=opened.graph_names())
            yield opened
        return
    with open_store(request.param, path=tmp_path / "store") as opened:
        yield opened


def jiaojiang_plan() -> Graph:
    """A few facts of the Jiaojiang plan, with every kind of literal the loaders write."""
    plan = Graph()
    risk_check, farm_produce, school_canteens = (task_iri(JIAOJIANG, key) for key in ("1", "2", "18b"))
    plan.add((MARKET_BUREAU, RDF.type, ORG.Organization))
    plan.add((MARKET_BUREAU, SKOS.prefLabel, Literal("台州市椒江区市场监督管理局", lang="zh")))
    plan.add((MARKET_BUREAU, SKOS.altLabel, Literal("区市场监管局", lang="zh")))
    plan.add((FARMING_BUREAU, RDF.type, ORG.Organization))
    plan.add((FARMING_BUREAU, SKOS.prefLabel, Literal("区农业农村局", lang="zh")))
    plan.add((risk_check, DCTERMS.title, Literal("建立食品安全风险隐患排查治理机制", lang="zh")))
    plan.add((risk_check, PROV.wasAssociatedWith, MARKET_BUREAU))
    plan.add((risk_check, DCTERMS.date, Literal("2020-12-31", datatype=XSD.date)))
    plan.add((farm_produce, DCTERMS.title, Literal("开展农产品质量安全专项整治", lang="zh")))
    plan.add((farm_produce, PROV.wasAssociatedWith, FARMING_BUREAU))
    plan.add((farm_produce, DCTERMS.description, Literal("食品抽检量达到4.5批次/千人")))
    plan.add((farm_produce, RDF.value, Literal("4.5", datatype=XSD.decimal)))
    plan.add((school_canteens, DCTERMS.title, Literal("学校食堂“互联网+明厨亮灶”覆盖率达到100%", lang="zh")))
    plan.add((school_canteens, PROV.wasAssociatedWith, MARKET_BUREAU))
    plan.add((school_canteens, RDF.value, Literal("100", datatype=XSD.integer)))
    return plan


def jizhou_plan() -> Graph:
    plan = Graph()
    sampling = task_iri(JIZHOU, "3")
    plan.add((JIZHOU_MARKET_BUREAU, SKOS.prefLabel, Literal("蓟州区市场监管局", lang="zh")))
    plan.add((sampling, DCTERMS.title, Literal("完成食品安全监督抽检任务", lang="zh")))
    plan.add((sampling, PROV.wasAssociatedWith, JIZHOU_MARKET_BUREAU))
    return plan


def tasks_led_by(store: GraphStore, agency: URIRef) -> set[Identifier | None]:
    query = PREFIXES + "SELECT ?task ?agency WHERE { ?task prov:wasAssociatedWith ?agency }"
    return set(store.query(query, bindings={"agency": agency}).column("task"))


# --- writing and reading whole graphs --------------------------------------------------------------------


def test_a_replaced_graph_reads_back_isomorphic(store: GraphStore) -> None:
    plan = jiaojiang_plan()
    store.replace_graphs({JIAOJIANG_GRAPH: plan})

    assert store.graph_names() == {JIAOJIANG_GRAPH}
    assert store.count(graph=JIAOJIANG_GRAPH) == len(plan) == 15
    assert store.count() == 15
    copy = store.graph(JIAOJIANG_GRAPH)
    assert copy.identifier == JIAOJIANG_GRAPH
    assert isomorphic(copy, plan)


def test_replacing_again_with_fewer_triples_drops_the_old_ones(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    smaller = Graph()
    smaller.add((MARKET_BUREAU, SKOS.prefLabel, Literal("台州市椒江区市场监督管理局", lang="zh")))

    store.replace_graphs({JIAOJIANG_GRAPH: smaller})

    assert store.count(graph=JIAOJIANG_GRAPH) == 1
    assert set(store.graph(JIAOJIANG_GRAPH)) == set(smaller)
    assert tasks_led_by(store, MARKET_BUREAU) == set()


def test_two_graphs_replaced_in_one_call_are_counted_apart(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan(), JIZHOU_GRAPH: jizhou_plan()})

    assert store.graph_names() == {JIAOJIANG_GRAPH, JIZHOU_GRAPH}
    assert store.count(graph=JIAOJIANG_GRAPH) == 15
    assert store.count(graph=JIZHOU_GRAPH) == 3
    assert store.count() == 18
    assert store.count(graph=plan_graph_iri("tiantai-2019-work-points")) == 0


def test_remove_drops_only_the_named_graph(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan(), JIZHOU_GRAPH: jizhou_plan()})

    store.replace_graphs({}, remove=[JIAOJIANG_GRAPH, plan_graph_iri("never-loaded")])

    assert store.graph_names() == {JIZHOU_GRAPH}
    assert store.count() == 3
    assert len(store.graph(JIAOJIANG_GRAPH)) == 0
    assert tasks_led_by(store, JIZHOU_MARKET_BUREAU) == {task_iri(JIZHOU, "3")}


def test_replacing_and_removing_in_one_call(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})

    store.replace_graphs({JIZHOU_GRAPH: jizhou_plan()}, remove=[JIAOJIANG_GRAPH])

    assert store.graph_names() == {JIZHOU_GRAPH}
    assert store.count() == 3


def test_an_empty_replacement_removes_the_graph(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})

    store.replace_graphs({JIAOJIANG_GRAPH: Graph()})

    assert store.graph_names() == frozenset()
    assert store.count() == 0


def test_graph_returns_a_copy(store: GraphStore) -> None:
    store.replace_graphs({JIZHOU_GRAPH: jizhou_plan()})

    copy = store.graph(JIZHOU_GRAPH)
    copy.remove((None, None, None))

    assert store.count(graph=JIZHOU_GRAPH) == 3


def test_literals_round_trip_exactly(store: GraphStore) -> None:
    plan = jiaojiang_plan()
    store.replace_graphs({JIAOJIANG_GRAPH: plan})

    assert set(store.graph(JIAOJIANG_GRAPH)) == set(plan)
    objects = {o for o in store.graph(JIAOJIANG_GRAPH).objects() if isinstance(o, Literal)}
    assert Literal("区市场监管局", lang="zh") in objects
    assert Literal("食品抽检量达到4.5批次/千人") in objects
    date = next(o for o in objects if o.datatype == XSD.date)
    assert (str(date), date.language) == ("2020-12-31", None)
    decimal = next(o for o in objects if o.datatype == XSD.decimal)
    assert str(decimal) == "4.5"


def test_language_tags_come_back_lower_case_and_equal(store: GraphStore) -> None:
    plan = Graph()
    plan.add((MARKET_BUREAU, SKOS.altLabel, Literal("区市场监管局", lang="zh-Hans")))
    store.replace_graphs({JIAOJIANG_GRAPH: plan})

    (label,) = store.graph(JIAOJIANG_GRAPH).objects()

    assert isinstance(label, Literal)
    assert label.language == "zh-hans"
    assert label == Literal("区市场监管局", lang="zh-Hans")
    query = "SELECT ?agency ?label WHERE { ?agency ?p ?label }"
    by_label = store.query(query, bindings={"label": Literal("区市场监管局", lang="zh-Hans")})
    assert by_label.column("agency") == (MARKET_BUREAU,)


def test_query_answers_are_rdflib_terms_with_datatype_and_language(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    task = task_iri(JIAOJIANG, "1")

    result = store.query(
        PREFIXES + "SELECT ?task ?title ?date WHERE { ?task dcterms:title ?title ; dcterms:date ?date }"
    )

    assert result.variables == ("task", "title", "date")
    assert result.rows == (
        (
            task,
            Literal("建立食品安全风险隐患排查治理机制", lang="zh"),
            Literal("2020-12-31", datatype=XSD.date),
        ),
    )
    assert [type(term) for term in result.rows[0]] == [URIRef, Literal, Literal]


def test_xsd_string_comes_back_plain_and_non_canonical_numbers_equal_in_value(store: GraphStore) -> None:
    plan = Graph()
    task = task_iri(JIAOJIANG, "2")
    plan.add((task, DCTERMS.description, Literal("抽检4.50批次/千人", datatype=XSD.string)))
    plan.add((task, RDF.value, Literal("4.50", datatype=XSD.decimal)))
    store.replace_graphs({JIAOJIANG_GRAPH: plan})

    stored = dict(store.graph(JIAOJIANG_GRAPH).predicate_objects(task))

    assert stored[DCTERMS.description] == Literal("抽检4.50批次/千人")
    value = stored[RDF.value]
    assert isinstance(value, Literal)
    assert value.datatype == XSD.decimal
    assert value.eq(Literal("4.5", datatype=XSD.decimal))


def test_blank_nodes_round_trip_as_an_isomorphic_graph(store: GraphStore) -> None:
    plan = Graph()
    indicator = BNode()
    plan.add((task_iri(JIAOJIANG, "2"), PROV.generated, indicator))
    plan.add((indicator, RDF.value, Literal("4.5", datatype=XSD.decimal)))
    plan.add((indicator, SKOS.note, Literal("批次/千人")))

    store.replace_graphs({JIAOJIANG_GRAPH: plan})

    assert isomorphic(store.graph(JIAOJIANG_GRAPH), plan)


# --- queries -----------------------------------------------------------------------------------------------


def test_select_binds_a_parameter_as_a_term(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    query = PREFIXES + "SELECT ?task ?agency WHERE { ?task prov:wasAssociatedWith ?agency } ORDER BY ?task"

    result = store.query(query, bindings={"agency": MARKET_BUREAU})

    assert result.rows == (
        (task_iri(JIAOJIANG, "1"), MARKET_BUREAU),
        (task_iri(JIAOJIANG, "18b"), MARKET_BUREAU),
    )


def test_a_parameter_used_only_inside_a_filter_is_bound_there(store: GraphStore) -> None:
    # rdflib issue #1772: a binding joined after the query (a final VALUES) leaves the FILTER unbound.
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    query = (
        PREFIXES + "SELECT ?task ?agency WHERE { ?task prov:wasAssociatedWith ?lead FILTER(?lead = ?agency) }"
    )

    result = store.query(query, bindings={"agency": FARMING_BUREAU})

    assert result.rows == ((task_iri(JIAOJIANG, "2"), FARMING_BUREAU),)


def test_a_parameter_inside_filter_not_exists_and_optional_is_bound_there(store: GraphStore) -> None:
    # As agency-tasks.rq uses $agency: the sparql backend substitutes the term, a final VALUES would not.
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    query = PREFIXES + (
        "SELECT ?task ?agency ?title WHERE { ?task dcterms:title ?any "
        "FILTER NOT EXISTS { ?task prov:wasAssociatedWith ?agency } "
        "OPTIONAL { ?task dcterms:title ?title FILTER EXISTS { ?task dcterms:date ?date } } } ORDER BY ?task"
    )

    result = store.query(query, bindings={"agency": MARKET_BUREAU})

    assert result.rows == ((task_iri(JIAOJIANG, "2"), MARKET_BUREAU, None),)


def test_a_literal_parameter_compares_by_value_inside_a_filter(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    query = PREFIXES + "SELECT ?task ?by WHERE { ?task dcterms:date ?date FILTER(?date <= ?by) }"

    before = store.query(query, bindings={"by": Literal("2020-06-30", datatype=XSD.date)})
    after = store.query(query, bindings={"by": Literal("2021-01-01", datatype=XSD.date)})

    assert before.rows == ()
    assert after.column("task") == (task_iri(JIAOJIANG, "1"),)


def test_a_parameter_with_a_quote_is_a_term_not_text(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    query = PREFIXES + "SELECT ?agency ?name WHERE { ?agency skos:prefLabel ?name }"

    result = store.query(query, bindings={"name": Literal('区农业农村局" } ?x ?y ?z . { "', lang="zh")})

    assert result.rows == ()


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELECT ?task WHERE { ?task prov:wasAssociatedWith ?agency }", "not named in the SELECT clause"),
        ("SELECT * WHERE { ?task prov:wasAssociatedWith ?agency }", "not named in the SELECT clause"),
        (
            "SELECT ?task ?agency WHERE { ?task prov:wasAssociatedWith ?a "
            "FILTER(!BOUND(?agency) || ?a = ?agency) }",
            "BOUND()",
        ),
        ("SELECT ?task ?agency WHERE { ?task prov:wasAssociatedWith ?a BIND(?a AS ?agency) }", "BIND or AS"),
        (
            "SELECT ?task ?agency WHERE { { SELECT ?task WHERE { ?task prov:wasAssociatedWith ?agency } } }",
            "sub-SELECT",
        ),
        ("ASK { ?task prov:wasAssociatedWith ?a FILTER(?a = ?agency) }", "not bound by the query pattern"),
        (
            "CONSTRUCT { ?task prov:wasAttributedTo ?agency } WHERE { ?task prov:wasAssociatedWith ?a "
            "FILTER(?a = ?agency) }",
            "not bound by the query pattern",
        ),
    ],
)
def test_parameter_uses_the_engines_answer_differently_are_refused(
    store: GraphStore, query: str, reason: str
) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})

    with pytest.raises(StoreError, match=r"parameter \?agency") as raised:
        store.query(PREFIXES + query, bindings={"agency": MARKET_BUREAU})

    assert reason in str(raised.value)


def test_a_grouped_parameter_is_allowed(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    query = (
        PREFIXES + "SELECT ?agency (COUNT(?task) AS ?tasks) WHERE { ?task prov:wasAssociatedWith ?agency } "
        "GROUP BY ?agency"
    )

    result = store.query(query, bindings={"agency": MARKET_BUREAU})

    assert result.rows == ((MARKET_BUREAU, Literal("2", datatype=XSD.integer)),)


@pytest.mark.parametrize(
    "bindings",
    [{"?agency": MARKET_BUREAU}, {"agency": BNode()}, {"agency": URIRef("区市场监管局")}],
    ids=["name-with-question-mark", "blank-node", "relative-iri"],
)
def test_bad_bindings_are_refused(store: GraphStore, bindings: dict[str, Identifier]) -> None:
    query = PREFIXES + "SELECT ?task ?agency WHERE { ?task prov:wasAssociatedWith ?agency }"

    with pytest.raises(StoreError):
        store.query(query, bindings=bindings)


def test_ask_answers_a_boolean(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    query = PREFIXES + "ASK { ?task prov:wasAssociatedWith ?agency }"

    assert store.query(query, bindings={"agency": FARMING_BUREAU}) == QueryResult(boolean=True)
    assert store.query(query, bindings={"agency": JIZHOU_MARKET_BUREAU}).boolean is False


def test_construct_answers_a_graph(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    query = PREFIXES + (
        "CONSTRUCT { ?agency prov:wasAssociatedWith ?task } WHERE { ?task prov:wasAssociatedWith ?agency }"
    )

    result = store.query(query, bindings={"agency": MARKET_BUREAU})

    assert result.graph is not None
    assert set(result.graph) == {
        (MARKET_BUREAU, PROV.wasAssociatedWith, task_iri(JIAOJIANG, "1")),
        (MARKET_BUREAU, PROV.wasAssociatedWith, task_iri(JIAOJIANG, "18b")),
    }
    assert (result.variables, result.rows, result.boolean) == ((), (), None)


def test_the_default_graph_is_the_union_of_the_plan_graphs(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan(), JIZHOU_GRAPH: jizhou_plan()})

    titles = store.query(PREFIXES + "SELECT ?title WHERE { ?task dcterms:title ?title }").column("title")
    graphs = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").column("g")

    assert Literal("完成食品安全监督抽检任务", lang="zh") in titles
    assert len(titles) == 4
    assert set(graphs) == {JIAOJIANG_GRAPH, JIZHOU_GRAPH}


def test_a_query_restricted_to_graphs_sees_only_those(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan(), JIZHOU_GRAPH: jizhou_plan()})
    titles = PREFIXES + "SELECT ?title WHERE { ?task dcterms:title ?title }"
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

    assert store.query(titles, graphs=[JIZHOU_GRAPH]).column("title") == (
        Literal("完成食品安全监督抽检任务", lang="zh"),
    )
    assert store.query(named, graphs=[JIZHOU_GRAPH]).column("g") == (JIZHOU_GRAPH,)
    assert store.query(titles, graphs=[]).rows == ()
    # A write after a restricted query is seen by the next one.
    store.replace_graphs({JIZHOU_GRAPH: Graph()})
    assert store.query(titles, graphs=[JIZHOU_GRAPH]).rows == ()


def test_a_triple_in_two_graphs_is_seen_once_in_the_union(store: GraphStore) -> None:
    # Both plans name the same bureau with the same label; the union is an RDF merge, a set.
    label = (MARKET_BUREAU, SKOS.prefLabel, Literal("台州市椒江区市场监督管理局", lang="zh"))
    other_plan = Graph()
    other_plan.add(label)
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan(), plan_graph_iri("taizhou-2020"): other_plan})

    result = store.query(PREFIXES + "SELECT ?name WHERE { ?agency skos:prefLabel ?name }", graphs=None)

    assert sorted(map(str, result.column("name"))) == ["区农业农村局", "台州市椒江区市场监督管理局"]


def test_invalid_sparql_is_a_store_error(store: GraphStore) -> None:
    with pytest.raises(StoreError, match="SPARQL"):
        store.query("SELECT ?task WHERE { ?task dg:lead ?agency ")


# --- atomicity ---------------------------------------------------------------------------------------------


class PlanGraphThatBreaks(Graph):
    """A plan graph whose reading fails after a few triples, as a loader's lazy graph might."""

    def triples(self, pattern):  # type: ignore[no-untyped-def]
        for number, triple in enumerate(super().triples(pattern)):
            if number == 3:
                raise RuntimeError("plan file vanished while reading")
            yield triple


Snapshot = tuple[frozenset[URIRef], int, dict[URIRef, int], set[tuple[Node, Node, Node]]]


def snapshot(store: GraphStore) -> Snapshot:
    names = store.graph_names()
    return names, store.count(), {n: store.count(graph=n) for n in names}, set(store.graph(JIAOJIANG_GRAPH))


def test_a_replace_that_fails_midway_changes_nothing(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan(), JIZHOU_GRAPH: jizhou_plan()})
    before = snapshot(store)
    breaking = PlanGraphThatBreaks()
    for triple in jizhou_plan():
        breaking.add(triple)
    breaking.add((task_iri(JIZHOU, "4"), DCTERMS.title, Literal("加强食用农产品市场准入管理", lang="zh")))
    fresh_plan = Graph()
    fresh_plan.add(
        (task_iri("tiantai-2019-work-points", "1"), DCTERMS.title, Literal("深化食品安全示范创建", lang="zh"))
    )

    with pytest.raises(RuntimeError, match="plan file vanished"):
        store.replace_graphs(
            {plan_graph_iri("tiantai-2019-work-points"): fresh_plan, JIZHOU_GRAPH: breaking},
            remove=[JIAOJIANG_GRAPH],
        )

    assert snapshot(store) == before


@pytest.mark.parametrize(
    "bad_triple",
    [
        (URIRef("区市场监管局"), SKOS.prefLabel, Literal("区市场监管局", lang="zh")),
        (Literal("区市场监管局"), SKOS.prefLabel, Literal("区市场监管局", lang="zh")),
        (
            MARKET_BUREAU,
            SKOS.prefLabel,
            URIRef("https://w3id.org/dutygraph/id/agency/331002/market regulation"),
        ),
    ],
    ids=["relative-iri-subject", "literal-subject", "iri-with-space"],
)
def test_a_term_the_store_cannot_hold_is_refused_before_anything_changes(
    store: GraphStore, bad_triple: tuple[Identifier, Identifier, Identifier]
) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    before = snapshot(store)
    bad_plan = jizhou_plan()
    bad_plan.add(bad_triple)

    with pytest.raises(StoreError, match=JIZHOU):
        store.replace_graphs({JIZHOU_GRAPH: bad_plan}, remove=[JIAOJIANG_GRAPH])

    assert snapshot(store) == before


def test_a_graph_both_replaced_and_removed_is_refused(store: GraphStore) -> None:
    with pytest.raises(StoreError, match="both replaced and removed"):
        store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()}, remove=[JIAOJIANG_GRAPH])

    assert store.count() == 0


def test_readers_see_the_old_or_the_new_state_never_a_mix(store: GraphStore) -> None:
    def version(tag: str, size: int) -> dict[URIRef, Graph]:
        plans = {JIAOJIANG_GRAPH: Graph(), JIZHOU_GRAPH: Graph()}
        for plan_id, graph in ((JIAOJIANG, plans[JIAOJIANG_GRAPH]), (JIZHOU, plans[JIZHOU_GRAPH])):
            for number in range(size):
                graph.add(
                    (
                        task_iri(plan_id, str(number)),
                        DCTERMS.title,
                        Literal(f"{tag}第{number}项任务", lang="zh"),
                    )
                )
        return plans

    old, new = version("旧", 300), version("新", 700)
    store.replace_graphs(old)
    done = threading.Event()

    def rebuild() -> None:
        for turn in range(6):
            store.replace_graphs(new if turn % 2 == 0 else old)
        done.set()

    writer = threading.Thread(target=rebuild)
    writer.start()
    seen: set[int] = set()
    while writer.is_alive():
        (count,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]
        assert isinstance(count, Literal)
        seen.add(int(count))
    writer.join()

    assert done.is_set()
    assert seen <= {600, 1400}
    assert store.count() == 600


# --- the store as a resource -------------------------------------------------------------------------------


def test_a_closed_store_refuses_work_and_closing_twice_is_harmless(store: GraphStore) -> None:
    store.close()
    store.close()

    with pytest.raises(StoreError, match="closed"):
        store.count()
    with pytest.raises(StoreError, match="closed"):
        store.replace_graphs({JIZHOU_GRAPH: jizhou_plan()})


def test_an_unknown_backend_is_refused_with_the_known_names() -> None:
    with pytest.raises(StoreError, match="'fuseki'; known: memory, oxigraph, sparql"):
        open_store("fuseki")


def test_only_the_oxigraph_backend_loads_pyoxigraph() -> None:
    script = (
        "import sys\n"
        "from dutygraph.kg.stores import open_store\n"
        "open_store('memory').close()\n"
        "before = 'pyoxigraph' in sys.modules\n"
        "open_store('oxigraph').close()\n"
        "print(before, 'pyoxigraph' in sys.modules)\n"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )

    assert loaded.stdout.split() == ["False", "True"]


def test_a_read_only_memory_store_refuses_writes() -> None:
    with open_store("memory", read_only=True) as store, pytest.raises(StoreError, match="read-only"):
        store.replace_graphs({JIZHOU_GRAPH: jizhou_plan()})


# --- oxigraph: on disk -------------------------------------------------------------------------------------


def test_oxigraph_data_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "store"
    plan = jiaojiang_plan()
    with open_store("oxigraph", path=path) as store:
        store.replace_graphs({JIAOJIANG_GRAPH: plan, JIZHOU_GRAPH: jizhou_plan()})

    with open_store("oxigraph", path=path) as store:
        assert store.graph_names() == {JIAOJIANG_GRAPH, JIZHOU_GRAPH}
        assert set(store.graph(JIAOJIANG_GRAPH)) == set(plan)
    with open_store("oxigraph", path=path, read_only=True) as store:
        assert store.count() == 18
        with pytest.raises(StoreError, match="read-only"):
            store.replace_graphs({}, remove=[JIZHOU_GRAPH])


def test_oxigraph_data_is_seen_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with open_store("oxigraph", path=path) as store:
        store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})

    counted = subprocess.run(
        [sys.executable, "-c", _COUNT_IN_ANOTHER_PROCESS, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert counted.stdout.split() == ["15"]


_COUNT_IN_ANOTHER_PROCESS = """
import sys
from pathlib import Path
from dutygraph.kg.stores import open_store
with open_store("oxigraph", path=Path(sys.argv[1]), read_only=True) as store:
    print(store.count())
"""


def test_oxigraph_refuses_a_path_that_is_a_file(tmp_path: Path) -> None:
    plan_file = tmp_path / "jiaojiang-2020-reform-tasks.txt"
    plan_file.write_text("椒江区2020年食品安全工作要点\n", encoding="utf-8")

    with pytest.raises(
        StoreError, match=r"jiaojiang-2020-reform-tasks\.txt: not an oxigraph store"
    ) as raised:
        open_store("oxigraph", path=plan_file)

    assert "\n" not in str(raised.value)


def test_oxigraph_refuses_a_directory_holding_something_else(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "yueqing-2022-demo-city-plan.txt").write_text("乐清市创建食品安全示范城市\n")

    with pytest.raises(StoreError, match="plans: not an oxigraph store"):
        open_store("oxigraph", path=tmp_path / "plans")

    assert sorted(p.name for p in (tmp_path / "plans").iterdir()) == ["yueqing-2022-demo-city-plan.txt"]


def test_oxigraph_read_only_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no oxigraph store there"):
        open_store("oxigraph", path=tmp_path / "store", read_only=True)

    assert not (tmp_path / "store").exists()


def test_oxigraph_refuses_a_store_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with open_store("oxigraph", path=path):
        other = subprocess.run(
            [sys.executable, "-c", _OPEN_IN_ANOTHER_PROCESS, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        with pytest.raises(StoreError, match="locked"):
            open_store("oxigraph", path=path)

    assert other.returncode == 2
    assert other.stderr.startswith(f"{path}: cannot open the oxigraph store: locked by another process")
    assert len(other.stderr.strip().splitlines()) == 1


_OPEN_IN_ANOTHER_PROCESS = """
import sys
from pathlib import Path
from dutygraph.errors import StoreError
from dutygraph.kg.stores import open_store
try:
    open_store("oxigraph", path=Path(sys.argv[1]))
except StoreError as error:
    print(error, file=sys.stderr)
    sys.exit(2)
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay_s", [0.2, 0.7])
def test_oxigraph_replace_survives_kill_9_half_way(tmp_path: Path, delay_s: float) -> None:
    path = tmp_path / "store"
    small, large = 2_000, 20_000
    with open_store("oxigraph", path=path) as store:
        store.replace_graphs({JIAOJIANG_GRAPH: _numbered_tasks("旧", small)})

    writer = subprocess.Popen(
        [sys.executable, "-c", _REPLACE_FOREVER, str(path), str(small), str(large)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "committed"
        time.sleep(delay_s)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=60)

    with open_store("oxigraph", path=path) as store:
        count = store.count(graph=JIAOJIANG_GRAPH)
        tags = store.query(
            PREFIXES
            + "SELECT DISTINCT ?tag WHERE { ?task dcterms:title ?title BIND(SUBSTR(?title, 1, 1) AS ?tag) }"
        ).column("tag")
    assert writer.returncode == -signal.SIGKILL
    assert (count, tags) in {(small, (Literal("旧"),)), (large, (Literal("新"),))}


def test_oxigraph_a_returned_replace_survives_kill_9_without_close(tmp_path: Path) -> None:
    path = tmp_path / "store"

    killed = subprocess.run(
        [sys.executable, "-c", _REPLACE_THEN_DIE, str(path)], capture_output=True, text=True, timeout=60
    )

    assert killed.returncode == -signal.SIGKILL
    with open_store("oxigraph", path=path) as store:
        assert store.graph_names() == {JIZHOU_GRAPH}
        assert store.query(PREFIXES + "SELECT ?title WHERE { ?task dcterms:title ?title }").column(
            "title"
        ) == (Literal("完成食品安全监督抽检任务", lang="zh"),)


_REPLACE_THEN_DIE = """
import os, signal, sys
from pathlib import Path
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS
from dutygraph.kg.iris import plan_graph_iri, task_iri
from dutygraph.kg.stores import open_store

plan = Graph()
plan.add((task_iri("jizhou-2020-supervision-plan", "3"), DCTERMS.title, Literal("完成食品安全监督抽检任务", lang="zh")))
store = open_store("oxigraph", path=Path(sys.argv[1]))
store.replace_graphs({plan_graph_iri("jizhou-2020-supervision-plan"): plan})
os.kill(os.getpid(), signal.SIGKILL)
"""


def _numbered_tasks(tag: str, size: int) -> Graph:
    plan = Graph()
    for number in range(size):
        plan.add((task_iri(JIAOJIANG, str(number)), DCTERMS.title, Literal(f"{tag}第{number}项任务")))
    return plan


_REPLACE_FOREVER = """
import sys
from pathlib import Path
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS
from dutygraph.kg.iris import plan_graph_iri, task_iri
from dutygraph.kg.stores import open_store

def numbered_tasks(tag, size):
    plan = Graph()
    for number in range(size):
        task = task_iri("jiaojiang-2020-reform-tasks", str(number))
        plan.add((task, DCTERMS.title, Literal(f"{tag}第{number}项任务")))
    return plan

path, small, large = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
versions = [numbered_tasks("新", large), numbered_tasks("旧", small)]
store = open_store("oxigraph", path=path)
turn = 0
while True:
    store.replace_graphs({plan_graph_iri("jiaojiang-2020-reform-tasks"): versions[turn % 2]})
    print("committed", flush=True)
    turn += 1
"""


# --- sparql: the remote store as such --------------------------------------------------------------------


def test_sparql_parameters_are_substituted_outside_strings_iris_and_comments() -> None:
    from dutygraph.kg.stores.sparql import substituted

    query = (
        'SELECT ?agency (COUNT(?task) AS ?n) WHERE { ?task ?p ?agency ; ?q "?agency" . '
        "FILTER(?p != <urn:x?agency>) } # ?agency\nGROUP BY ?agency ORDER BY DESC(?agency) ?agency"
    )

    text = substituted(query, {"agency": Literal("区市场监管局", lang="zh")})

    assert text == (
        'SELECT ("区市场监管局"@zh AS ?agency) (COUNT(?task) AS ?n) WHERE { ?task ?p "区市场监管局"@zh ; '
        '?q "?agency" . FILTER(?p != <urn:x?agency>) } # ?agency\nGROUP BY ("区市场监管局"@zh) '
        'ORDER BY DESC("区市场监管局"@zh) ("区市场监管局"@zh)'
    )


def test_sparql_a_server_that_does_not_answer_is_a_one_line_store_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = open_store("sparql", endpoint=f"http://127.0.0.1:{port}")
    with store, pytest.raises(StoreError) as raised:
        store.count()

    message = str(raised.value)
    assert message.startswith(f"http://127.0.0.1:{port}/query: SPARQL query failed: ")
    assert "refused" in message.lower() and "\n" not in message


def test_sparql_an_http_error_names_the_url_and_the_status(oxigraph_server: str) -> None:
    # Oxigraph serves no /nowhere: the update is refused with 404 before anything is written.
    store = open_store("sparql", endpoint=f"{oxigraph_server}/nowhere")
    expected = re.escape(f"{oxigraph_server}/nowhere/update: replacing graphs refused, HTTP 404")
    with store, pytest.raises(StoreError, match=f"^{expected}"):
        store.replace_graphs({JIZHOU_GRAPH: jizhou_plan()})


def test_sparql_backend_without_an_endpoint_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from dutygraph.errors import ConfigError
    from dutygraph.settings import get_settings

    monkeypatch.delenv("DUTYGRAPH_ENDPOINT", raising=False)

    with pytest.raises(
        ConfigError, match=r"^DUTYGRAPH_ENDPOINT=None: .*backend 'sparql' needs the server's base URL"
    ):
        get_settings(backend="sparql")
    with pytest.raises(ConfigError, match=r"endpoint='localhost:7878' .*not an http\(s\) URL"):
        get_settings(backend="sparql", endpoint="localhost:7878")
    with pytest.raises(StoreError, match="set DUTYGRAPH_ENDPOINT"):
        open_store("sparql")
    assert (
        get_settings(backend="sparql", endpoint="http://127.0.0.1:7878").endpoint == "http://127.0.0.1:7878"
    )


def test_only_the_sparql_backend_loads_httpx_and_only_when_it_talks(oxigraph_server: str) -> None:
    script = (
        "import sys\n"
        "from dutygraph.kg.stores import open_store\n"
        "open_store('memory').close()\n"
        "open_store('oxigraph').close()\n"
        "store = open_store('sparql', endpoint=sys.argv[1])\n"
        "opened = 'httpx' in sys.modules\n"
        "store.count()\n"
        "print(opened, 'httpx' in sys.modules)\n"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", script, oxigraph_server],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert loaded.stdout.split() == ["False", "True"]


def test_sparql_cli_build_and_stats_match_an_oxigraph_file_build(
    oxigraph_server: str, tmp_path: Path
) -> None:
    # The same plans through build (load, reasoning) and stats (named queries) on both backends.
    with open_store("sparql", endpoint=oxigraph_server) as store:
        store.replace_graphs({}, remove=store.graph_names())
    without_env = {k: v for k, v in os.environ.items() if k != "DUTYGRAPH_ENDPOINT"}  # --endpoint alone

    def dutygraph(*args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "dutygraph", *args], capture_output=True, text=True, timeout=120, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    remote = ("--backend", "sparql", "--endpoint", oxigraph_server)
    dutygraph("build", *remote, env=without_env)
    dutygraph("build", "--backend", "oxigraph", "--store", str(tmp_path / "store"))
    served = json.loads(dutygraph("stats", *remote, "--json", env=without_env))
    on_disk = json.loads(
        dutygraph("stats", "--backend", "oxigraph", "--store", str(tmp_path / "store"), "--json")
    )

    assert served == on_disk
    assert served["plans"] == 5 and served["tasks"] == 179


# --- drafts: many changes, published as one ----------------------------------------------------------------


def test_a_draft_is_published_whole_when_its_block_ends(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    before = snapshot(store)

    with store.draft() as draft:
        draft.replace_graphs({JIZHOU_GRAPH: jizhou_plan()})
        draft.replace_graphs({}, remove=[JIAOJIANG_GRAPH])
        # The draft reads its own writes; the store shows none of them yet.
        assert draft.graph_names() == {JIZHOU_GRAPH}
        assert draft.count(graph=JIZHOU_GRAPH) == len(jizhou_plan())
        assert snapshot(store) == before

    assert store.graph_names() == {JIZHOU_GRAPH}
    assert set(store.graph(JIZHOU_GRAPH)) == set(jizhou_plan())
    assert store.ntriples(JIZHOU_GRAPH).count(b" .\n") == len(jizhou_plan())


def test_a_draft_left_by_an_exception_changes_nothing(store: GraphStore) -> None:
    store.replace_graphs({JIAOJIANG_GRAPH: jiaojiang_plan()})
    before = snapshot(store)

    with pytest.raises(RuntimeError, match="plan file vanished"), store.draft() as draft:
        draft.replace_graphs({JIZHOU_GRAPH: jizhou_plan()}, remove=[JIAOJIANG_GRAPH])
        raise RuntimeError("plan file vanished while reading")

    assert snapshot(store) == before
    with store.draft() as draft:  # and the next draft works
        draft.replace_graphs({JIZHOU_GRAPH: jizhou_plan()})
    assert store.graph_names() == {JIAOJIANG_GRAPH, JIZHOU_GRAPH}


def test_a_graph_replaced_twice_in_a_draft_keeps_the_last(store: GraphStore) -> None:
    with store.draft() as draft:
        draft.replace_graphs({JIZHOU_GRAPH: jiaojiang_plan()})
        draft.replace_graphs({JIZHOU_GRAPH: jizhou_plan()})
    assert set(store.graph(JIZHOU_GRAPH)) == set(jizhou_plan())
