"""/sparql over real HTTP: uvicorn serving the seed store on loopback, SPARQLWrapper and httpx as clients.

One server for the module, with a short time limit (2 s), a small row limit (50) and a small body limit
(20 000 bytes), so that the guards can be seen to act.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar
from xml.dom.minidom import Document, Text

import httpx
import pytest
from conftest import served_on_loopback
from fastapi import FastAPI
from rdflib import Graph, Literal
from rdflib.namespace import SKOS
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from dutygraph.api.app import create_app
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, agency_iri, plan_graph_iri, task_iri
from dutygraph.kg.sparql.workers import QueryWorkers
from dutygraph.kg.stores import GraphStore
from dutygraph.ontology.namespace import DG
from dutygraph.settings import get_settings

PREFIXES = (
    "PREFIX dg: <https://w3id.org/dutygraph/ns#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
PLAN_COUNT = PREFIXES + "SELECT (COUNT(DISTINCT ?plan) AS ?plans) WHERE { ?plan a dg:Plan }"
LEADER_NAME = PREFIXES + (
    'SELECT ?name WHERE { ?task dg:taskKey "jiaojiang-2020-07" . ?agency dg:leads ?task ; skos:prefLabel ?name }'
)
LEADER_GRAPH = PREFIXES + (
    "CONSTRUCT { ?agency dg:leads ?task ; skos:prefLabel ?name } "
    'WHERE { ?task dg:taskKey "jiaojiang-2020-07" . ?agency dg:leads ?task ; skos:prefLabel ?name }'
)
LED_BY = PREFIXES + "ASK { ?task dg:ledBy ?agency }"
JIAOJIANG = plan_graph_iri("jiaojiang-2020-reform-tasks")
WENZHOU = plan_graph_iri("wenzhou-2018-duty-table")
MARKET_REGULATION = agency_iri("331002", "market-regulation")
TASK_07 = task_iri("jiaojiang-2020-reform-tasks", "07")
LEADER = "台州市椒江区市场监督管理局"
MAX_ROWS = 50
MAX_BODY = 20_000
T = TypeVar("T")

# SPARQLWrapper and rdflib's JSON-LD parser build rdflib's deprecated ConjunctiveGraph to read answers.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@dataclass(frozen=True)
class Served:
    url: str
    app: FastAPI
    store: GraphStore

    @property
    def workers(self) -> QueryWorkers:
        workers: QueryWorkers = self.app.state.sparql_workers
        return workers


@pytest.fixture(scope="module")
def served(seed_store: GraphStore) -> Iterator[Served]:
    settings = get_settings(backend="memory", query_timeout_s=2, max_rows=MAX_ROWS, max_body_bytes=MAX_BODY)
    app = create_app(settings, store=seed_store)
    with served_on_loopback(app) as base:
        running = Served(f"{base}/sparql", app, seed_store)
        # The first query starts the workers (a snapshot, two processes): not part of any test's time.
        httpx.get(running.url, params={"query": "ASK {}"}, timeout=60).raise_for_status()
        yield running


@pytest.fixture
def bystander() -> Iterator[socket.socket]:
    """A local socket a query might try to reach: a test asserts nobody connected to it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    yield listener
    listener.close()


def nobody_connected(listener: socket.socket) -> bool:
    time.sleep(0.3)
    try:
        connection, _ = listener.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


def get(
    served: Served,
    query: str,
    *,
    accept: str | None = None,
    params: Mapping[str, str | list[str]] | None = None,
) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(served.url, params={"query": query, **(params or {})}, headers=headers, timeout=30)


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8", response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def wrapper(served: Served, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(served.url)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setTimeout(30)
    return client


def converted(answer: object, kind: type[T]) -> T:
    """What SPARQLWrapper converted the answer to (it picks by Content-Type), checked to be `kind`."""
    assert isinstance(answer, kind), type(answer)
    return answer


# --- every result format, through SPARQLWrapper ----------------------------------------------------------------


def test_sparqlwrapper_json_counts_the_five_plans(served: Served) -> None:
    answer = converted(wrapper(served, PLAN_COUNT, JSON).queryAndConvert(), dict)
    assert answer["head"]["vars"] == ["plans"]
    assert answer["results"]["bindings"][0]["plans"]["value"] == "5"


def test_sparqlwrapper_xml_names_the_leader_of_jiaojiang_2020_07(served: Served) -> None:
    document = converted(wrapper(served, LEADER_NAME, XML).queryAndConvert(), Document)
    literals = document.getElementsByTagName("literal")
    assert [converted(node.firstChild, Text).data for node in literals] == [LEADER]
    assert literals[0].getAttribute("xml:lang") == "zh"


