"""Rebuilding a plan while the server answers: no request lost, no half-built plan seen, no restart needed.

The server runs as `dutygraph serve` does (uvicorn, the store opened read-only, SPARQL in worker processes)
on an oxigraph store of the five bundled plans. Clients ask, over and over, for the plan list (the staff
API, answered in the server's process) and for one SPARQL query counting the tasks of one plan together
with the triples of its graph (answered by a worker). Meanwhile another process rebuilds that plan again and
again from two versions of its file — the whole plan (69 tasks) and its first half (34) — each build
reasoning and publishing a new snapshot. Every answer must be a success and must match one version whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import served_on_loopback

from dutygraph.api.app import create_app
from dutygraph.kg.build import build
from dutygraph.kg.iris import plan_graph_iri
from dutygraph.kg.stores import open_store
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.settings import get_settings

PLAN = "jiaojiang-2020-reform-tasks"
TASKS_AND_TRIPLES = f"""
PREFIX dg: <https://w3id.org/dutygraph/ns#>
SELECT ?tasks ?triples WHERE {{
  {{ SELECT (COUNT(DISTINCT ?task) AS ?tasks) WHERE {{ GRAPH <{plan_graph_iri(PLAN)}> {{ ?task a dg:Task }} }} }}
  {{ SELECT (COUNT(*) AS ?triples) WHERE {{ GRAPH <{plan_graph_iri(PLAN)}> {{ ?s ?p ?o }} }} }}
}}"""
REBUILDS = 6


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    whole = next(path for path in bundled_plans() if path.stem == PLAN)
    half = tmp_path / "half" / whole.name  # same file name, so the same plan
    half.parent.mkdir()
    lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    half.write_text("".join(lines[:250]), encoding="utf-8")
    return whole, half


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    path = tmp_path / "store"
    with open_store("oxigraph", path=path) as store:
        build(store, [])
    app = create_app(get_settings(backend="oxigraph", store=path, query_timeout_s=30))
    with served_on_loopback(app) as url:
        yield url, path


def _ask(client: httpx.Client, url: str) -> tuple[int, int]:
    """(tasks, triples) of the plan from /sparql, and check /api/plans agrees on the tasks."""
    answer = client.get(
        f"{url}/sparql",
        params={"query": TASKS_AND_TRIPLES},
        headers={"Accept": "application/sparql-results+json"},
    )
    answer.raise_for_status()
    row = answer.json()["results"]["bindings"][0]
    plans = client.get(f"{url}/api/plans")
    plans.raise_for_status()
    listed = {plan["plan_id"]: plan["task_count"] for plan in plans.json()}
    assert len(listed) == 5, listed
    assert listed[PLAN] in {34, 69}, listed
    return int(row["tasks"]["value"]), int(row["triples"]["value"])


@pytest.mark.slow
def test_rebuilding_a_plan_under_load_loses_no_request_and_shows_each_version_whole(
    server: tuple[str, Path], versions: tuple[Path, Path]
) -> None:
    url, store_path = server
    whole, half = versions
    with httpx.Client(timeout=60) as client:
        first = _ask(client, url)
    assert first[0] == 69

    seen: set[tuple[int, int]] = set()
    failures: list[str] = []
    answered = [0]
    done = threading.Event()

    def keep_asking() -> None:
        with httpx.Client(timeout=60) as client:
            while not done.is_set():
                try:
                    seen.add(_ask(client, url))
                    answered[0] += 1
                except Exception as exc:  # any failed request is what this test looks for
                    failures.append(f"{type(exc).__name__}: {exc}")

    clients = [threading.Thread(target=keep_asking) for _ in range(4)]
    for thread in clients:
        thread.start()
    env = {**os.environ, "DUTYGRAPH_STORE": str(store_path)}
    try:
        for round_ in range(REBUILDS):
            source = half if round_ % 2 == 0 else whole
            subprocess.run(
                [sys.executable, "-m", "dutygraph", "build", str(source)],
                env=env,
                check=True,
                capture_output=True,
                timeout=120,
            )
    finally:
        done.set()
        for thread in clients:
            thread.join(timeout=60)

    assert failures == []
    tasks = {count for count, _ in seen}
    assert tasks == {34, 69}, seen  # both versions were served …
    assert len(seen) == 2, seen  # … each with its own triples only: never a mix
    assert answered[0] > REBUILDS
    with httpx.Client(timeout=60) as client:  # the last build (the whole plan) is what is served now
        assert _ask(client, url) == first
