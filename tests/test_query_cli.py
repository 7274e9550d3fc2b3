"""`dutygraph query` and `dutygraph check`, run in-process as a user would type them.

One oxigraph store of the five bundled plans serves the query tests; `check` runs on a store of the four plans
that name their agencies (clean with or without reasoning) and on the same store with a defect written in.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from dutygraph.cli import main
from dutygraph.kg.iris import INFERRED_GRAPH, agency_iri, jurisdiction_iri, plan_graph_iri, task_iri
from dutygraph.kg.query_library import query_names, violation_names
from dutygraph.kg.stores import open_store
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

JIAOJIANG_MARKET = str(agency_iri("331002", "market-regulation"))
TIANTAI_EDUCATION = agency_iri("331023", "education")
TIANTAI_1_1 = task_iri("tiantai-2019-work-points", "1-1")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five bundled plans, built by `dutygraph build`, plus one inferred involvement written by hand."""
    path = tmp_path_factory.mktemp("query") / "store"
    assert main(["build", "--store", str(path)]) == 0
    inferred = Graph()
    inferred.add((TIANTAI_EDUCATION, DG.involvedIn, TIANTAI_1_1))
    inferred.add((TIANTAI_EDUCATION, RDF.type, DG.Agency))
    inferred.add((TIANTAI_EDUCATION, SKOS.prefLabel, Literal("天台县教育局", lang="zh")))
    inferred.add((TIANTAI_EDUCATION, DG.agencyType, AGENCY_TYPE.education))
    inferred.add((TIANTAI_EDUCATION, DG.jurisdiction, jurisdiction_iri("331023")))
    with open_store("oxigraph", path=path) as store:
        store.replace_graphs({INFERRED_GRAPH: inferred})
    return path


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four bundled plans whose tasks all name an agency (Tiantai's name none)."""
    path = tmp_path_factory.mktemp("check") / "store"
    plans = [str(p) for p in bundled_plans() if not p.stem.startswith("tiantai")]
    assert main(["build", *plans, "--store", str(path)]) == 0
    return path


def query(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["query", *args, "--store", str(store)])
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_every_query_with_its_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert set(lines) == set(query_names())
    assert "$agency" in lines["agency-tasks"] and "单位的任务 / Tasks of an agency" in lines["agency-tasks"]
    assert "$from $to" in lines["deadlines-between"]
    assert main(["query", "--list", "--format", "json"]) == 0
    listed = {q["name"]: q for q in json.loads(capsys.readouterr().out)}
    assert listed["agency-tasks"]["parameters"].startswith("agency: IRI of a dg:Agency")


def test_named_query_with_a_parameter(capsys: pytest.CaptureFixture[str], store_dir: Path) -> None:
    status, out, err = query(capsys, store_dir, "agency-tasks", "--param", f"agency=<{JIAOJIANG_MARKET}>")
    assert status == 0, err
    header, rule, *body = out.splitlines()
    assert header.split()[:5] == ["agency", "task", "taskKey", "title", "role"] and set(rule) <= {"-", " "}
    task_07 = next(line for line in body if "jiaojiang-2020-07" in line)
    assert "dg:LeadRole" in task_07 and "asserted" in task_07 and "2020-12-31" in task_07
    assert len(body) == 49  # 21 led, 4 assisted, 24 shared


def test_an_agency_may_be_given_by_name(capsys: pytest.CaptureFixture[str], store_dir: Path) -> None:
    status, out, _ = query(
        capsys, store_dir, "co-assigned", "--param", "agency=乐清市市场监督管理局", "--format", "json"
    )
    assert status == 0
    shared = {row["name"]: row["sharedTasks"] for row in json.loads(out)}
    assert shared["乐清市农业农村局"] == 16
    status, _, err = query(capsys, store_dir, "co-assigned", "--param", "agency=市场监管局")
    assert status == 2
    assert "may mean 4 agencies" in err and JIAOJIANG_MARKET in err


def test_json_and_csv_carry_the_same_rows(capsys: pytest.CaptureFixture[str], store_dir: Path) -> None:
    june = ("deadlines-between", "--param", "from=2018-06-01", "--param", "to=2018-06-30")
    status, out, _ = query(capsys, store_dir, *june, "--format", "json")
    assert status == 0
    (row,) = json.loads(out)
    assert row["taskKey"] == "wenzhou-2018-01" and row["date"] == "2018-06-30" and row["asWritten"] == "6月前"
    assert row["kind"] == str(DG.ByDate) and row["task"] == str(task_iri("wenzhou-2018-duty-table", "01"))
    status, out, _ = query(capsys, store_dir, *june, "--format", "csv")
    assert status == 0
    records = list(csv.DictReader(io.StringIO(out)))
    assert records == [{key: str(value) for key, value in row.items()}]


def test_workload_as_csv_ranks_the_jiaojiang_market_bureau_first(
    capsys: pytest.CaptureFixture[str], store_dir: Path
) -> None:
    status, out, _ = query(capsys, store_dir, "workload", "--format", "csv")
    first = next(csv.DictReader(io.StringIO(out)))
    assert status == 0 and first["agency"] == JIAOJIANG_MARKET and first["leads"] == "21"


def test_asserted_only_leaves_out_the_inferred_graph(
    capsys: pytest.CaptureFixture[str], store_dir: Path
) -> None:
    args = ("agency-tasks", "--param", f"agency={TIANTAI_EDUCATION}", "--format", "json")
    status, out, _ = query(capsys, store_dir, *args)
    assert status == 0
    assert [(r["taskKey"], r["source"], r["role"]) for r in json.loads(out)] == [
        ("tiantai-2019-1-1", "inferred", None)
    ]
    status, out, _ = query(capsys, store_dir, *args, "--asserted-only")
    assert status == 0 and json.loads(out) == []


def test_sparql_text_and_rq_files_take_dollar_parameters(
    capsys: pytest.CaptureFixture[str], store_dir: Path, tmp_path: Path
) -> None:
    text = (
        "PREFIX dg: <https://w3id.org/dutygraph/ns#>\nSELECT $agency ?task WHERE { $agency dg:leads ?task }"
    )
    status, out, _ = query(
        capsys, store_dir, text, "--param", f"agency={JIAOJIANG_MARKET}", "--format", "json"
    )
    assert status == 0 and len(json.loads(out)) == 21
    path = tmp_path / "led.rq"
    path.write_text(text, encoding="utf-8")
    status, out, _ = query(
        capsys, store_dir, str(path), "--param", f"agency={JIAOJIANG_MARKET}", "--format", "csv"
    )
    assert status == 0 and len(out.splitlines()) == 22


def test_construct_prints_turtle_and_ask_a_boolean(
    capsys: pytest.CaptureFixture[str], store_dir: Path
) -> None:
    construct = (
        "PREFIX dg: <https://w3id.org/dutygraph/ns#>\n"
        "CONSTRUCT { ?task dg:ledBy $agency } WHERE { $agency dg:leads ?task }"
    )
    status, out, _ = query(capsys, store_dir, construct, "--param", f"agency={JIAOJIANG_MARKET}")
    assert status == 0 and "@prefix dg:" in out
    graph = Graph().parse(data=out, format="turtle")
    assert len(graph) == 21 and (task_iri("jiaojiang-2020-reform-tasks", "07"), DG.ledBy, None) in graph
    ask = "PREFIX dg: <https://w3id.org/dutygraph/ns#>\nASK { $agency dg:leads ?task }"
    status, out, _ = query(capsys, store_dir, ask, "--param", f"agency={JIAOJIANG_MARKET}")
    assert (status, out.strip()) == (0, "true")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("DELETE WHERE { ?s ?p ?o }",), "SPARQL Update is refused"),
        (("DROP GRAPH <https://w3id.org/dutygraph/graph/ontology>",), "SPARQL Update is refused"),
        (("agency-tasks",), "needs parameter agency"),
        (("workload", "--param", "agency=dg:LeadRole"), "takes no parameter agency"),
        (
            ("agency-tasks", "--param", "agency=<https://example.org/x>"),
            "outside https://w3id.org/dutygraph/",
        ),
        (
            ("deadlines-between", "--param", "from=2018-02-30", "--param", "to=2018-06-30"),
            "not a valid xsd:date",
        ),
        (("plan-matrix", "--param", "plan=wenzhou-2018-duty-table"), "parameter plan wants an IRI"),
        (("deadlines-between", "--param", "from=2018", "--param", "to=2018-06-30"), "wants an xsd:date"),
        (("co-assigned", "--param", "agency=无此局"), "no agency in the store goes by '无此局'"),
        (("no-such-query",), "no query named 'no-such-query'"),
        (("missing.rq",), "cannot read the query file"),
    ],
)
def test_refused_queries_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], store_dir: Path, args: tuple[str, ...], message: str
) -> None:
    before = _count(store_dir)
    status, out, err = query(capsys, store_dir, *args)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert _count(store_dir) == before