def test_sparqlwrapper_csv_and_tsv(served: Served) -> None:
    as_csv = converted(wrapper(served, LEADER_NAME, CSV).queryAndConvert(), bytes)
    rows = list(csv.reader(io.StringIO(as_csv.decode("utf-8"))))
    assert rows == [["name"], [LEADER]]
    tsv = converted(wrapper(served, LEADER_NAME, TSV).queryAndConvert(), bytes).decode("utf-8")
    assert tsv.splitlines() == ["?name", f'"{LEADER}"@zh']


def _leader_triples(graph: Graph) -> None:
    assert (MARKET_REGULATION, DG.leads, TASK_07) in graph
    assert (MARKET_REGULATION, SKOS.prefLabel, Literal(LEADER, lang="zh")) in graph


def test_sparqlwrapper_construct_as_turtle_and_n_triples(served: Served) -> None:
    turtle = converted(wrapper(served, LEADER_GRAPH, TURTLE).queryAndConvert(), bytes)
    assert b"@prefix dg: <https://w3id.org/dutygraph/ns#>" in turtle
    _leader_triples(Graph().parse(data=turtle.decode("utf-8"), format="turtle"))
    n_triples = wrapper(served, LEADER_GRAPH, N3)
    n_triples.addCustomHttpHeader("Accept", "application/n-triples")
    result = n_triples.query()
    assert result.response.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    text = converted(result.convert(), bytes).decode("utf-8")
    assert f'<{MARKET_REGULATION}> <{SKOS.prefLabel}> "{LEADER}"@zh .' in text.splitlines()
    _leader_triples(Graph().parse(data=text, format="nt"))


def test_sparqlwrapper_construct_as_json_ld_and_rdf_xml(served: Served) -> None:
    json_ld = wrapper(served, LEADER_GRAPH, JSONLD).query()
    assert json_ld.response.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    _leader_triples(converted(json_ld.convert(), Graph))
    rdf_xml = wrapper(served, LEADER_GRAPH, RDFXML).query()
    assert rdf_xml.response.headers["Content-Type"] == "application/rdf+xml; charset=utf-8"
    _leader_triples(converted(rdf_xml.convert(), Graph))


def test_sparqlwrapper_posts_forms_and_direct_bodies(served: Served) -> None:
    for method, request_method in ((POST, "urlencoded"), (POST, POSTDIRECTLY)):
        client = wrapper(served, PLAN_COUNT, JSON)
        client.setMethod(method)
        client.setRequestMethod(request_method)
        assert converted(client.queryAndConvert(), dict)["results"]["bindings"][0]["plans"]["value"] == "5"


# --- the protocol, through httpx ---------------------------------------------------------------------------------


def test_get_post_form_and_post_direct_answer_alike(served: Served) -> None:
    by_get = bindings(get(served, LEADER_NAME))
    by_form = bindings(httpx.post(served.url, data={"query": LEADER_NAME}, timeout=30))
    by_body = bindings(
        httpx.post(
            served.url,
            content=LEADER_NAME.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        )
    )
    assert by_get == by_form == by_body == [{"name": LEADER}]


