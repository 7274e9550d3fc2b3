"""The query library (queries/*.rq): headers, parameters as bound terms, and answers on the five bundled plans.

Every query runs on both backends from one seed build. The seed store holds what the plans assert; tests that
need inferred triples add a small inferred graph by hand and take it away again, so each query is seen with
and without one. Checks (``*-violation``) must answer nothing on the seed store and must fire on their fixture
in tests/violations/, where the nodes to report are named ``fx:trigger-…``.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError
from dutygraph.kg.build import build
from dutygraph.kg.iris import (
    BASE,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    agency_iri,
    jurisdiction_iri,
    plan_graph_iri,
    plan_iri,
    task_iri,
)
from dutygraph.kg.parameters import parse_param, parse_params, parse_value
from dutygraph.kg.query_library import (
    checked_query_form,
    expected_parameters,
    find_violations,
    named_query,
    parse_query,
    query_names,
    run_named,
    violation_names,
)
from dutygraph.kg.stores import BACKENDS, GraphStore, QueryResult, open_store
from dutygraph.kg.stores.base import checked_bindings, prepared_query
from dutygraph.ontology import load_ontology
from dutygraph.ontology.namespace import AGENCY_TYPE, DG

QUERIES = query_names()
CHECKS = violation_names()
REPORTS = tuple(name for name in QUERIES if name not in CHECKS)
FIXTURES = Path(__file__).parent / "violations"
#: Checks that only pass once reasoning has filled the inferred graph (see the query's header).
NEEDS_INFERENCE = frozenset({"task-without-agency-violation"})

JIAOJIANG_MARKET = agency_iri("331002", "market-regulation")  # 台州市椒江区市场监督管理局
JIAOJIANG_HEALTH = agency_iri("331002", "health")
YUEQING_MARKET = agency_iri("330382", "market-regulation")  # 乐清市市场监督管理局
YUEQING_AGRICULTURE = agency_iri("330382", "agriculture")  # 乐清市农业农村局
TIANTAI_EDUCATION = agency_iri("331023", "education")  # 天台县教育局: no plan names it
WENZHOU = jurisdiction_iri("330300")
JIAOJIANG_07 = task_iri("jiaojiang-2020-reform-tasks", "07")
JIAOJIANG_04 = task_iri("jiaojiang-2020-reform-tasks", "04")
TIANTAI_1_1 = task_iri("tiantai-2019-work-points", "1-1")


# --- stores ------------------------------------------------------------------------------------------


@functools.cache
def _seed_graphs() -> dict[URIRef, Graph]:
    """The graphs one build of the bundled plans writes, before reasoning (built once, copied into each backend's
    store); tests that need inferences add them."""
    with open_store("memory") as store:
        build(store, [], reasoning="none")
        return {name: store.graph(name) for name in store.graph_names()}


@pytest.fixture(scope="module", params=BACKENDS)
def seed(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """The five bundled plans and the ontology, as asserted (no inferred graph), on each backend."""
    with _open_empty(request) as store:
        store.replace_graphs(_seed_graphs())
        yield store


def _open_empty(request: pytest.FixtureRequest, backend: str | None = None) -> GraphStore:
    """An empty store of `backend` (default: the fixture's parameter); sparql is the session's Oxigraph server."""
    backend = backend or request.param
    if backend != "sparql":
        return open_store(backend)
    store = open_store("sparql", endpoint=request.getfixturevalue("oxigraph_server"))
    store.replace_graphs({}, remove=store.graph_names())
    return store


def _hand_inferred() -> Graph:
    """A small inferred graph, written by hand as reasoning would write it."""
    g = Graph()
    # A bureau a remit implies for a task that names none, described only here.
    g.add((TIANTAI_EDUCATION, DG.involvedIn, TIANTAI_1_1))
    g.add((TIANTAI_1_1, DG.involves, TIANTAI_EDUCATION))
    g.add((TIANTAI_EDUCATION, RDF.type, DG.Agency))
    g.add((TIANTAI_EDUCATION, SKOS.prefLabel, Literal("天台县教育局", lang="zh")))
    g.add((TIANTAI_EDUCATION, DG.agencyType, AGENCY_TYPE.education))
    g.add((TIANTAI_EDUCATION, DG.jurisdiction, jurisdiction_iri("331023")))
    # What every asserted role implies: the lead of task 07 is involved in it.
    g.add((JIAOJIANG_MARKET, DG.involvedIn, JIAOJIANG_07))
    g.add((JIAOJIANG_07, DG.ledBy, JIAOJIANG_MARKET))
    # A role derived for a member of a group the plan names: the health bureau takes the lead of task 04.
    g.add((JIAOJIANG_HEALTH, DG.leads, TASK_WITHOUT_HEALTH))
    g.add((JIAOJIANG_HEALTH, DG.involvedIn, TASK_WITHOUT_HEALTH))
    return g


TASK_WITHOUT_HEALTH = JIAOJIANG_04


@pytest.fixture
def with_inferred(seed: GraphStore) -> Iterator[GraphStore]:
    """The seed store with `_hand_inferred` as its inferred graph, for one test."""
    seed.replace_graphs({INFERRED_GRAPH: _hand_inferred()})
    try:
        yield seed
    finally:
        seed.replace_graphs({}, remove=[INFERRED_GRAPH])


def rows(result: QueryResult) -> list[dict[str, Any]]:
    """Each row by variable name (values stay rdflib terms, None where unbound)."""
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def example_bindings(name: str) -> dict[str, Identifier]:
    """Each parameter bound to the example its header gives."""
    bindings: dict[str, Identifier] = {}
    for parameter in named_query(name).parameter_docs:
        assert parameter.example is not None, f"{name}: parameter {parameter.name} gives no 'e.g.' example"
        bindings[parameter.name] = parse_value(parameter.example.strip("<>"))
    return bindings


# --- headers and parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_has_a_complete_header(name: str) -> None:
    query = named_query(name)
    chinese, _, english = query.title.partition(" / ")
    assert re.search(r"[\u4e00-\u9fff]", chinese) and re.search(r"[A-Za-z]", english), query.title
    assert query.answers.endswith(("?", ".")) and query.reads
    for parameter in query.parameter_docs:
        assert parameter.doc, f"{name}: parameter {parameter.name} says nothing about its value"


@pytest.mark.parametrize("name", QUERIES)
def test_declared_parameters_are_the_dollar_variables_and_bindable(name: str) -> None:
    """The header's parameters are exactly the variables the body writes with $ (how the body marks what it
    expects bound), and each obeys the binding rules both engines share (named in SELECT, not BIND/BOUND)."""
    query = named_query(name)
    text = (FIXTURES.parent.parent / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    declared = re.findall(r"^#\s+-\s*(\w+)\s*:", text.split("\nPREFIX", 1)[0], flags=re.M)
    assert set(declared) == set(expected_parameters(text)) == set(query.parameters)
    checked_bindings(query.text, {p: Literal("x") for p in query.parameters})


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_parses_as_sparql(name: str) -> None:
    prepared_query(named_query(name).text)  # rdflib's parse and algebra, as the memory store runs it
    assert checked_query_form(named_query(name).text) == "SELECT"


def test_queries_name_the_inferred_graph_as_iris_does() -> None:
    for name in QUERIES:
        for prefix in re.findall(r"PREFIX dgg: <([^>]+)>", named_query(name).text):
            assert prefix + "inferred" == str(INFERRED_GRAPH), name


def test_dollar_variables_in_strings_iris_and_comments_are_not_parameters() -> None:
    text = 'SELECT $from ?task WHERE { ?task <https://x.org/$a> "$5 \\" $b" FILTER(?d <= $from) } # $c'
    assert expected_parameters(text) == ("from",)
    with pytest.raises(DutygraphError, match=r"\$agency is also written with '\?'"):
        expected_parameters("SELECT $agency ?task WHERE { ?agency ?p ?task }")


def test_a_header_that_disagrees_with_its_body_is_refused() -> None:
    head = "# title: 任务 / Tasks\n# answers: Which tasks?\n# reads: plan graphs\n"
    body = (
        "PREFIX dg: <https://w3id.org/dutygraph/ns#>\nSELECT $agency ?task WHERE { $agency dg:leads ?task }"
    )
    with pytest.raises(DutygraphError, match=r"declares parameters \[\] but the body writes \['\$agency'\]"):
        parse_query("x", head + "# parameters: none\n" + body)
    with pytest.raises(DutygraphError, match="header lacks answers"):
        parse_query("x", "# title: 任务 / Tasks\n# parameters: none\n# reads: plan graphs\n" + body)
    with pytest.raises(DutygraphError, match="parameters: none"):
        parse_query("x", head + "# parameters:\n" + body)
    good = parse_query(
        "x", head + "# parameters:\n#   - agency: IRI of a dg:Agency,\n#     e.g. <https://a>\n" + body
    )
    assert good.parameters == ("agency",) and good.parameter_docs[0].example == "<https://a>"


def test_run_named_names_missing_and_unknown_parameters(seed: GraphStore) -> None:
    with pytest.raises(DutygraphError, match="needs parameter from, to"):
        run_named(seed, "deadlines-between")
    with pytest.raises(DutygraphError, match="takes no parameter agency"):
        run_named(seed, "workload", bindings={"agency": JIAOJIANG_MARKET})
    with pytest.raises(DutygraphError, match="parameter agency wants an IRI"):
        run_named(seed, "agency-tasks", bindings={"agency": Literal("区市场监管局")})
    with pytest.raises(DutygraphError, match=r"parameter from wants an xsd:date \(such as 2018-06-01\)"):
        run_named(
            seed, "deadlines-between", bindings={"from": Literal(2018), "to": parse_value("2018-12-31")}
        )


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("DELETE WHERE { ?s ?p ?o }", "SPARQL Update is refused"),
        ("INSERT DATA { <https://a> <https://b> <https://c> }", "SPARQL Update is refused"),
        ("SELECT * FROM <https://w3id.org/dutygraph/graph/inferred> WHERE { ?s ?p ?o }", "FROM / FROM NAMED"),
        ("SELECT * WHERE { SERVICE <https://example.org/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
        ("SELEKT ?s WHERE { ?s ?p ?o }", "not a valid SPARQL"),
    ],
)
def test_queries_that_would_write_or_reach_out_are_refused(text: str, refusal: str) -> None:
    with pytest.raises(DutygraphError, match=refusal):
        checked_query_form(text)


# --- parameter values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("agency=<https://w3id.org/dutygraph/id/agency/331002/health>", JIAOJIANG_HEALTH),
        ("agency=https://w3id.org/dutygraph/id/agency/331002/health", JIAOJIANG_HEALTH),
        ("type=<http://www.w3.org/2004/02/skos/core#Concept>", SKOS.Concept),
        ("role=dg:LeadRole", DG.LeadRole),
        ("type=at:market-regulation", AGENCY_TYPE["market-regulation"]),
        ('name="区市场监管局"@zh', Literal("区市场监管局", lang="zh")),
        ('from="2018-06-01"^^xsd:date', Literal("2018-06-01", datatype=XSD.date)),
        ('value="4.5"^^<http://www.w3.org/2001/XMLSchema#decimal>', Literal("4.5", datatype=XSD.decimal)),
        ("to=2020-12-31", Literal("2020-12-31", datatype=XSD.date)),
        ("count=07", Literal("7", datatype=XSD.integer)),
        ("value=100.0", Literal("100", datatype=XSD.decimal)),
        ("metricText=抽检量", Literal("抽检量")),
        ('metricText="年度日常工作"', Literal("年度日常工作")),
        ("?metricText=a=b", Literal("a=b")),
    ],
)
def test_parameter_values_become_typed_terms(text: str, term: Identifier) -> None:
    name, value = parse_param(text)
    assert name == text.split("=", 1)[0].lstrip("?$")
    assert value == term and type(value) is type(term)
    if isinstance(term, Literal):
        assert isinstance(value, Literal) and (value.datatype, value.language) == (
            term.datatype,
            term.language,
        )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("agency", "is not NAME=VALUE"),
        ("1st=x", "not a SPARQL variable name"),
        ("agency=<https://example.org/bureau>", "outside https://w3id.org/dutygraph/"),
        ("agency=http://evil.example/x", "outside https://w3id.org/dutygraph/"),
        ("agency=<https://w3id.org/dutygraph/id/a b>", "not an absolute IRI"),
        ("role=dg:LeaderRole", "dg:LeaderRole is not a term"),
        ('from="2018-02-30"^^xsd:date', "not a valid xsd:date"),
        ("from=2018-13-01", "not a valid xsd:date"),
        ('value="4,5"^^xsd:decimal', "not a valid xsd:decimal"),
        ('name="unterminated', "not a quoted string"),
        ('name="bad \\q escape"', "unknown escape"),
    ],
)
def test_unreadable_parameters_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(DutygraphError, match=re.escape(reason)):
        parse_param(text)


def test_a_parameter_given_twice_is_refused() -> None:
    with pytest.raises(DutygraphError, match="given twice"):
        parse_params(["from=2018-06-01", "from=2018-06-30"])


def test_quotes_and_backslashes_reach_the_store_as_one_term(request: pytest.FixtureRequest) -> None:
    """A value that would break (or rewrite) a query spliced into text is just a string once bound."""
    hostile = 'metricText=量") } UNION { ?indicator ?p ?o } #\\'
    name, value = parse_param(hostile)
    assert value == Literal('量") } UNION { ?indicator ?p ?o } #\\')
    quoted = parse_param('metricText="含\\"引号\\\\的指标"')[1]
    assert quoted == Literal('含"引号\\的指标')
    indicator = URIRef(BASE + "id/plan/fixture/indicator/1")
    plan = Graph()
    plan.add((plan_iri("fixture"), DG.hasIndicator, indicator))
    plan.add((plan_iri("fixture"), RDF.type, DG.Plan))
    plan.add((indicator, DG.metric, Literal('含"引号\\的指标率', lang="zh")))
    for backend in BACKENDS:
        with _open_empty(request, backend) as store:
            store.replace_graphs({plan_graph_iri("fixture"): plan})
            assert run_named(store, "indicators-by-metric", bindings={name: value}).rows == ()
            found = run_named(store, "indicators-by-metric", bindings={name: quoted})
            assert [r["indicator"] for r in rows(found)] == [indicator], backend


# --- answers on the bundled plans ----------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_answers_its_header_example(seed: GraphStore, name: str) -> None:
    result = run_named(seed, name, bindings=example_bindings(name))
    assert result.rows, f"{name} answers nothing for the example its header gives"
    assert all(value is not None for value in result.rows[0][: len(named_query(name).parameters)])


def test_agency_tasks_of_the_jiaojiang_market_bureau(seed: GraphStore) -> None:
    found = rows(run_named(seed, "agency-tasks", bindings={"agency": JIAOJIANG_MARKET}))
    task_07 = [r for r in found if r["task"] == JIAOJIANG_07]
    assert len(task_07) == 1
    assert task_07[0]["taskKey"] == Literal("jiaojiang-2020-07")
    assert (task_07[0]["role"], task_07[0]["source"]) == (DG.LeadRole, Literal("asserted"))
    assert task_07[0]["plan"] == plan_iri("jiaojiang-2020-reform-tasks")
    assert task_07[0]["dates"] == Literal("2020-12-31") and task_07[0]["deadlines"] == Literal(
        "2020年底前完成"
    )
    assert sum(r["role"] == DG.LeadRole for r in found) == 21
    assert {r["source"] for r in found} == {Literal("asserted")}


def test_agency_tasks_in_one_role(seed: GraphStore) -> None:
    bindings = {"agency": YUEQING_MARKET, "role": DG.LeadRole}
    found = rows(run_named(seed, "agency-tasks-in-role", bindings=bindings))
    assert len(found) == 11
    assert {str(r["asWritten"]) for r in found} <= {"市市场监管局", "市场监管局", "乐清市市场监管局"}


def test_task_agencies_keep_the_wording_of_the_plan(seed: GraphStore) -> None:
    found = rows(run_named(seed, "task-agencies", bindings={"task": JIAOJIANG_07}))
    assert {(r["agency"], r["role"], str(r["asWritten"])) for r in found} == {
        (JIAOJIANG_MARKET, DG.LeadRole, "区市场监管局"),
        (agency_iri("331002", "agriculture"), DG.AssistRole, "区农水局"),
        (JIAOJIANG_HEALTH, DG.AssistRole, "区卫健局"),
    }
    assert {r["lineStart"] for r in found} == {Literal(53)}


def test_plan_matrix_of_wenzhou_has_its_32_tasks(seed: GraphStore) -> None:
    plan = plan_iri("wenzhou-2018-duty-table")
    found = rows(run_named(seed, "plan-matrix", bindings={"plan": plan}))
    assert len({r["task"] for r in found}) == 32
    assert agency_iri("330300", "market-regulation") in {r["agency"] for r in found}
    first = {(r["agency"], r["role"]) for r in found if r["taskKey"] == Literal("wenzhou-2018-01")}
    assert first == {(URIRef(BASE + "id/group/330300/county-government"), DG.LeadRole)}  # 各县（市、区）政府
    second = {(r["agency"], r["role"]) for r in found if r["taskKey"] == Literal("wenzhou-2018-02")}
    assert (agency_iri("330300", "food-safety-office"), DG.ResponsibleRole) in second


def test_plan_matrix_keeps_tasks_that_name_no_agency(seed: GraphStore) -> None:
    found = rows(run_named(seed, "plan-matrix", bindings={"plan": plan_iri("tiantai-2019-work-points")}))
    assert len(found) == 22 and all(r["agency"] is None for r in found)


def test_workload_ranks_a_market_regulation_bureau_first(seed: GraphStore) -> None:
    found = rows(run_named(seed, "workload"))
    top = found[0]
    assert top["agency"] == JIAOJIANG_MARKET and str(top["name"]) == "台州市椒江区市场监督管理局"
    assert (int(top["leads"]), int(top["assists"]), int(top["responsible"])) == (21, 4, 24)
    assert int(top["tasks"]) == 49 and int(top["inferredTasks"]) == 0
    assert all(str(r["agency"]).startswith(BASE + "id/agency/") for r in found)  # agencies, not groups


def test_deadlines_in_june_2018(seed: GraphStore) -> None:
    june = {"from": parse_value("2018-06-01"), "to": parse_value("2018-06-30")}
    found = rows(run_named(seed, "deadlines-between", bindings=june))
    assert [(str(r["taskKey"]), str(r["asWritten"]), r["kind"]) for r in found] == [
        ("wenzhou-2018-01", "6月前", DG.ByDate)
    ]
    year = {"from": parse_value("2020-01-01"), "to": parse_value("2020-12-31")}
    dates = [r["date"] for r in rows(run_named(seed, "deadlines-between", bindings=year))]
    assert dates == sorted(dates, key=str) and Literal("2020-12-31", datatype=XSD.date) in dates


def test_co_assigned_with_the_yueqing_market_bureau(seed: GraphStore) -> None:
    found = {r["other"]: r for r in rows(run_named(seed, "co-assigned", bindings={"agency": YUEQING_MARKET}))}
    agriculture = found[YUEQING_AGRICULTURE]
    assert str(agriculture["name"]) == "乐清市农业农村局" and int(agriculture["sharedTasks"]) == 16
    assert "yueqing-2022-30" in str(agriculture["taskKeys"]).split()
    assert YUEQING_MARKET not in found


def test_indicators_whose_metric_names_food_sampling(seed: GraphStore) -> None:
    found = rows(run_named(seed, "indicators-by-metric", bindings={"metricText": Literal("食品抽检量")}))
    task_07 = [r for r in found if r["task"] == JIAOJIANG_07]
    assert [(r["value"].toPython(), str(r["unit"])) for r in task_07] == [(4.5, "批次/千人")]
    assert all("食品抽检量" in str(r["metric"]) for r in found)


def test_plans_of_wenzhou_include_yueqing_below_it(seed: GraphStore) -> None:
    found = rows(run_named(seed, "jurisdiction-plans", bindings={"jurisdiction": WENZHOU}))
    assert {r["plan"] for r in found} == {
        plan_iri("wenzhou-2018-duty-table"),
        plan_iri("yueqing-2022-demo-city-plan"),
    }
    zhejiang = rows(
        run_named(seed, "jurisdiction-plans", bindings={"jurisdiction": jurisdiction_iri("330000")})
    )
    assert len({r["plan"] for r in zhejiang}) == 4  # every plan but Jizhou's (天津市)


def test_plans_of_a_jurisdiction_through_inferred_nesting_only() -> None:
    """A division whose parent no plan asserts is still found through dg:withinJurisdiction, when inferred."""
    district, city = jurisdiction_iri("331002"), jurisdiction_iri("331000")
    plan = Graph()
    plan.add((plan_iri("fixture"), RDF.type, DG.Plan))
    plan.add((plan_iri("fixture"), DG.jurisdiction, district))
    inferred = Graph().add((district, DG.withinJurisdiction, city))
    with open_store("memory") as store:
        store.replace_graphs({plan_graph_iri("fixture"): plan, INFERRED_GRAPH: inferred})
        bindings = {"jurisdiction": city}
        assert len(run_named(store, "jurisdiction-plans", bindings=bindings).rows) == 1
        assert run_named(store, "jurisdiction-plans", bindings=bindings, inferred=False).rows == ()


def test_tasks_without_lead(seed: GraphStore) -> None:
    found = rows(run_named(seed, "tasks-without-lead"))
    by_plan: dict[str, list[int]] = {}
    for r in found:
        by_plan.setdefault(str(r["plan"]).rsplit("/", 1)[-1], []).append(int(r["agencies"]))
    assert {plan: len(counts) for plan, counts in by_plan.items()} == {
        "jiaojiang-2020-reform-tasks": 30,
        "jizhou-2020-supervision-plan": 19,
        "tiantai-2019-work-points": 22,
        "wenzhou-2018-duty-table": 30,  # all but 01 and one other, led by 各县（市、区）政府
    }
    assert min(by_plan["wenzhou-2018-duty-table"]) >= 1 and by_plan["tiantai-2019-work-points"] == [0] * 22
    assert "wenzhou-2018-02" in {str(r["taskKey"]) for r in found}


# --- with an inferred graph --------------------------------------------------------------------------------


def test_agency_tasks_tell_asserted_from_inferred(with_inferred: GraphStore) -> None:
    implied = rows(run_named(with_inferred, "agency-tasks", bindings={"agency": TIANTAI_EDUCATION}))
    assert [(r["task"], r["role"], str(r["source"])) for r in implied] == [(TIANTAI_1_1, None, "inferred")]
    restated = rows(run_named(with_inferred, "agency-tasks", bindings={"agency": JIAOJIANG_MARKET}))
    assert [(r["role"], str(r["source"])) for r in restated if r["task"] == JIAOJIANG_07] == [
        (DG.LeadRole, "asserted")
    ]
    derived = rows(run_named(with_inferred, "agency-tasks", bindings={"agency": JIAOJIANG_HEALTH}))
    assert [(r["role"], str(r["source"])) for r in derived if r["task"] == TASK_WITHOUT_HEALTH] == [
        (DG.LeadRole, "inferred")
    ]
    asserted_only = run_named(
        with_inferred, "agency-tasks", bindings={"agency": TIANTAI_EDUCATION}, inferred=False
    )
    assert asserted_only.rows == ()


def test_reports_count_inferred_involvement_apart(with_inferred: GraphStore) -> None:
    matrix = rows(
        run_named(with_inferred, "plan-matrix", bindings={"plan": plan_iri("tiantai-2019-work-points")})
    )
    assert [(r["agency"], str(r["source"])) for r in matrix if r["task"] == TIANTAI_1_1] == [
        (TIANTAI_EDUCATION, "inferred")
    ]
    assert len({r["task"] for r in matrix}) == 22
    involved = rows(run_named(with_inferred, "task-agencies", bindings={"task": TIANTAI_1_1}))
    assert [(r["agency"], str(r["name"]), str(r["source"])) for r in involved] == [
        (TIANTAI_EDUCATION, "天台县教育局", "inferred")
    ]
    workload = {r["agency"]: r for r in rows(run_named(with_inferred, "workload"))}
    assert int(workload[TIANTAI_EDUCATION]["inferredTasks"]) == 1
    assert int(workload[JIAOJIANG_MARKET]["tasks"]) == 49  # restating an asserted role adds nothing
    assert int(workload[JIAOJIANG_HEALTH]["leads"]) == 2  # the derived lead is not an asserted one


def test_task_without_agency_reads_the_inferred_graph(with_inferred: GraphStore) -> None:
    reported = run_named(with_inferred, "task-without-agency-violation").column("node")
    assert len(reported) == 21 and TIANTAI_1_1 not in reported
    assert len(run_named(with_inferred, "task-without-agency-violation", inferred=False).rows) == 22


# --- checks ----------------------------------------------------------------------------------------------


def test_every_check_has_a_fixture_and_every_fixture_a_check() -> None:
    assert {p.stem for p in FIXTURES.glob("*.trig")} == set(CHECKS)
    assert len(CHECKS) >= 4


@functools.cache
def _reasoned_inferred_graph() -> Graph | None:
    """What reasoning infers from the seed plans, or None while it is not part of the project."""
    try:
        from dutygraph.kg.reasoning import infer
        from dutygraph.kg.remits import implied_graph
    except ImportError:
        return None
    with open_store("memory") as store:
        store.replace_graphs(_seed_graphs())
        infer(store, seeds=[implied_graph(store)])
        return store.graph(INFERRED_GRAPH)


@pytest.mark.parametrize("name", CHECKS)
def test_checks_find_nothing_on_the_bundled_plans(seed: GraphStore, name: str) -> None:
    if name not in NEEDS_INFERENCE:
        assert run_named(seed, name).rows == ()
        return
    inferred = _reasoned_inferred_graph()
    if inferred is None:
        pytest.xfail(f"{name} needs the inferred graph and dutygraph.kg.reasoning is not importable yet")
    seed.replace_graphs({INFERRED_GRAPH: inferred})
    try:
        assert run_named(seed, name).rows == ()
    finally:
        seed.replace_graphs({}, remove=[INFERRED_GRAPH])


def load_fixture(store: GraphStore, name: str) -> set[URIRef]:
    """Write the check's fixture (and the ontology) into `store`; the nodes it must report."""
    text = (FIXTURES / f"{name}.trig").read_text(encoding="utf-8")
    assert "# SHOULD TRIGGER" in text and "# SHOULD NOT TRIGGER" in text
    dataset = Dataset()
    with warnings.catch_warnings():  # rdflib's own TriG parser still builds a (deprecated) ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=text, format="trig")
    graphs: dict[URIRef, Graph] = {ONTOLOGY_GRAPH: load_ontology()}
    for *_, graph_name in dataset.quads():
        assert isinstance(graph_name, URIRef) and graph_name.startswith(BASE + "graph/"), (
            f"{graph_name}: a triple outside our graphs"
        )
        graphs.setdefault(graph_name, dataset.graph(graph_name))
    store.replace_graphs(graphs)
    nodes = {term for quad in dataset.quads() for term in quad[:3] if isinstance(term, URIRef)}
    return {node for node in nodes if str(node).rsplit("/", 1)[-1].startswith("trigger")}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", CHECKS)
def test_each_check_fires_on_its_fixture(name: str, backend: str, request: pytest.FixtureRequest) -> None:
    with _open_empty(request, backend) as store:
        expected = load_fixture(store, name)
        result = run_named(store, name)
    assert expected, f"tests/violations/{name}.trig names no fx:trigger-… node"
    found = rows(result)
    assert {r["node"] for r in found} == expected
    for row in found:
        assert re.search(r"[\u4e00-\u9fff]", str(row["message_zh"])), row
        assert re.search(r"\b[a-z]{3,} [a-z]{2,}\b", str(row["message_en"])), row  # English words


def test_find_violations_reports_check_node_and_messages() -> None:
    with open_store("memory") as store:
        load_fixture(store, "deadline-without-kind-violation")
        found = find_violations(store)
    assert [(v.check, str(v.node).rsplit("/", 1)[-1]) for v in found] == [
        ("deadline-without-kind-violation", "trigger-deadline")
    ]
    assert "2020年底前完成" in found[0].message_zh and "has no kind" in found[0].message_en
    with pytest.raises(DutygraphError, match="not a check"):
        find_violations(store, checks=("workload",))
