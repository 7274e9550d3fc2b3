"""IRIs dereference under /id/…: RDF by content negotiation (asserted and inferred triples), 303 to the page for
browsers, 404 for what the store does not know."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS

from dutygraph.api.app import create_app
from dutygraph.api.routes.resources import negotiated
from dutygraph.kg.iris import agency_iri, jurisdiction_iri, task_iri
from dutygraph.kg.stores import GraphStore
from dutygraph.ontology.namespace import DG
from dutygraph.settings import get_settings

MARKET = "/id/agency/331002/market-regulation"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(seed_store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(backend="memory"), store=seed_store)) as client:
        yield client


def dereferenced(client: TestClient, path: str, media_type: str, rdf_format: str) -> Graph:
    answer = client.get(path, headers={"Accept": media_type}, follow_redirects=False)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert answer.headers["vary"] == "Accept"
    return Graph().parse(data=answer.content, format=rdf_format)


@pytest.mark.parametrize(
    ("media_type", "rdf_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")],
)
def test_an_agency_in_each_rdf_format(client: TestClient, media_type: str, rdf_format: str) -> None:
    graph = dereferenced(client, MARKET, media_type, rdf_format)
    market = agency_iri("331002", "market-regulation")
    assert graph.value(market, SKOS.prefLabel) == Literal("台州市椒江区市场监督管理局", lang="zh")
    assert (market, DG.leads, task_iri("jiaojiang-2020-reform-tasks", "07")) in graph  # asserted
    assert (market, DG.involvedIn, task_iri("jiaojiang-2020-reform-tasks", "07")) in graph  # inferred
    assert (None, DG.agent, market) in graph  # the assignments that name it point at it


def test_an_agency_only_reasoning_names_still_dereferences(client: TestClient) -> None:
    graph = dereferenced(client, "/id/agency/331023/market-regulation", "text/turtle", "turtle")
    tiantai = agency_iri("331023", "market-regulation")
    assert str(graph.value(tiantai, SKOS.prefLabel)) == "天台县市场监督管理局"
    tasks = set(graph.objects(tiantai, DG.involvedIn))
    assert tasks and all("/plan/tiantai-2019-work-points/task/" in str(task) for task in tasks)


def test_a_task_dereferences_with_its_key(client: TestClient) -> None:
    graph = dereferenced(client, "/id/plan/jiaojiang-2020-reform-tasks/task/18b", "text/turtle", "turtle")
    task = task_iri("jiaojiang-2020-reform-tasks", "18b")
    assert str(graph.value(task, DG.taskKey)) == "jiaojiang-2020-18b"


def test_no_accept_header_or_any_type_gets_turtle(client: TestClient) -> None:
    for headers in ({}, {"Accept": "*/*"}):
        answer = client.get(MARKET, headers=headers, follow_redirects=False)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    as_json = client.get(MARKET, headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/ld+json"


@pytest.mark.parametrize(
    ("path", "page"),
    [
        (MARKET, "/agency/331002/market-regulation"),
        ("/id/group/330300/county-government", "/group/330300/county-government"),
        ("/id/plan/jiaojiang-2020-reform-tasks", "/plan/jiaojiang-2020-reform-tasks"),
        ("/id/plan/jiaojiang-2020-reform-tasks/task/18b", "/plan/jiaojiang-2020-reform-tasks/task/18b"),
        ("/id/plan/jiaojiang-2020-reform-tasks/deadline/07/1", "/plan/jiaojiang-2020-reform-tasks/task/07"),
    ],
)
def test_browsers_are_sent_to_the_page(client: TestClient, path: str, page: str) -> None:
    for accept in ("text/html", BROWSER):
        answer = client.get(path, headers={"Accept": accept}, follow_redirects=False)
        assert answer.status_code == 303, (path, answer.text)
        assert answer.headers["location"] == page
        assert answer.headers["vary"] == "Accept"


def test_an_entity_without_a_page_gives_its_triples_to_a_browser(client: TestClient) -> None:
    answer = client.get("/id/jurisdiction/331002", headers={"Accept": BROWSER}, follow_redirects=False)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=answer.content, format="turtle")
    assert str(graph.value(jurisdiction_iri("331002"), RDFS.label)) == "台州市椒江区"


@pytest.mark.parametrize(
    "path", ["/id/agency/331002/no-such-bureau", "/id/plan/no-such-plan/task/01", "/id/", "/id/agency//x"]
)
def test_unknown_entities_are_not_found(client: TestClient, path: str) -> None:
    for accept in ("text/turtle", "text/html"):
        answer = client.get(path, headers={"Accept": accept}, follow_redirects=False)
        assert answer.status_code == 404, path
        assert "https://w3id.org/dutygraph/id/" in answer.json()["detail"]
        assert answer.headers["vary"] == "Accept"


def test_an_unacceptable_type_is_refused_naming_the_types_on_offer(client: TestClient) -> None:
    answer = client.get(MARKET, headers={"Accept": "image/png"})
    assert answer.status_code == 406 and "text/turtle" in answer.json()["detail"]


def test_negotiation_follows_quality_and_specificity() -> None:
    offers = ["text/turtle", "application/ld+json", "text/html"]
    assert negotiated("application/ld+json;q=0.9, text/turtle;q=0.5", offers) == "application/ld+json"
    assert negotiated("text/*;q=0.5, text/html", offers) == "text/html"
    assert negotiated("text/html;q=0, */*", offers) == "text/turtle"
    assert negotiated("text/turtle;q=0, text/*", offers) == "text/html"
    assert negotiated(None, offers) == "text/turtle"