@pytest.mark.parametrize(
    ("query", "accept", "content_type"),
    [
        (LEADER_NAME, None, "application/sparql-results+json"),
        (LEADER_NAME, "*/*", "application/sparql-results+json"),
        (LEADER_NAME, "application/json", "application/sparql-results+json"),
        (LEADER_NAME, "text/csv;q=0.9, application/sparql-results+json;q=0.5", "text/csv"),
        (LEADER_NAME, "text/*", "text/csv"),
        (LEADER_NAME, "application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
        (LED_BY, "text/tab-separated-values", "text/tab-separated-values"),
        (LEADER_GRAPH, None, "text/turtle"),
        (LEADER_GRAPH, "*/*", "text/turtle"),
        (LEADER_GRAPH, "application/rdf+xml;q=0.2, application/ld+json;q=0.8", "application/ld+json"),
    ],
)
def test_accept_chooses_the_format(served: Served, query: str, accept: str | None, content_type: str) -> None:
    response = get(served, query, accept=accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"{content_type}; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    if query != LED_BY:  # the answer is real and decodes as UTF-8
        assert LEADER in response.content.decode("utf-8")


def test_nothing_acceptable_is_406(served: Served) -> None:
    select = get(served, LEADER_NAME, accept="text/html")
    assert select.status_code == 406
    assert "application/sparql-results+json" in select.text and "text/csv" in select.text
    ask_as_turtle = get(served, LED_BY, accept="text/turtle")
    assert ask_as_turtle.status_code == 406 and "ASK" in ask_as_turtle.text


def test_cors_preflight_and_answers_allow_any_origin(served: Served) -> None:
    preflight = httpx.options(
        served.url,
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert set(preflight.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST", "OPTIONS"}
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    answer = httpx.get(
        served.url, params={"query": PLAN_COUNT}, headers={"Origin": "https://yasgui.example"}, timeout=30
    )
    assert answer.headers["access-control-allow-origin"] == "*"
    refused = httpx.get(served.url, params={"query": "SELECT"}, headers={"Origin": "https://yasgui.example"})
    assert refused.status_code == 400 and refused.headers["access-control-allow-origin"] == "*"


# --- the dataset ---------------------------------------------------------------------------------------------------


def test_inferred_triples_are_in_by_default_and_out_on_request(served: Served) -> None:
    graphs = bindings(
        get(served, PREFIXES + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?task dg:ledBy ?agency } }")
    )
    assert graphs == [{"g": str(INFERRED_GRAPH)}]  # dg:ledBy is only ever inferred
    assert get(served, LED_BY).json()["boolean"] is True
    assert get(served, LED_BY, params={"inferred": "false"}).json()["boolean"] is False
    by_form = httpx.post(served.url, data={"query": LED_BY, "inferred": "false"}, timeout=30)
    assert by_form.json()["boolean"] is False
    asserted = [
        str(g) for g in (*sorted(g for g in served.store.graph_names() if "/plan/" in g), ONTOLOGY_GRAPH)
    ]
    assert get(served, LED_BY, params={"default-graph-uri": asserted}).json()["boolean"] is False
    assert get(served, LED_BY, params={"inferred": "maybe"}).status_code == 400


def test_graph_and_from_select_among_our_graphs(served: Served) -> None:
    outside = PREFIXES + (
        f"SELECT (COUNT(DISTINCT ?task) AS ?n) WHERE {{ GRAPH <{JIAOJIANG}> {{ ?task a dg:Task "
        f'FILTER(!STRSTARTS(STR(?task), "https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/")) }} }}'
    )
    inside = (
        PREFIXES
        + f"SELECT (COUNT(DISTINCT ?task) AS ?n) WHERE {{ GRAPH <{JIAOJIANG}> {{ ?task a dg:Task }} }}"
    )
    assert bindings(get(served, outside)) == [{"n": "0"}]
    assert int(bindings(get(served, inside))[0]["n"]) > 50
    one_plan = PREFIXES + f"SELECT ?plan FROM <{JIAOJIANG}> WHERE {{ ?plan a dg:Plan }}"
    assert bindings(get(served, one_plan)) == [
        {"plan": "https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks"}
    ]
    # The protocol's parameters win over FROM; FROM NAMED alone leaves the default graph empty.
    overridden = get(served, one_plan, params={"default-graph-uri": str(WENZHOU)})
    assert bindings(overridden) == [{"plan": "https://w3id.org/dutygraph/id/plan/wenzhou-2018-duty-table"}]
    named_only = PREFIXES + f"SELECT ?plan FROM NAMED <{JIAOJIANG}> WHERE {{ ?plan a dg:Plan }}"
    assert bindings(get(served, named_only)) == []


def test_from_a_remote_iri_is_refused_and_never_fetched(served: Served, bystander: socket.socket) -> None:
    remote = f"http://127.0.0.1:{bystander.getsockname()[1]}/plans.ttl"
    by_text = get(served, f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}")
    assert by_text.status_code == 400
    assert f"FROM <{remote}> is not a graph of this endpoint" in by_text.text
    by_parameter = get(served, "SELECT * WHERE { ?s ?p ?o }", params={"named-graph-uri": remote})
    assert by_parameter.status_code == 400 and "named-graph-uri" in by_parameter.text
    assert nobody_connected(bystander)


def test_service_is_refused_before_anything_runs(served: Served, bystander: socket.socket) -> None:
    endpoint = f"http://127.0.0.1:{bystander.getsockname()[1]}/sparql"
    for query in (
        f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }} }}",
    ):
        response = get(served, query)
        assert response.status_code == 400
        assert "SERVICE is refused" in response.text
    assert nobody_connected(bystander)


