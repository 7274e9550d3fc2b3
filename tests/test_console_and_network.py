"""The SPARQL console (/query) and the network view (/network, /network/data, /network/why).

The pages are served with the seed store (the five bundled plans); a synthetic plan of 2,000 nodes checks that
/network/data copes with a large network. Browser behaviour is tested elsewhere (tests/browser/).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal
from rdflib.namespace import SKOS

from dutygraph.api.app import create_app
from dutygraph.kg import iris
from dutygraph.kg.network import ROLES
from dutygraph.kg.network_view import LARGE_NETWORK, ROLE_STYLES, family_colour, family_of
from dutygraph.kg.query_library import named_query, query_names, run_named
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.ontology import agency_type_keys, load_ontology
from dutygraph.ontology.namespace import AGENCY_TYPE, DG
from dutygraph.settings import get_settings

MARKET = str(iris.agency_iri("331002", "market-regulation"))  # 台州市椒江区市场监督管理局
AGRICULTURE = str(iris.agency_iri("331002", "agriculture"))  # 台州市椒江区农业农村局
WENZHOU = "wenzhou-2018-duty-table"
STATIC = files("dutygraph.api") / "static"


@pytest.fixture(scope="module")
def client(seed_store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(backend="memory"), store=seed_store)) as test_client:
        yield test_client


def _json(client: TestClient, path: str, **params: str | int) -> dict[str, Any]:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    body: dict[str, Any] = answer.json()
    return body


# Each network is read once per module: on the memory backend one read takes about a second.
@pytest.fixture(scope="module")
def market_ego(client: TestClient) -> dict[str, Any]:
    return _json(client, "/network/data", agency=MARKET, hops=1)


@pytest.fixture(scope="module")
def wenzhou(client: TestClient) -> dict[str, Any]:
    return _json(client, "/network/data", plan="wenzhou")


class _Assets(HTMLParser):
    """The URLs a page loads by itself: script src, link href, img src (and any other tag's src)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href") if tag == "link" else ("src",):
            if values.get(name):
                self.urls.append(str(values[name]))


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


def _console_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="console-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the console hands its examples to the script as JSON"
    config: dict[str, Any] = json.loads(found.group(1))
    return config


# --- the console ----------------------------------------------------------------------------------------


def test_console_lists_every_library_query(client: TestClient) -> None:
    page = client.get("/query")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for name in query_names():
        assert f'<option value="{name}"' in page.text, name
        assert f'data-example="{name}"' in page.text, name
    config = _console_config(page.text)
    assert [example["name"] for example in config["examples"]] == list(query_names())
    assert config["endpoint"] == "/sparql" and config["idBase"] == iris.ID
    assert config["prefixes"]["dg"] == "https://w3id.org/dutygraph/ns#"
    for element in ('id="editor"', 'id="run"', 'id="results"', 'id="download-csv"'):
        assert element in page.text


def test_console_examples_carry_title_parameters_and_text(client: TestClient) -> None:
    page = client.get("/query", params={"example": "agency-tasks"})
    config = _console_config(page.text)
    example = next(e for e in config["examples"] if e["name"] == "agency-tasks")
    assert example["title"] == named_query("agency-tasks").title == "单位的任务 / Tasks of an agency"
    assert example["text"] == named_query("agency-tasks").text
    assert [p["name"] for p in example["parameters"]] == ["agency"]
    assert example["parameters"][0]["example"] == f"<{MARKET}>"
    assert config["chosen"] == "agency-tasks" and config["asked"] is True
    assert '<option value="agency-tasks" selected>' in page.text
    assert "<code>$agency</code>" in page.text  # the chosen example's parameter, listed on the page
    # Plain stats query when none is asked for; an unknown name falls back to it too.
    assert _console_config(client.get("/query", params={"example": "no-such"}).text)["chosen"] == "stats"


# --- the network data -------------------------------------------------------------------------------------


def test_ego_network_holds_partner_roles_and_plan_words(market_ego: dict[str, Any]) -> None:
    nodes = {node["id"]: node for node in market_ego["nodes"]}
    assert market_ego["title"] == "台州市椒江区市场监督管理局 的协作网络（1 步）"
    assert market_ego["centre"] == MARKET and nodes[MARKET]["centre"] is True
    assert nodes[AGRICULTURE]["label"] == "台州市椒江区农业农村局"
    assert nodes[AGRICULTURE]["url"] == "/agency/331002/agriculture"
    task_07 = str(iris.task_iri("jiaojiang-2020-reform-tasks", "07"))
    assert (
        nodes[task_07]["kind"] == "task"
        and nodes[task_07]["url"] == "/plan/jiaojiang-2020-reform-tasks/task/07"
    )
    edges = {(edge["from"], edge["to"]): edge for edge in market_ego["edges"]}
    lead = edges[MARKET, task_07]
    assert lead["role"] == "lead" and lead["inferred"] is False
    assert [(w["role"], w["as_written"], w["where"]) for w in lead["written"]] == [
        ("lead", "区市场监管局", "第 53–58 行")
    ]
    assert lead["task_text"].startswith("完成“十三五”食品安全规划任务，食品抽检量达到4.5批次/千人以上。")
    assist = edges[AGRICULTURE, task_07]
    assert assist["role"] == "assist" and assist["written"][0]["as_written"] == "区农水局"
    assert {"lead", "assist"} <= {edge["role"] for edge in market_ego["edges"]}
    # Every edge joins an agency and a task of the view; the legend colours every agency's family.
    families = {family["key"] for family in market_ego["legend"]["families"]}
    for edge in market_ego["edges"]:
        assert nodes[edge["from"]]["kind"] in ("agency", "group") and nodes[edge["to"]]["kind"] == "task"
    assert {node["family"] for node in nodes.values() if node["kind"] != "task"} == families
    assert market_ego["filters"]["jurisdictions"] == [{"code": "331002", "name": "台州市椒江区"}]
    assert [p["id"] for p in market_ego["filters"]["plans"]] == ["jiaojiang-2020-reform-tasks"]


def test_network_data_refusals(client: TestClient) -> None:
    ambiguous = client.get("/network/data", params={"agency": "市场监管局"})
    assert ambiguous.status_code == 409
    candidates = {c["label"] for c in ambiguous.json()["detail"]["candidates"]}
    assert {"台州市椒江区市场监督管理局", "温州市市场监督管理局"} <= candidates
    assert client.get("/network/data").status_code == 400
    assert client.get("/network/data", params={"agency": MARKET, "hops": 9}).status_code == 422
    assert client.get("/network/data", params={"plan": "no-such-plan"}).status_code == 404


def test_plan_network_has_every_task_of_the_plan(wenzhou: dict[str, Any], seed_store: GraphStore) -> None:
    tasks = [node for node in wenzhou["nodes"] if node["kind"] == "task"]
    assert (
        wenzhou["plan"] == WENZHOU and wenzhou["title"] == "2018年温州市食品安全工作责任分工一览表 的分工网络"
    )
    assert len(tasks) == 32
    assert all(node["plan"] == WENZHOU and node["url"].startswith(f"/plan/{WENZHOU}/task/") for node in tasks)
    assert {edge["plan"] for edge in wenzhou["edges"]} == {WENZHOU}
    # One edge per agency and task the plan matrix relates, asserted or inferred.
    matrix = run_named(seed_store, "plan-matrix", bindings={"plan": iris.plan_iri(WENZHOU)})
    pairs = {pair for pair in zip(matrix.column("agency"), matrix.column("task"), strict=True) if pair[0]}
    assert len(wenzhou["edges"]) == len(pairs)


def test_inferred_edges_are_marked(wenzhou: dict[str, Any], client: TestClient) -> None:
    inferred = [edge for edge in wenzhou["edges"] if edge["inferred"]]
    assert inferred, "the wenzhou plan names groups; reasoning involves their members"
    for edge in inferred:
        assert edge["role"] == "involved-inferred" and edge["asserted"] is False and edge["written"] == []
    asserted = [edge for edge in wenzhou["edges"] if not edge["inferred"]]
    assert asserted and all(edge["written"] and edge["role"] != "involved-inferred" for edge in asserted)
    styles = {style["role"]: style for style in wenzhou["legend"]["roles"]}
    assert styles["involved-inferred"]["dashes"] and styles["involved-inferred"]["colour"] == "#9a9a9a"
    assert styles["lead"]["width"] > styles["assist"]["width"] and not styles["lead"]["dashes"]
    why = _json(client, "/network/why", agency=inferred[0]["from"], task=inferred[0]["to"])
    assert why["text"].startswith(inferred[0]["agency_label"])


def test_every_role_has_a_distinct_style() -> None:
    assert tuple(style.role for style in ROLE_STYLES) == ROLES
    drawn = {(style.colour, style.width, style.dashes) for style in ROLE_STYLES}
    assert len(drawn) == len(ROLE_STYLES)
    assert family_of("procuratorate") == "law-enforcement" and family_of("health") == "health"
    families = {family_of(key) for key in agency_type_keys()}
    assert len({family_colour(family) for family in families}) == len(families)


def _synthetic_plan(*, tasks: int, agencies: int) -> Graph:
    """A plan of `tasks` tasks, each with one of `agencies` bureaus: leading the even ones, assisting the odd."""
    graph = Graph()
    plan = iris.plan_iri("synthetic-large")
    graph.add((plan, RDF.type, DG.Plan))
    graph.add((plan, DG.title, Literal("合成大方案", lang="zh")))
    place = iris.jurisdiction_iri("331002")
    graph.add((place, DG.adminCode, Literal("331002")))
    bureaus = []
    for number in range(agencies):
        bureau = iris.agency_iri("331002", "other", name=f"合成单位{number}")
        graph.add((bureau, RDF.type, DG.Agency))
        graph.add((bureau, SKOS.prefLabel, Literal(f"合成单位{number}", lang="zh")))
        graph.add((bureau, DG.agencyType, AGENCY_TYPE.other))
        graph.add((bureau, DG.jurisdiction, place))
        bureaus.append(bureau)
    for number in range(tasks):
        task = iris.task_iri("synthetic-large", f"{number:04d}")
        bureau = bureaus[number % agencies]
        role = DG.AssistRole if number % 2 else DG.LeadRole
        assignment = iris.node_iri("synthetic-large", "assignment", number)
        for subject, predicate, value in (
            (task, RDF.type, DG.Task),
            (task, DG.inPlan, plan),
            (task, DG.taskKey, Literal(f"synthetic-{number:04d}")),
            (task, DG.text, Literal(f"合成任务{number}的原文。", lang="zh")),
            (bureau, DG.assists if number % 2 else DG.leads, task),
            (task, DG.qualifiedAssignment, assignment),
            (assignment, DG.agent, bureau),
            (assignment, DG.role, role),
            (assignment, DG.asWritten, Literal(f"合成单位{number % agencies}", lang="zh")),
        ):
            graph.add((subject, predicate, value))
    return graph


@pytest.mark.slow
def test_network_data_of_two_thousand_nodes(tmp_path: Path) -> None:
    # oxigraph, the served backend: rdflib's engine joins network-edges' sub-selects far too slowly here.
    with open_store("oxigraph", path=tmp_path / "store") as store:
        store.replace_graphs(
            {
                iris.plan_graph_iri("synthetic-large"): _synthetic_plan(tasks=1800, agencies=200),
                iris.ONTOLOGY_GRAPH: load_ontology(),
            }
        )
        with TestClient(create_app(get_settings(backend="memory"), store=store)) as large_client:
            data = _json(large_client, "/network/data", plan="synthetic-large")
    assert len(data["nodes"]) == 2000 and len(data["edges"]) == 1800
    assert data["large"] is True and len(data["nodes"]) > LARGE_NETWORK
    first = next(
        edge for edge in data["edges"] if edge["task_key"] == "synthetic-0000" and edge["role"] == "lead"
    )
    assert first["written"][0]["as_written"] == "合成单位0" and first["task_text"] == "合成任务0的原文。"


# --- the pages ----------------------------------------------------------------------------------------


def test_network_page_points_at_its_data(client: TestClient) -> None:
    page = client.get("/network", params={"agency": MARKET, "hops": 2})
    assert page.status_code == 200
    assert "台州市椒江区市场监督管理局 的协作网络（2 步）" in page.text
    assert (
        'data-src="/network/data?agency=https%3A%2F%2Fw3id.org%2Fdutygraph%2Fid%2Fagency%2F331002%2Fmarket-regulation&amp;hops=2"'
        in page.text
    )
    for element in (
        'id="network"',
        'id="edge-info"',
        'id="legend"',
        'id="filter-plan"',
        'id="filter-jurisdiction"',
    ):
        assert element in page.text
    for style in ROLE_STYLES:
        assert f'id="filter-role-{style.role}"' in page.text and f'data-role="{style.role}"' in page.text
    chooser = client.get("/network")
    assert 'data-src=""' in chooser.text and f'<option value="{WENZHOU}">' in chooser.text
    plan_page = client.get("/network", params={"plan": "wenzhou"})
    assert 'data-src="/network/data?plan=wenzhou-2018-duty-table"' in plan_page.text
    missing = client.get("/network", params={"plan": "no-such-plan"})
    assert missing.status_code == 404 and "no plan has the id" in missing.text
    unknown = client.get("/network", params={"agency": str(iris.agency_iri("331002", "customs"))})
    assert unknown.status_code == 404 and "no agency or agency group in the store is" in unknown.text
    several = client.get("/network", params={"agency": "市场监管局"})
    assert 'id="network-candidates"' in several.text and "温州市市场监督管理局" in several.text


@pytest.mark.parametrize("path", ["/query", "/network?plan=wenzhou", "/network"])
def test_pages_load_assets_from_static_only(client: TestClient, path: str) -> None:
    page = client.get(path)
    urls = _assets(page.text)
    assert urls, "the page loads its scripts and styles"
    assert all(url.startswith("/static/") for url in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    expected = (
        "/static/vendor/yasgui/yasgui.min.js"
        if path == "/query"
        else "/static/vendor/vis-network/vis-network.min.js"
    )
    assert expected in urls


@pytest.mark.parametrize(
    ("folder", "bundle", "licences", "version"),
    [
        ("yasgui", "yasgui.min.js", ("LICENSE",), "4.6.2"),
        ("vis-network", "vis-network.min.js", ("LICENSE-MIT", "LICENSE-APACHE-2.0"), "10.1.5"),
    ],
)
def test_vendored_files(folder: str, bundle: str, licences: tuple[str, ...], version: str) -> None:
    vendor = STATIC / "vendor" / folder
    assert len((vendor / bundle).read_bytes()) > 500_000
    for licence in licences:
        assert "Permission is hereby granted" in (vendor / licence).read_text(encoding="utf-8") or (
            "Apache License" in (vendor / licence).read_text(encoding="utf-8")
        )
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    assert version in readme and "licen" in readme.lower()
    if folder == "yasgui":
        assert len((vendor / "yasgui.min.css").read_bytes()) > 20_000
        assert "dbpedia.org/sparql" in (vendor / bundle).read_text(encoding="utf-8")  # the default we replace


def test_page_scripts_reach_no_other_host() -> None:
    for script in ("query-console.js", "network.js"):
        text = (STATIC / "js" / script).read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), script
    console = (STATIC / "js" / "query-console.js").read_text(encoding="utf-8")
    assert "delete Yasqe.Autocompleters.property" in console  # the LOV completers would fetch as one types
