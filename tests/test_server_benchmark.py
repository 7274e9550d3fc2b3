"""The server benchmark: the report on hand-made figures, and one short run against real servers."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from dutygraph.kg.agency_search import all_agencies
from dutygraph.kg.build import build
from dutygraph.kg.server_benchmark import (
    AGENCY_API,
    AGENCY_PAGE,
    BARE_PATH,
    BARE_ROUTE,
    SPARQL,
    EndpointLoad,
    ServerLoad,
    ServerStartError,
    measure_server,
)
from dutygraph.kg.stores import open_store

NAMES = (BARE_ROUTE, AGENCY_API, AGENCY_PAGE, SPARQL)


def _figures() -> ServerLoad:
    return ServerLoad(
        clients=16,
        endpoints=(
            EndpointLoad(BARE_ROUTE, BARE_PATH, 10_000, 0, 5.0, 2000.0, 7.5, 11.0),
            EndpointLoad(
                AGENCY_API, "/api/agencies/330382/market-regulation/tasks", 1200, 0, 5.0, 240.0, 60, 90
            ),
            EndpointLoad(AGENCY_PAGE, "/agency/330382/market-regulation", 1000, 3, 5.0, 200.0, 70.0, 120.0),
            EndpointLoad(SPARQL, "/sparql?query=" + "x" * 200, 2500, 0, 5.0, 500.0, 30.0, 45.0),
        ),
    )


def test_ratio_is_against_the_bare_route() -> None:
    load = _figures()
    assert load.ratio(BARE_ROUTE) == 1.0
    assert load.ratio(AGENCY_API) == pytest.approx(0.12)
    assert load.ratio(SPARQL) == pytest.approx(0.25)
    with pytest.raises(KeyError):
        load.ratio("no such endpoint")


def test_ratio_without_answers_from_the_bare_route_is_nan() -> None:
    bare = EndpointLoad(BARE_ROUTE, BARE_PATH, 0, 0, 1.0, 0.0, 0.0, 0.0)
    api = EndpointLoad(AGENCY_API, "/api/x", 10, 0, 1.0, 10.0, 1.0, 2.0)
    assert math.isnan(ServerLoad(clients=1, endpoints=(bare, api)).ratio(AGENCY_API))


def test_report_is_an_aligned_table_with_the_ratio_line() -> None:
    lines = _figures().report_lines()
    assert lines[0].startswith("server: 16 concurrent clients")
    header, *rows = lines[1:-1]
    assert [row.split("  ")[0].strip() for row in rows] == list(NAMES)
    # Aligned: the figures end under their headings, the paths start under theirs.
    for heading in ("requests", "req/s", "p95 ms", "vs bare"):
        end = header.index(heading) + len(heading)
        assert all(row[end - 1] != " " and row[end] == " " for row in rows), heading
    assert all(row[header.index("path") - 1 : header.index("path") + 1] == " /" for row in rows)
    assert rows[1].split()[-2:] == ["12%", "/api/agencies/330382/market-regulation/tasks"]
    assert len(rows[3]) < len(header) + 100  # the long /sparql URL is shortened
    assert lines[-1] == "agency-tasks API at 12% of the bare route (target: at least 50%)"


@pytest.mark.parametrize("agency_path", ["330382", "330382/", "/market-regulation", "330382/a/b"])
def test_agency_path_must_be_code_and_type(tmp_path: Path, agency_path: str) -> None:
    with pytest.raises(ValueError, match="agency_path"):
        measure_server(tmp_path, agency_path=agency_path)


def test_a_missing_store_is_refused_before_any_server_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no store here"):
        measure_server(tmp_path / "missing", agency_path="330382/market-regulation")


def test_a_server_that_exits_is_reported_with_its_output(tmp_path: Path) -> None:
    not_a_store = tmp_path / "not-a-store"
    not_a_store.mkdir()
    (not_a_store / "junk").write_text("not an oxigraph store")
    with pytest.raises(ServerStartError, match=r"dutygraph serve .* exited with \d+: .+"):
        measure_server(not_a_store, agency_path="330382/market-regulation", clients=1, seconds=0.1)


# --- one short run against the real servers -----------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """An oxigraph store of the five bundled plans (closed, so that the server can open it) and the
    ``{code}/{type_key}`` of a market-regulation bureau it holds."""
    path = tmp_path_factory.mktemp("server-bench") / "store"
    with open_store("oxigraph", path=path) as store:
        build(store, [])
        bureaus = sorted(
            str(a.iri)
            for a in all_agencies(store)
            if "/agency/" in a.iri and a.type_key == "market-regulation"
        )
    assert bureaus, "the bundled plans name no market-regulation bureau"
    yield path, "/".join(bureaus[0].split("/")[-2:])


@pytest.fixture(scope="module")
def measured(served: tuple[Path, str]) -> ServerLoad:
    store, agency_path = served
    return measure_server(store, agency_path=agency_path, clients=4, seconds=0.5)


def test_every_endpoint_answers_under_load_without_errors(
    measured: ServerLoad, served: tuple[Path, str]
) -> None:
    _, agency_path = served
    assert measured.clients == 4
    assert tuple(e.name for e in measured.endpoints) == NAMES
    paths = {e.name: e.path for e in measured.endpoints}
    assert paths[AGENCY_API] == f"/api/agencies/{agency_path}/tasks"
    assert paths[AGENCY_PAGE] == f"/agency/{agency_path}"
    assert paths[SPARQL].startswith("/sparql?query=")
    for endpoint in measured.endpoints:
        # errors == 0 also says the agency was found: a 404 counts as an error.
        assert endpoint.requests > 0 and endpoint.errors == 0, endpoint
        assert endpoint.seconds >= 0.5
        assert endpoint.rps == pytest.approx(endpoint.requests / endpoint.seconds)
        assert endpoint.p95_ms >= endpoint.p50_ms > 0, endpoint


def test_the_measured_report_names_every_endpoint(measured: ServerLoad) -> None:
    bare = measured.endpoint(BARE_ROUTE)
    api = measured.endpoint(AGENCY_API)
    assert measured.ratio(AGENCY_API) == pytest.approx(api.rps / bare.rps)
    report = "\n".join(measured.report_lines())
    for name in NAMES:
        assert name in report
    assert f"agency-tasks API at {measured.ratio(AGENCY_API):.0%} of the bare route" in report