def test_updates_are_refused_and_change_nothing(served: Served, bystander: socket.socket) -> None:
    before = served.store.count()
    count_all = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    counted = bindings(get(served, count_all))
    load = f"LOAD <http://127.0.0.1:{bystander.getsockname()[1]}/plan.ttl>"
    attempts = [
        httpx.post(served.url, content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
        httpx.post(served.url, data={"update": "CLEAR ALL"}),
        httpx.get(served.url, params={"update": "DROP ALL"}),
        get(served, PREFIXES + f'INSERT DATA {{ GRAPH <{JIAOJIANG}> {{ <{TASK_07}> dg:taskKey "x" }} }}'),
        httpx.post(served.url, content=load.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert "Update is refused" in response.text
    assert served.store.count() == before
    assert bindings(get(served, count_all)) == counted
    assert nobody_connected(bystander)


def test_malformed_query_is_400_with_the_parsers_message(served: Served) -> None:
    unclosed = get(served, "SELECT * WHERE { ?s ?p ?o")
    assert unclosed.status_code == 400
    assert "not a valid SPARQL 1.1 query" in unclosed.text and "line:1, col:26" in unclosed.text
    unknown_prefix = get(served, "SELECT ?task WHERE { ?task 机构:牵头 ?agency }")
    assert unknown_prefix.status_code == 400 and "机构" in unknown_prefix.text
    missing = httpx.get(served.url)
    assert missing.status_code == 400 and "exactly one SPARQL query" in missing.text


# --- the guards ----------------------------------------------------------------------------------------------------


def test_a_slow_query_is_stopped_and_its_worker_killed(served: Served) -> None:
    before = set(served.workers.pids())
    cross_join = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = get(served, cross_join)
    took = time.monotonic() - started
    assert response.status_code == 503
    assert "longer than the limit of 2 s and was stopped" in response.text
    assert took < 6
    killed = before - set(served.workers.pids())
    assert len(killed) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)
    assert len(served.workers.pids()) == 2  # replaced
    assert bindings(get(served, PLAN_COUNT)) == [{"plans": "5"}]


def test_answers_are_cut_at_the_row_limit_and_say_so(served: Served) -> None:
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"
    as_json = get(served, everything)
    assert as_json.headers["x-dutygraph-truncated"] == "true"
    assert as_json.headers["x-dutygraph-row-limit"] == str(MAX_ROWS)
    assert len(bindings(as_json)) == MAX_ROWS
    assert set(as_json.json()) == {"head", "results"}  # nothing outside the SPARQL JSON format
    as_csv = get(served, everything, accept="text/csv")
    assert len(list(csv.reader(io.StringIO(as_csv.text)))) == MAX_ROWS + 1
    as_turtle = get(served, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert as_turtle.headers["x-dutygraph-truncated"] == "true"
    assert len(Graph().parse(data=as_turtle.text, format="turtle")) == MAX_ROWS
    small = get(served, LEADER_NAME)
    assert "x-dutygraph-truncated" not in small.headers and bindings(small) == [{"name": LEADER}]


def test_bodies_over_the_limit_are_413(served: Served) -> None:
    padding = "#" + "x" * MAX_BODY + "\n"
    declared = httpx.post(
        served.url,
        content=(padding + PLAN_COUNT).encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert declared.status_code == 413 and "larger than 20000 bytes" in declared.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes read are what count
        for _ in range(5):
            yield b"query=" + b"x" * 5000

    streamed = httpx.post(
        served.url,
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert streamed.status_code == 413
    under = httpx.post(served.url, data={"query": "#" + "x" * 1000 + "\n" + PLAN_COUNT}, timeout=30)
    assert bindings(under) == [{"plans": "5"}]


def test_other_bodies_are_415(served: Served) -> None:
    response = httpx.post(served.url, content=PLAN_COUNT.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and "application/sparql-query" in response.text


def test_openapi_documents_the_endpoint(served: Served) -> None:
    schema = json.loads(httpx.get(served.url.removesuffix("/sparql") + "/openapi.json").text)
    get_operation = schema["paths"]["/sparql"]["get"]
    assert {p["name"] for p in get_operation["parameters"]} == {
        "query",
        "default-graph-uri",
        "named-graph-uri",
        "inferred",
    }
    for phrase in ("inferred=false", "default-graph-uri", "FROM", "SERVICE", "X-Dutygraph-Truncated"):
        assert phrase in get_operation["description"]
    post_body = schema["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert set(post_body) == {"application/x-www-form-urlencoded", "application/sparql-query"}
    assert f"`{INFERRED_GRAPH}`" in get_operation["description"]