def _count(path: Path) -> int:
    with open_store("oxigraph", path=path, read_only=True) as store:
        return store.count()


@pytest.fixture
def violating_dir(clean_dir: Path) -> Iterator[Path]:
    """The clean store with one plan graph that breaks two checks; taken out again afterwards."""
    bad = Graph()
    bureau = agency_iri("990000", "nowhere")
    bad.add((bureau, RDF.type, DG.Agency))
    bad.add((bureau, SKOS.prefLabel, Literal("无辖区局", lang="zh")))
    bad.add((bureau, DG.agencyType, AGENCY_TYPE["market-regulation"]))
    bad.add((bureau, DG.involvedIn, task_iri("jiaojiang-2020-reform-tasks", "07")))
    graph = plan_graph_iri("bad-fixture")
    with open_store("oxigraph", path=clean_dir) as store:
        store.replace_graphs({graph: bad})
    yield clean_dir
    with open_store("oxigraph", path=clean_dir) as store:
        store.replace_graphs({}, remove=[graph])


def test_check_exits_0_on_a_clean_store(capsys: pytest.CaptureFixture[str], clean_dir: Path) -> None:
    capsys.readouterr()
    assert main(["check", "--store", str(clean_dir)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and f"all {len(violation_names())} checks pass" in err
    assert main(["check", "--store", str(clean_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_check_exits_1_and_names_each_violation(
    capsys: pytest.CaptureFixture[str], violating_dir: Path
) -> None:
    capsys.readouterr()
    assert main(["check", "--store", str(violating_dir), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    found = {(v["check"], v["node"]) for v in json.loads(out)}
    bureau = str(agency_iri("990000", "nowhere"))
    assert found == {
        ("agency-without-jurisdiction-violation", bureau),
        ("inference-in-plan-graph-violation", bureau),
    }
    assert "2 violations in 2 of" in err
    assert main(["check", "--store", str(violating_dir)]) == 1
    table = capsys.readouterr().out
    assert "无辖区局" in table and "has no jurisdiction" in table


def test_check_on_a_missing_store_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", "--store", str(tmp_path / "nowhere")]) == 2
    assert "no store here" in capsys.readouterr().err
