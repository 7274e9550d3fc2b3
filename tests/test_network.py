"""The network of who works with whom, on the five bundled plans: edges, co-assignment, centrality,
communities, paths, ego networks, and the `dutygraph network` command."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from rdflib import Graph, URIRef

from dutygraph.cli import main
from dutygraph.errors import DutygraphError
from dutygraph.kg.build import build
from dutygraph.kg.iris import INFERRED_GRAPH, agency_iri, plan_graph_iri, plan_iri, task_iri
from dutygraph.kg.network import (
    AgencyTaskEdge,
    NotConnected,
    NotInNetwork,
    agency_task_graph,
    centrality,
    co_assignment_graph,
    communities,
    ego_network,
    ego_summary,
    graph_from_edges,
    shortest_path,
)
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.ontology.namespace import DG

if TYPE_CHECKING:
    import networkx as nx

JIAOJIANG = "jiaojiang-2020-reform-tasks"
JIAOJIANG_MARKET = str(agency_iri("331002", "market-regulation"))
JIAOJIANG_AGRICULTURE = str(agency_iri("331002", "agriculture"))
JIAOJIANG_FINANCE = str(agency_iri("331002", "finance"))
JIAOJIANG_COURT = str(agency_iri("331002", "court"))
JIZHOU_MARKET = str(agency_iri("120119", "market-regulation"))
WENZHOU_MARKET = str(agency_iri("330300", "market-regulation"))
YUEQING_MARKET = str(agency_iri("330382", "market-regulation"))
YUEQING_AGRICULTURE = str(agency_iri("330382", "agriculture"))
TASK_07 = str(task_iri(JIAOJIANG, "07"))

# 台州市椒江区市场监督管理局 and 台州市椒江区农业农村局 both appear on 24 of the 69 Jiaojiang tasks.
MARKET_AND_AGRICULTURE_SHARED = 24


def _clear_inferred(store: GraphStore) -> None:
    if INFERRED_GRAPH in store.graph_names():
        store.replace_graphs({}, remove=[INFERRED_GRAPH])


@pytest.fixture(scope="module")
def store() -> Iterator[GraphStore]:
    with open_store("memory") as built:
        build(built, [], reasoning="none")  # these tests add their own inferred triple where they need one
        yield built


@pytest.fixture(scope="module")
def bipartite(store: GraphStore) -> nx.Graph:
    return agency_task_graph(store, inferred=False)


@pytest.fixture(scope="module")
def co_graph(bipartite: nx.Graph) -> nx.Graph:
    return co_assignment_graph(bipartite)


def test_edges_carry_role_plan_lines_and_both_ends(store: GraphStore, bipartite: nx.Graph) -> None:
    lead = bipartite.edges[JIAOJIANG_MARKET, TASK_07]
    assist = bipartite.edges[JIAOJIANG_AGRICULTURE, TASK_07]
    assert (lead["role"], assist["role"]) == ("lead", "assist")
    assert lead["asserted"] is True and lead["plan"] == str(plan_iri(JIAOJIANG))
    # The assignment keeps the plan lines of the task it was read from.
    plan = store.graph(plan_graph_iri(JIAOJIANG))
    task_lines = (plan.value(URIRef(TASK_07), DG.lineStart), plan.value(URIRef(TASK_07), DG.lineEnd))
    assert lead["lines"] == assist["lines"] == tuple(int(n) for n in task_lines)
    assert bipartite.nodes[TASK_07] == {
        "kind": "task",
        "key": "jiaojiang-2020-07",
        "title": "加强和优化食品安全抽检工作。",
        "plan": str(plan_iri(JIAOJIANG)),
    }
    market = bipartite.nodes[JIAOJIANG_MARKET]
    assert (market["kind"], market["label"], market["type_key"], market["jurisdiction"], market["group"]) == (
        "agency",
        "台州市椒江区市场监督管理局",
        "market-regulation",
        "331002",
        False,
    )
    townships = bipartite.nodes[str(URIRef("https://w3id.org/dutygraph/id/group/330382/township-government"))]
    assert townships["group"] is True and townships["label"] == "乐清市各乡镇人民政府（街道办事处）"
    # Every edge joins an agency and a task, never two of a kind.
    assert all(
        {bipartite.nodes[a]["kind"], bipartite.nodes[b]["kind"]} == {"agency", "task"}
        for a, b in bipartite.edges
    )


def _tasks_of(plan: Graph, agency: str) -> set[str]:
    roles = (DG.leads, DG.assists, DG.responsibleFor)
    return {str(task) for role in roles for task in plan.objects(URIRef(agency), role)}


def test_market_and_agriculture_share_every_jiaojiang_task_both_appear_on(
    store: GraphStore, bipartite: nx.Graph, co_graph: nx.Graph
) -> None:
    plan = store.graph(plan_graph_iri(JIAOJIANG))
    both = _tasks_of(plan, JIAOJIANG_MARKET) & _tasks_of(plan, JIAOJIANG_AGRICULTURE)
    assert len(both) == MARKET_AND_AGRICULTURE_SHARED
    edge = co_graph.edges[JIAOJIANG_MARKET, JIAOJIANG_AGRICULTURE]
    assert edge["weight"] == MARKET_AND_AGRICULTURE_SHARED
    assert edge["tasks"] == tuple(sorted(bipartite.nodes[t]["key"] for t in both))
    assert "jiaojiang-2020-07" in edge["tasks"]
    assert edge["distance"] == pytest.approx(1 / MARKET_AND_AGRICULTURE_SHARED)
    # No other partner of the market bureau shares as many tasks with it.
    partners = co_graph[JIAOJIANG_MARKET]
    assert max(partners, key=lambda n: partners[n]["weight"]) == JIAOJIANG_AGRICULTURE


def _plans_of(bipartite: nx.Graph, nodes: set[str]) -> set[str]:
    return {bipartite.nodes[n]["plan"] for n in nodes if bipartite.nodes[n]["kind"] == "task"}


def test_plans_stay_apart_unless_an_agency_joins_them(bipartite: nx.Graph) -> None:
    import networkx as nx

    # 市市场监管局 is 温州市's bureau in the Wenzhou plan and 乐清市's in the Yueqing plan: two nodes.
    assert WENZHOU_MARKET != YUEQING_MARKET
    assert bipartite.nodes[WENZHOU_MARKET]["label"] == "温州市市场监督管理局"
    assert bipartite.nodes[YUEQING_MARKET]["label"] == "乐清市市场监督管理局"
    # No bundled agency appears in two plans, so every part of the network holds the tasks of one plan.
    parts = list(nx.connected_components(bipartite))
    assert all(len(_plans_of(bipartite, part)) == 1 for part in parts)
    with pytest.raises(NotConnected, match="乐清市农业农村局 and 温州市市场监督管理局"):
        shortest_path(bipartite, YUEQING_AGRICULTURE, WENZHOU_MARKET)
    # One shared node joins them: say the Yueqing plan also named 温州市市场监督管理局 on a task of 乐清市农业农村局.
    yueqing_task = next(
        n
        for n, d in bipartite.nodes(data=True)
        if d["kind"] == "task" and d["key"].startswith("yueqing-") and YUEQING_AGRICULTURE in bipartite[n]
    )
    joined = bipartite.copy()
    joined.add_edge(WENZHOU_MARKET, yueqing_task, role="assist", asserted=True, plan=None, lines=None)
    path = shortest_path(joined, YUEQING_AGRICULTURE, WENZHOU_MARKET)
    assert path == [YUEQING_AGRICULTURE, yueqing_task, WENZHOU_MARKET]


def test_no_path_between_jizhou_and_jiaojiang_is_a_clear_error(bipartite: nx.Graph) -> None:
    with pytest.raises(NotConnected) as caught:
        shortest_path(bipartite, JIZHOU_MARKET, JIAOJIANG_MARKET)
    assert (
        str(caught.value)
        == "no chain of shared tasks joins 天津市蓟州区市场监督管理局 and 台州市椒江区市场监督管理局"
    )
    with pytest.raises(NotInNetwork, match="takes part in no task"):
        shortest_path(bipartite, JIZHOU_MARKET, TASK_07)


def test_a_path_alternates_agencies_and_the_tasks_joining_them(bipartite: nx.Graph) -> None:
    path = shortest_path(bipartite, JIAOJIANG_COURT, JIAOJIANG_FINANCE)
    kinds = [bipartite.nodes[n]["kind"] for n in path]
    assert kinds[0] == kinds[-1] == "agency" and len(path) % 2 == 1
    assert all(a != b for a, b in itertools.pairwise(kinds))
    assert all(bipartite.has_edge(a, b) for a, b in itertools.pairwise(path))
    assert path[0] == JIAOJIANG_COURT and path[-1] == JIAOJIANG_FINANCE


def test_centrality_values_are_fractions_and_the_market_bureau_leads_jiaojiang(
    bipartite: nx.Graph, co_graph: nx.Graph
) -> None:
    for graph in (bipartite, co_graph):
        scores = centrality(graph)
        assert set(scores) == set(graph)
        assert all(0 <= s.degree <= 1 and 0 <= s.betweenness <= 1 for s in scores.values())
    scores = centrality(co_graph)
    jiaojiang = [n for n, code in co_graph.nodes(data="jurisdiction") if code == "331002"]
    assert len(jiaojiang) > 20
    assert max(jiaojiang, key=lambda n: scores[n].degree) == JIAOJIANG_MARKET
    assert max(jiaojiang, key=lambda n: scores[n].betweenness) == JIAOJIANG_MARKET
    # Of 105 agencies it works with 24, all in its own plan.
    assert scores[JIAOJIANG_MARKET].degree == pytest.approx(24 / (co_graph.number_of_nodes() - 1))


def test_communities_are_stable_and_never_span_plans(
    store: GraphStore, bipartite: nx.Graph, co_graph: nx.Graph
) -> None:
    first = communities(co_graph)
    again = communities(co_assignment_graph(agency_task_graph(store, inferred=False)))
    assert first == again
    assert sorted(a for c in first for a in c) == sorted(co_graph)  # a partition of the agencies
    assert len(first) >= 4  # at least one per plan that names agencies
    for community in first:
        assert len(_plans_of(bipartite, {t for a in community for t in bipartite[a]})) == 1
    home = next(c for c in first if JIAOJIANG_MARKET in c)
    assert JIAOJIANG_AGRICULTURE in home and JIZHOU_MARKET not in home


def test_ego_network_grows_with_hops(bipartite: nx.Graph, co_graph: nx.Graph) -> None:
    near = ego_summary(bipartite, JIAOJIANG_COURT, hops=1)
    far = ego_summary(bipartite, JIAOJIANG_COURT, hops=2)
    assert near.label == "台州市椒江区人民法院"
    assert near.tasks == 3 and near.agencies == len(co_graph[JIAOJIANG_COURT])
    assert far.agencies > near.agencies and far.tasks > near.tasks
    assert (near.degree, near.betweenness) == (far.degree, far.betweenness)
    assert ego_network(co_graph, JIAOJIANG_COURT, hops=1).number_of_nodes() == near.agencies + 1
    assert ego_network(co_graph, JIAOJIANG_COURT, hops=2).number_of_nodes() == far.agencies + 1
    one = ego_network(bipartite, JIAOJIANG_COURT, hops=1)
    assert sum(1 for _, kind in one.nodes(data="kind") if kind == "task") == 3
    assert one.nodes[JIAOJIANG_COURT]["label"] == "台州市椒江区人民法院"  # attributes come along
    with pytest.raises(DutygraphError, match="hops must be at least 1"):
        ego_network(bipartite, JIAOJIANG_COURT, hops=0)


def test_ego_summary_of_the_market_bureau(bipartite: nx.Graph) -> None:
    summary = ego_summary(bipartite, JIAOJIANG_MARKET, hops=1, top=3)
    assert summary.tasks == 49 and summary.agencies == 24
    assert [(p.label, p.shared_tasks) for p in summary.partners] == [
        ("台州市椒江区农业农村局", 24),
        ("台州市椒江区商务局", 17),
        ("台州市椒江区卫生健康局", 16),
    ]
    assert len(summary.communities) >= 1
    assert any(JIAOJIANG_MARKET in c.agencies for c in summary.communities)
    assert all(
        a.startswith("https://w3id.org/dutygraph/id/") for c in summary.communities for a in c.agencies
    )


def test_inferred_edges_appear_marked_only_with_inferred(store: GraphStore) -> None:
    inferred = Graph()
    inferred.add((URIRef(JIAOJIANG_FINANCE), DG.involvedIn, URIRef(TASK_07)))
    # Reasoning also restates what plans assert; such a pair stays the plan's edge.
    inferred.add((URIRef(JIAOJIANG_MARKET), DG.involvedIn, URIRef(TASK_07)))
    store.replace_graphs({INFERRED_GRAPH: inferred})
    try:
        with_inferred = agency_task_graph(store, inferred=True)
        asserted_only = agency_task_graph(store, inferred=False)
    finally:
        _clear_inferred(store)
    edge = with_inferred.edges[JIAOJIANG_FINANCE, TASK_07]
    assert (edge["role"], edge["asserted"], edge["lines"]) == ("involved-inferred", False, None)
    assert with_inferred.edges[JIAOJIANG_MARKET, TASK_07]["role"] == "lead"
    assert with_inferred.edges[JIAOJIANG_MARKET, TASK_07]["asserted"] is True
    assert not asserted_only.has_edge(JIAOJIANG_FINANCE, TASK_07)
    assert with_inferred.number_of_edges() == asserted_only.number_of_edges() + 1
    co_inferred = co_assignment_graph(with_inferred)
    assert "jiaojiang-2020-07" in co_inferred.edges[JIAOJIANG_FINANCE, JIAOJIANG_MARKET]["tasks"]


def test_one_agency_with_two_roles_on_a_task_keeps_the_strongest() -> None:
    common: dict[str, Any] = {
        "agency": JIAOJIANG_MARKET,
        "agency_label": "台州市椒江区市场监督管理局",
        "task": TASK_07,
        "task_key": "jiaojiang-2020-07",
        "task_title": "加强和优化食品安全抽检工作。",
    }
    graph = graph_from_edges(
        [
            AgencyTaskEdge(**common, role="involved-inferred", asserted=False),
            AgencyTaskEdge(**common, role="assist", lines=(40, 41)),
            AgencyTaskEdge(**common, role="lead", lines=(39, 40)),
        ]
    )
    assert graph.edges[JIAOJIANG_MARKET, TASK_07] == {
        "role": "lead",
        "asserted": True,
        "plan": None,
        "lines": (39, 41),
    }


# --- the command ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("network") / "store"
    with open_store("oxigraph", path=path) as built:
        build(built, [])
    return path


def _network(store_dir: Path, *args: str) -> list[str]:
    return ["network", *args, "--store", str(store_dir), "--backend", "oxigraph"]


def test_command_prints_the_partners_with_their_counts(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--agency", "区市场监管局", "--jurisdiction", "椒江", "--asserted-only"]
    assert main(_network(store_dir, *args)) == 0
    out = capsys.readouterr().out
    assert out.startswith("中心单位 centre: 台州市椒江区市场监督管理局 (market-regulation, 331002)")
    assert "其他单位 other agencies: 24  任务 tasks: 49" in out
    partner_lines = [line.split() for line in out.splitlines() if line.startswith("  台州市椒江区")]
    assert partner_lines[:3] == [
        ["台州市椒江区农业农村局", "24"],
        ["台州市椒江区商务局", "17"],
        ["台州市椒江区卫生健康局", "16"],
    ]
    assert "介数中心性 betweenness:" in out and "社区 community" in out


def test_command_path_and_json(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--agency", "椒江区人民法院", "--path-to", "椒江区财政局", "--hops", "2", "--format", "json"]
    assert main(_network(store_dir, *args)) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["label"] == "台州市椒江区人民法院" and document["hops"] == 2
    path = document["path"]
    assert path[0]["label"] == "台州市椒江区人民法院" and path[-1]["label"] == "台州市椒江区财政局"
    assert [step["kind"] for step in path][:3] == ["agency", "task", "agency"]
    assert all(step["key"].startswith("jiaojiang-2020-") for step in path if step["kind"] == "task")


def test_command_errors(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_network(store_dir, "--agency", "市场监管局")) == 2
    error = capsys.readouterr().err
    assert "may mean 5 agencies" in error and "台州市椒江区市场监督管理局 (331002)" in error
    args = ["--agency", "蓟州区市场监管局", "--path-to", "椒江区市场监管局"]
    assert main(_network(store_dir, *args)) == 2
    assert (
        "no chain of shared tasks joins 天津市蓟州区市场监督管理局 and 台州市椒江区市场监督管理局"
        in capsys.readouterr().err
    )
    with pytest.raises(SystemExit) as exited:
        main(_network(store_dir, "--agency", "区市场监管局", "--hops", "0"))
    assert exited.value.code == 2
    assert "--hops: must be a whole number of at least 1" in capsys.readouterr().err
