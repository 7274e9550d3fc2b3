"""Explanations: why an agency is involved in a task, from plan lines through the rules, and `dutygraph explain`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from dutygraph.cli import main
from dutygraph.errors import DutygraphError
from dutygraph.kg.build import build
from dutygraph.kg.explain import NotInvolved, Source, explain, task_named
from dutygraph.kg.iris import ONTOLOGY_GRAPH, agency_iri, plan_graph_iri, task_iri
from dutygraph.kg.reasoning import infer
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.ontology import load_ontology
from dutygraph.ontology.namespace import DG

FIXTURES = Path(__file__).parent / "reasoning"
JIAOJIANG_MARKET = agency_iri("331002", "market-regulation")


@pytest.fixture(scope="module")
def bundled() -> Iterator[GraphStore]:
    with open_store("memory") as store:
        build(store, [])
        infer(store)
        yield store


def _fixture_store(folder: str) -> GraphStore:
    """A store holding one fixture as a plan graph, the ontology, and what reasoning infers from them."""
    store = open_store("memory")
    asserted = Graph().parse(FIXTURES / folder / "asserted.ttl", format="turtle")
    store.replace_graphs({plan_graph_iri(f"fixture-{folder}"): asserted, ONTOLOGY_GRAPH: load_ontology()})
    seeds = FIXTURES / folder / "seeds.ttl"
    infer(store, seeds=[Graph().parse(seeds, format="turtle")] if seeds.exists() else [])
    return store


def test_an_asserted_lead_is_explained_by_its_plan_line(bundled: GraphStore) -> None:
    task = task_named(bundled, "jiaojiang-2020-07")
    why = explain(bundled, task=task, agency=JIAOJIANG_MARKET)
    assert why.direct and why.roles == ("lead",)
    assert (why.proof.triple, why.proof.rule) == ((JIAOJIANG_MARKET, DG.involvedIn, task), "prp-spo1")
    assert why.proof.axiom == "dg:leads rdfs:subPropertyOf dg:involvedIn"
    (lead,) = why.proof.premises
    assert lead.triple == (JIAOJIANG_MARKET, DG.leads, task) and lead.rule == "asserted"
    assert lead.sources == (Source("jiaojiang-2020-reform-tasks.txt", 53, 58, "区市场监管局", "lead"),)
    assert why.task_source == Source("jiaojiang-2020-reform-tasks.txt", 53, 58)
    assert why.task_title == "加强和优化食品安全抽检工作。"


def test_an_inferred_involvement_goes_through_the_group_to_the_plan_line(bundled: GraphStore) -> None:
    # The Wenzhou table gives task 01 to 各县（市、区）政府; 瑞安市人民政府, named elsewhere in it, is one of them.
    task = task_iri("wenzhou-2018-duty-table", "01")
    ruian = agency_iri("330381", "government")
    why = explain(bundled, task=task, agency=ruian)
    assert not why.direct and why.roles == ("lead",)
    assert [step.rule for step in why.proof.walk() if step.rule != "asserted"] == [
        "prp-spo1",
        "prp-spo2",
        "prp-inv2",
        "group-subdivisions",
    ]
    chain = why.proof.premises[0]
    assert chain.triple == (ruian, DG.leads, task)
    assert chain.axiom == "dg:leads owl:propertyChainAxiom (dg:memberOf dg:leads)"
    group_lead = next(s for s in chain.premises if s.rule == "asserted")
    assert group_lead.sources[0].as_written == "各县（市、区）政府"
    assert group_lead.sources[0].where() == "wenzhou-2018-duty-table.txt 第 10–13 行"
    bridging = next(s for s in why.proof.walk() if s.rule == "group-subdivisions")
    assert bridging.axiom.startswith("温州市各县（市、区）人民政府 包括下级辖区 瑞安市 的 瑞安市人民政府")


def test_a_group_member_inference_names_the_body_and_its_lines() -> None:
    with _fixture_store("group-members") as store:
        task = task_named(store, "fixture-2020-19")
        bureau = URIRef("urn:test:group-members:bureau")
        why = explain(store, task=task, agency=bureau)
        text = why.text()
    assert why.roles == ("assist",) and not why.direct
    bridging = next(step for step in why.proof.walk() if step.rule == "group-members")
    assert bridging.axiom.startswith("某区食品安全委员会成员单位 包括 某区食品安全工作领导小组 的成员单位")
    body_member = next(s for s in bridging.premises if s.predicate.endswith("hasMember"))
    assert body_member.sources == (Source("demo-city-plan.txt", 20, 24),)
    assert text.splitlines()[:2] == [
        "某区教育局 参与任务 fixture-2020-19（配合） / is involved in fixture-2020-19 (assist)",
        "任务 fixture-2020-19 加强学校食品安全教育普及。（reform-tasks.txt 第 142–147 行）",
    ]
    assert (
        "：“区食安委相关成员单位” 配合 (assist)   [asserted / 原文: reform-tasks.txt 第 142–147 行]" in text
    )
    assert "[group-members: 某区食品安全委员会成员单位 包括 某区食品安全工作领导小组 的成员单位" in text
    assert (
        "      ← 某区食品安全工作领导小组 org:hasMember 某区教育局   [asserted / 原文: demo-city-plan.txt 第 20–24 行]"
        in text
    )


def test_a_remit_seed_is_explained_by_its_reason() -> None:
    with _fixture_store("seeds") as store:
        why = explain(
            store, task=task_named(store, "fixture-2019-1-1"), agency=URIRef("urn:test:seeds:education")
        )
    assert why.roles == () and not why.direct
    assert (why.proof.rule, why.proof.note) == ("remit", "任务提到“学校”“学生”，属教育局职责")
    assert "推定参与" in why.text().splitlines()[0]


def test_an_agency_not_involved_is_one_line_error(bundled: GraphStore) -> None:
    task = task_named(bundled, "jiaojiang-2020-07")
    with pytest.raises(
        NotInvolved,
        match=r"^台州市椒江区教育局 不参与任务 jiaojiang-2020-07 / is not involved in task jiaojiang-2020-07$",
    ):
        explain(bundled, task=task, agency=agency_iri("331002", "education"))
    with pytest.raises(DutygraphError, match="no task in the store has the key 'jiaojiang-2020-99'"):
        task_named(bundled, "jiaojiang-2020-99")


# --- the command


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("explain") / "store"
    with open_store("oxigraph", path=path) as store:
        build(store, [])
        infer(store)
    return path


def test_command_prints_the_chain_in_chinese_first(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        [
            "explain",
            "jiaojiang-2020-07",
            "区市场监管局",
            "--jurisdiction",
            "椒江区",
            "--store",
            str(store_dir),
            "--backend",
            "oxigraph",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines() == [
        "台州市椒江区市场监督管理局 参与任务 jiaojiang-2020-07（牵头） / is involved in jiaojiang-2020-07 (lead)",
        "任务 jiaojiang-2020-07 加强和优化食品安全抽检工作。（jiaojiang-2020-reform-tasks.txt 第 53–58 行）",
        "台州市椒江区市场监督管理局 dg:involvedIn jiaojiang-2020-07   [prp-spo1: dg:leads rdfs:subPropertyOf dg:involvedIn]",
        "  ← 台州市椒江区市场监督管理局 dg:leads jiaojiang-2020-07：“区市场监管局” 牵头 (lead)   "
        "[asserted / 原文: jiaojiang-2020-reform-tasks.txt 第 53–58 行]",
    ]


def test_command_json(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iri = str(task_iri("jiaojiang-2020-reform-tasks", "07"))
    status = main(
        [
            "explain",
            iri,
            str(JIAOJIANG_MARKET),
            "--format",
            "json",
            "--store",
            str(store_dir),
            "--backend",
            "oxigraph",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert (
        document["task_key"] == "jiaojiang-2020-07" and document["roles"] == ["lead"] and document["direct"]
    )
    lead = document["proof"]["premises"][0]
    assert lead["rule"] == "asserted"
    assert lead["sources"][0] == {
        "document": "jiaojiang-2020-reform-tasks.txt",
        "line_start": 53,
        "line_end": 58,
        "as_written": "区市场监管局",
        "role": "lead",
    }


@pytest.mark.parametrize(
    ("agency", "message"),
    [
        (
            "区教育局",
            "'区教育局' may mean 2 agencies: 天津市蓟州区教育局 (120119); 台州市椒江区教育局 (331002)",
        ),
        (
            "椒江区教育局",
            "台州市椒江区教育局 不参与任务 jiaojiang-2020-07 / is not involved in task jiaojiang-2020-07",
        ),
    ],
)
def test_command_refuses_in_one_line_with_status_2(
    store_dir: Path, capsys: pytest.CaptureFixture[str], agency: str, message: str
) -> None:
    status = main(
        ["explain", "jiaojiang-2020-07", agency, "--store", str(store_dir), "--backend", "oxigraph"]
    )
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err


def test_a_tiantai_task_names_no_agency_and_its_implied_bureau_is_explained(bundled: GraphStore) -> None:
    """The Tiantai plan names no agency: reasoning implies bureaus by remit, and says why, with the plan line."""
    task = task_iri("tiantai-2019-work-points", "3-4")
    why = explain(bundled, task=task, agency=agency_iri("331023", "education"))
    assert why.proof.rule == "remit"
    assert "“学校”" in why.proof.note and "教育局" in why.proof.note
    text = why.text()
    assert "tiantai-2019-3-4" in text and "第 17 行" in text
