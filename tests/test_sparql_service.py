"""The SPARQL protocol service without HTTP: checks, dataset selection, negotiation, writers, the engine."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS, XSD

from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, agency_iri, plan_graph_iri, task_iri
from dutygraph.kg.sparql.checks import checked_protocol_query
from dutygraph.kg.sparql.dataset import DatasetRequest, query_dataset
from dutygraph.kg.sparql.errors import MalformedQuery, NotAcceptable, QueryRefused, UpdateRefused
from dutygraph.kg.sparql.formats import (
    GRAPH_FORMATS,
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    RESULTS_FORMATS,
    SPARQL_CSV,
    SPARQL_JSON,
    SPARQL_TSV,
    SPARQL_XML,
    TURTLE,
    QueryForm,
    ResultFormat,
    negotiated_format,
    serialised,
)
from dutygraph.kg.sparql.workers import QueryEngine, QueryJob, QueryWorkers, StoreSource, write_snapshot
from dutygraph.kg.stores import GraphStore, QueryResult, open_store
from dutygraph.ontology.namespace import DG

PREFIXES = (
    "PREFIX dg: <https://w3id.org/dutygraph/ns#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
JIAOJIANG = plan_graph_iri("jiaojiang-2020-reform-tasks")
TIANTAI = plan_graph_iri("tiantai-2019-work-points")
MARKET_REGULATION = agency_iri("331002", "market-regulation")
TASK_07 = task_iri("jiaojiang-2020-reform-tasks", "07")
LEADER = Literal("台州市椒江区市场监督管理局", lang="zh")

# rdflib's JSON-LD parser (reading back what we wrote) uses its own deprecated ConjunctiveGraph.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def engine(seed_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueryEngine]:
    snapshot = tmp_path_factory.mktemp("sparql") / "seed.nq"
    write_snapshot(seed_store, snapshot)
    yield QueryEngine(StoreSource(nquads_path=snapshot))


def json_rows(body: bytes) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(body)["results"]["bindings"]]


# --- negotiation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "form", "chosen"),
    [
        (None, "SELECT", SPARQL_JSON),
        ("", "ASK", SPARQL_JSON),
        ("not a media type", "SELECT", SPARQL_JSON),
        ("application/sparql-results+xml", "SELECT", SPARQL_XML),
        ("text/csv;q=0.3, text/tab-separated-values;q=0.6", "SELECT", SPARQL_TSV),
        ("text/*;q=0.5, text/csv;q=0.1", "SELECT", SPARQL_TSV),  # the exact range wins for text/csv
        ("application/sparql-results+json;q=0, application/json;q=0, */*", "ASK", SPARQL_XML),
        ("text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8", "SELECT", SPARQL_JSON),
        ("application/turtle, text/turtle", "CONSTRUCT", TURTLE),
        ("application/n-triples", "DESCRIBE", N_TRIPLES),
        ("application/x-json+ld", "CONSTRUCT", JSON_LD),
        ("text/turtle;q=0.1, application/rdf+xml", "CONSTRUCT", RDF_XML),
    ],
)
def test_negotiated_format(accept: str | None, form: QueryForm, chosen: ResultFormat) -> None:
    assert negotiated_format(accept, form=form) is chosen


def test_nothing_acceptable_names_what_is_offered() -> None:
    with pytest.raises(
        NotAcceptable, match="CONSTRUCT answer; this endpoint writes text/turtle, application/n-triples"
    ):
        negotiated_format("application/sparql-results+json", form="CONSTRUCT")
    with pytest.raises(NotAcceptable):
        negotiated_format("*/*;q=0", form="SELECT")


# --- checks --------------------------------------------------------------------------------------------------------


def test_checked_query_keeps_form_from_clauses_and_prefixes() -> None:
    query = checked_protocol_query(
        PREFIXES
        + f"CONSTRUCT {{ ?a dg:leads ?t }} FROM <{JIAOJIANG}> FROM NAMED <{TIANTAI}> FROM <{JIAOJIANG}> "
        "WHERE { ?a dg:leads ?t }"
    )
    assert query.form == "CONSTRUCT"
    assert query.from_graphs == (JIAOJIANG,) and query.from_named_graphs == (TIANTAI,)
    assert ("skos", str(SKOS)) in query.prefixes
    assert (
        checked_protocol_query("DESCRIBE <https://w3id.org/dutygraph/id/agency/331002/health>").form
        == "DESCRIBE"
    )


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:x:a> <urn:x:b> '区市场监管局' }",
        PREFIXES + "DELETE WHERE { ?agency dg:leads ?task }",
        "LOAD <http://127.0.0.1:9/plan.ttl>",
        "LOAD SILENT <http://127.0.0.1:9/plan.ttl> INTO GRAPH <urn:x:g>",
        "CLEAR ALL",
        "DROP GRAPH <https://w3id.org/dutygraph/graph/inferred>",
    ],
)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(UpdateRefused):
        checked_protocol_query(update)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?q ?r } } }",
        "ASK { ?s ?p ?o FILTER NOT EXISTS { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s WHERE { SERVICE ?endpoint { ?s ?x ?y } } } ?s ?p ?o }",
    ],
)
def test_service_is_refused_wherever_it_hides(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE is refused"):
        checked_protocol_query(query)


def test_malformed_queries_carry_the_parsers_message() -> None:
    with pytest.raises(MalformedQuery, match=r"line:1, col:26"):
        checked_protocol_query("SELECT * WHERE { ?s ?p ?o")
    with pytest.raises(MalformedQuery, match="Unknown namespace prefix : 机构"):
        checked_protocol_query("SELECT ?task WHERE { ?task 机构:牵头 ?agency }")
    with pytest.raises(MalformedQuery, match="empty"):
        checked_protocol_query("  \n")


# --- the dataset ---------------------------------------------------------------------------------------------------

STORED = (JIAOJIANG, TIANTAI, ONTOLOGY_GRAPH, INFERRED_GRAPH, URIRef("urn:x:scratch"))
PLAIN = checked_protocol_query("SELECT * WHERE { ?s ?p ?o }")


def test_default_dataset_is_plans_ontology_and_inferred_and_can_leave_inferred_out() -> None:
    everything = query_dataset(PLAIN, DatasetRequest(), stored=STORED)
    assert set(everything.default_graphs) == set(everything.named_graphs) == set(STORED[:4])
    asserted = query_dataset(PLAIN, DatasetRequest(inferred=False), stored=STORED)
    assert set(asserted.default_graphs) == set(asserted.named_graphs) == set(STORED[:3])


def test_protocol_parameters_win_over_from_and_from_named_alone_empties_the_default_graph() -> None:
    from_tiantai = checked_protocol_query(f"SELECT * FROM <{TIANTAI}> WHERE {{ ?s ?p ?o }}")
    chosen = query_dataset(from_tiantai, DatasetRequest(named_graphs=(str(JIAOJIANG),)), stored=STORED)
    assert (chosen.default_graphs, chosen.named_graphs) == ((), (JIAOJIANG,))
    by_text = query_dataset(from_tiantai, DatasetRequest(), stored=STORED)
    assert (by_text.default_graphs, by_text.named_graphs) == ((TIANTAI,), ())
    named_only = checked_protocol_query(f"SELECT * FROM NAMED <{TIANTAI}> WHERE {{ ?s ?p ?o }}")
    assert query_dataset(named_only, DatasetRequest(), stored=STORED).default_graphs == ()


def test_graphs_that_are_not_ours_are_refused() -> None:
    # An empty inferred graph is still ours (a store built without reasoning); a graph not served is not.
    assert query_dataset(
        checked_protocol_query(f"ASK FROM <{INFERRED_GRAPH}> {{ ?s ?p ?o }}"),
        DatasetRequest(),
        stored=[JIAOJIANG],
    ).default_graphs == (INFERRED_GRAPH,)
    for query, request, what in (
        (
            checked_protocol_query("ASK FROM <http://example.org/plans.ttl> { ?s ?p ?o }"),
            DatasetRequest(),
            "FROM",
        ),
        (
            checked_protocol_query("ASK FROM NAMED <urn:x:scratch> { ?s ?p ?o }"),
            DatasetRequest(),
            "FROM NAMED",
        ),
        (PLAIN, DatasetRequest(default_graphs=(str(plan_graph_iri("nowhere-2030")),)), "default-graph-uri"),
        (PLAIN, DatasetRequest(named_graphs=("not an iri",)), "named-graph-uri"),
    ):
        with pytest.raises(QueryRefused, match=f"^{what} <.*> is not a graph of this endpoint"):
            query_dataset(query, request, stored=STORED)
    with pytest.raises(QueryRefused, match="inferred=false leaves it out"):
        query_dataset(
            PLAIN, DatasetRequest(default_graphs=(str(INFERRED_GRAPH),), inferred=False), stored=STORED
        )


# --- writers -------------------------------------------------------------------------------------------------------

ROWS = QueryResult(
    variables=("agency", "name", "count", "node"),
    rows=(
        (MARKET_REGULATION, LEADER, Literal(3), BNode("b0")),
        (None, Literal('牵头,"配合"\n\t按职责分工负责'), Literal("4.5", datatype=XSD.decimal), None),
    ),
)


def test_json_results() -> None:
    document = json.loads(serialised(ROWS, SPARQL_JSON))
    assert document["head"] == {"vars": ["agency", "name", "count", "node"]}
    first, second = document["results"]["bindings"]
    assert first == {
        "agency": {"type": "uri", "value": str(MARKET_REGULATION)},
        "name": {"type": "literal", "value": "台州市椒江区市场监督管理局", "xml:lang": "zh"},
        "count": {"type": "literal", "value": "3", "datatype": str(XSD.integer)},
        "node": {"type": "bnode", "value": "b0"},
    }
    assert set(second) == {"name", "count"}  # unbound variables are left out
    assert json.loads(serialised(QueryResult(boolean=True), SPARQL_JSON)) == {"head": {}, "boolean": True}


def test_xml_results() -> None:
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(serialised(ROWS, SPARQL_XML))
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == [
        "agency",
        "name",
        "count",
        "node",
    ]
    first, second = root.findall("r:results/r:result", ns)
    name = first.find("r:binding[@name='name']/r:literal", ns)
    assert name is not None and name.text == "台州市椒江区市场监督管理局"
    assert name.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    assert [b.get("name") for b in second.findall("r:binding", ns)] == ["name", "count"]
    boolean = ET.fromstring(serialised(QueryResult(boolean=False), SPARQL_XML)).find("r:boolean", ns)
    assert boolean is not None and boolean.text == "false"


def test_csv_and_tsv_results() -> None:
    written = serialised(ROWS, SPARQL_CSV).decode("utf-8")
    assert written.startswith("agency,name,count,node\r\n")
    assert list(csv.reader(io.StringIO(written, newline=""))) == [
        ["agency", "name", "count", "node"],
        [str(MARKET_REGULATION), "台州市椒江区市场监督管理局", "3", "_:b0"],
        ["", '牵头,"配合"\n\t按职责分工负责', "4.5", ""],
    ]
    lines = serialised(ROWS, SPARQL_TSV).decode("utf-8").split("\n")
    assert lines[0] == "?agency\t?name\t?count\t?node"
    assert lines[1].split("\t") == [
        f"<{MARKET_REGULATION}>",
        '"台州市椒江区市场监督管理局"@zh',
        f'"3"^^<{XSD.integer}>',
        "_:b0",
    ]
    assert lines[2].split("\t") == [
        "",
        '"牵头,\\"配合\\"\\n\\t按职责分工负责"',
        f'"4.5"^^<{XSD.decimal}>',
        "",
    ]
    assert serialised(QueryResult(boolean=True), SPARQL_CSV) == b"_askResult\r\ntrue\r\n"
    assert serialised(QueryResult(boolean=False), SPARQL_TSV) == b"?_askResult\nfalse\n"


@pytest.mark.parametrize("graph_format", GRAPH_FORMATS, ids=lambda f: f.name)
def test_graph_formats_round_trip(graph_format: ResultFormat) -> None:
    graph = Graph()
    graph.add((MARKET_REGULATION, DG.leads, TASK_07))
    graph.add((MARKET_REGULATION, SKOS.prefLabel, LEADER))
    written = serialised(QueryResult(graph=graph), graph_format)
    rdflib_name = {"turtle": "turtle", "nt": "nt", "json-ld": "json-ld", "rdf-xml": "xml"}
    assert isomorphic(Graph().parse(data=written, format=rdflib_name[graph_format.name]), graph)
    assert "台州市椒江区市场监督管理局".encode() in written  # UTF-8, not escaped


def test_a_result_of_one_kind_is_not_written_in_a_format_of_the_other() -> None:
    with pytest.raises(ValueError, match="text/turtle"):
        serialised(ROWS, TURTLE)
    with pytest.raises(ValueError, match="text/csv"):
        serialised(QueryResult(graph=Graph()), SPARQL_CSV)
    assert set(RESULTS_FORMATS).isdisjoint(GRAPH_FORMATS)


# --- the engine (what a worker runs) -------------------------------------------------------------------------------


def test_engine_reads_the_whole_snapshot(engine: QueryEngine, seed_store: GraphStore) -> None:
    counted = engine.answer(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert json_rows(counted.body) == [{"n": str(seed_store.count())}]
    plans = engine.answer(QueryJob(PREFIXES + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dg:Plan }"))
    assert json_rows(plans.body) == [{"n": "5"}]


def test_engine_leaves_inferred_out_on_request(engine: QueryEngine) -> None:
    led_by = (
        PREFIXES + "SELECT DISTINCT ?agency WHERE { ?task dg:ledBy ?agency ; dg:taskKey 'jiaojiang-2020-07' }"
    )
    assert json_rows(engine.answer(QueryJob(led_by)).body) == [{"agency": str(MARKET_REGULATION)}]
    assert json_rows(engine.answer(QueryJob(led_by, dataset=DatasetRequest(inferred=False))).body) == []


def test_engine_cuts_at_the_row_limit(engine: QueryEngine) -> None:
    cut = engine.answer(QueryJob("SELECT * WHERE { ?s ?p ?o } LIMIT 10", accept="text/csv", max_rows=3))
    assert (cut.rows, cut.truncated) == (3, True)
    assert len(cut.body.decode().splitlines()) == 4
    exact = engine.answer(QueryJob("SELECT * WHERE { ?s ?p ?o } LIMIT 3", max_rows=3))
    assert (exact.rows, exact.truncated) == (3, False)
    graph = engine.answer(
        QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples", max_rows=7)
    )
    assert (graph.rows, graph.truncated) == (7, True)
    assert len(graph.body.decode().splitlines()) == 7


def test_engine_writes_turtle_with_the_querys_prefixes(engine: QueryEngine) -> None:
    leader = engine.answer(
        QueryJob(
            PREFIXES + "PREFIX 标签: <http://www.w3.org/2004/02/skos/core#>\n"
            "CONSTRUCT { ?agency 标签:prefLabel ?name } WHERE { ?agency dg:leads ?task ; 标签:prefLabel ?name . "
            "?task dg:taskKey 'jiaojiang-2020-07' }"
        )
    )
    assert leader.format is TURTLE and leader.form == "CONSTRUCT"
    text = leader.body.decode("utf-8")
    assert "标签:prefLabel" in text and "台州市椒江区市场监督管理局" in text
    assert (MARKET_REGULATION, SKOS.prefLabel, LEADER) in Graph().parse(data=text, format="turtle")


def test_engine_refuses_before_running(engine: QueryEngine) -> None:
    with pytest.raises(NotAcceptable):
        engine.answer(QueryJob("ASK { ?s ?p ?o }", accept="text/turtle"))
    with pytest.raises(QueryRefused):
        engine.answer(
            QueryJob("ASK { ?s ?p ?o }", dataset=DatasetRequest(default_graphs=("http://example.org/",)))
        )
    with pytest.raises(UpdateRefused):
        engine.answer(QueryJob("CLEAR ALL"))


def test_engine_on_an_empty_source() -> None:
    empty = QueryEngine(StoreSource())
    assert json.loads(empty.answer(QueryJob("ASK { ?s ?p ?o }")).body)["boolean"] is False
    # The inferred graph may be named even when a store holds none.
    answer = empty.answer(
        QueryJob(f"SELECT ?s ?p ?o FROM <{INFERRED_GRAPH}> WHERE {{ ?s ?p ?o }}", accept="text/csv")
    )
    assert answer.body == b"s,p,o\r\n"


def test_workers_open_an_oxigraph_store_read_only(seed_store: GraphStore, tmp_path: Path) -> None:
    """The server's own backend: workers open the store directory read-only, beside the server's own handle."""
    with open_store("oxigraph", path=tmp_path / "store") as built:
        built.replace_graphs({name: seed_store.graph(name) for name in seed_store.graph_names()})
    with (
        open_store("oxigraph", path=tmp_path / "store", read_only=True) as served,
        QueryWorkers(served, size=1) as workers,
    ):
        leader = PREFIXES + (
            "SELECT ?name WHERE { ?task dg:taskKey 'jiaojiang-2020-07' . ?agency dg:leads ?task ; skos:prefLabel ?name }"
        )
        answer = workers.run(QueryJob(leader, accept="text/csv"), timeout_s=30)
        assert answer.body.decode("utf-8") == "name\r\n台州市椒江区市场监督管理局\r\n"
        assert workers.source == StoreSource(oxigraph_path=tmp_path / "store")  # no snapshot needed
        with pytest.raises(UpdateRefused):  # a refusal crosses the process boundary as itself
            workers.run(QueryJob("CLEAR ALL"), timeout_s=30)
        assert len(workers.pids()) == 1
    assert workers.pids() == ()
