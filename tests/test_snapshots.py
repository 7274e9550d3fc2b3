"""The oxigraph store's published snapshots: readers follow builds, old snapshots go once nobody reads them,
and a writer killed half-way (a store write, or a whole `dutygraph build`) leaves the store as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS

from dutygraph.errors import StoreError
from dutygraph.kg.iris import is_plan_graph, plan_graph_iri, task_iri
from dutygraph.kg.sparql.workers import QueryJob, QueryWorkers
from dutygraph.kg.stores import open_store
from dutygraph.kg.stores.oxigraph import OxigraphStore
from dutygraph.kg.synthetic_plans import write_corpus

PLAN = "jiaojiang-2020-reform-tasks"
GRAPH = plan_graph_iri(PLAN)
COUNT_TASKS = "SELECT (COUNT(?task) AS ?n) WHERE { ?task <http://purl.org/dc/terms/title> ?title }"


def tasks(tag: str, size: int) -> Graph:
    plan = Graph()
    for number in range(size):
        plan.add((task_iri(PLAN, str(number)), DCTERMS.title, Literal(f"{tag}第{number}项任务")))
    return plan


def snapshot_dirs(path: Path) -> list[str]:
    return sorted(p.name for p in (path / "snapshots").iterdir() if p.is_dir())


def test_each_write_publishes_a_snapshot_and_the_old_one_goes(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with open_store("oxigraph", path=path) as store:
        assert isinstance(store, OxigraphStore)
        assert store.snapshot_name() is None and store.count() == 0
        store.replace_graphs({GRAPH: tasks("旧", 3)})
        store.replace_graphs({GRAPH: tasks("新", 5)})
        assert store.snapshot_name() == "000002"
        assert store.count() == 5

    assert (path / "LATEST").read_text() == "000002\n"
    assert snapshot_dirs(path) == ["000002"]


def test_a_reader_follows_the_writer_without_reopening(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with open_store("oxigraph", path=path) as writer:
        writer.replace_graphs({GRAPH: tasks("旧", 3)})
        with open_store("oxigraph", path=path, read_only=True) as reader:
            assert reader.count() == 3
            writer.replace_graphs({GRAPH: tasks("新", 7)})
            # The reader still holds snapshot 1, so the writer kept it.
            assert snapshot_dirs(path) == ["000001", "000002"]
            assert reader.count() == 7
            assert reader.query(COUNT_TASKS).column("n") == (Literal(7),)
            writer.replace_graphs({GRAPH: tasks("再", 2)})
            # Snapshot 1 was let go when the reader moved on; 2 is held until its next call.
            assert snapshot_dirs(path) == ["000002", "000003"]
            assert reader.count() == 2
        writer.replace_graphs({}, remove=[GRAPH])
    assert snapshot_dirs(path) == ["000004"]


def test_a_reader_in_another_process_sees_each_build_whole(tmp_path: Path) -> None:
    """Counting in a loop while another process replaces the plan 20 times: only the two sizes appear."""
    path = tmp_path / "store"
    small, large = 200, 3_000
    with open_store("oxigraph", path=path) as store:
        store.replace_graphs({GRAPH: tasks("旧", small)})

    seen: set[int] = set()
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        with open_store("oxigraph", path=path, read_only=True) as reader:
            while not done.is_set():
                try:
                    seen.add(int(reader.query(COUNT_TASKS).column("n")[0]))  # type: ignore[arg-type]
                except BaseException as exc:  # a failed read is what this test looks for
                    errors.append(exc)
                    return

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        subprocess.run(
            [sys.executable, "-c", _ALTERNATE, str(path), str(small), str(large)], check=True, timeout=120
        )
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=60)

    assert errors == []
    assert seen == {small, large}
    # A snapshot a reader still held at the last publish outlives it; the next writer deletes it.
    with open_store("oxigraph", path=path):
        assert len(snapshot_dirs(path)) == 1


_TASKS = """
import sys
from pathlib import Path
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS
from dutygraph.kg.iris import plan_graph_iri, task_iri
from dutygraph.kg.stores import open_store
GRAPH = plan_graph_iri("jiaojiang-2020-reform-tasks")
def tasks(tag, size):
    plan = Graph()
    for number in range(size):
        plan.add((task_iri("jiaojiang-2020-reform-tasks", str(number)), DCTERMS.title, Literal(f"{tag}第{number}项任务")))
    return plan
"""

_ALTERNATE = (
    _TASKS
    + """
path, small, large = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
with open_store("oxigraph", path=path) as store:
    for round in range(20):
        store.replace_graphs({GRAPH: tasks("新" if round % 2 == 0 else "旧", large if round % 2 == 0 else small)})
"""
)


@pytest.mark.slow
@pytest.mark.parametrize("delay_s", [0.1, 0.4, 0.9])
def test_a_write_killed_half_way_is_never_published_and_the_next_writer_clears_it(
    tmp_path: Path, delay_s: float
) -> None:
    path = tmp_path / "store"
    with open_store("oxigraph", path=path) as store:
        store.replace_graphs({GRAPH: tasks("旧", 100)})

    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITE_FOREVER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        time.sleep(delay_s)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=60)

    with open_store("oxigraph", path=path, read_only=True) as reader:
        assert reader.count() == 100
    with open_store("oxigraph", path=path) as store:
        assert snapshot_dirs(path) == ["000001"]  # what the killed writer left is gone
        store.replace_graphs({GRAPH: tasks("新", 10)})
        assert store.count() == 10


_WRITE_FOREVER = (
    _TASKS
    + """
big = tasks("新", 200_000)
with open_store("oxigraph", path=Path(sys.argv[1])) as store:
    print("writing", flush=True)
    store.replace_graphs({GRAPH: big})
    print("published", flush=True)
"""
)


@pytest.mark.slow
@pytest.mark.parametrize("share", [0.2, 0.45, 0.7])
def test_a_build_killed_half_way_leaves_the_store_as_it_was(tmp_path: Path, share: float) -> None:
    """Killed at a share of the time a whole build takes here: reading plans, reasoning or publishing."""
    corpus = tmp_path / "plans"
    write_corpus(corpus, scale=4, seed=7)  # 20 plans
    path = tmp_path / "store"
    env = {**os.environ, "DUTYGRAPH_STORE": str(path)}
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "dutygraph", "build", "--store", str(tmp_path / "timing"), str(corpus)],
        check=True,
        capture_output=True,
    )
    whole_s = time.monotonic() - started
    subprocess.run([sys.executable, "-m", "dutygraph", "build"], env=env, check=True, capture_output=True)
    before = _counts(path)

    build = subprocess.Popen(
        [sys.executable, "-m", "dutygraph", "build", str(corpus)], env=env, stdout=subprocess.DEVNULL
    )
    time.sleep(whole_s * share)
    os.kill(build.pid, signal.SIGKILL)
    build.wait(timeout=60)

    assert _counts(path) == before
    rebuilt = subprocess.run(
        [sys.executable, "-m", "dutygraph", "build", str(corpus)], env=env, capture_output=True, text=True
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    after = _counts(path)
    assert after[0] == before[0] + 20
    assert len(snapshot_dirs(path)) == 1


def _counts(path: Path) -> tuple[int, int]:
    with open_store("oxigraph", path=path, read_only=True) as store:
        return sum(1 for g in store.graph_names() if is_plan_graph(g)), store.count()


def test_query_workers_follow_a_build(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with open_store("oxigraph", path=path) as writer:
        writer.replace_graphs({GRAPH: tasks("旧", 3)})
        with (
            open_store("oxigraph", path=path, read_only=True) as served,
            QueryWorkers(served, size=1) as workers,
        ):
            assert workers.run(QueryJob(COUNT_TASKS, accept="text/csv"), timeout_s=30).body == b"n\r\n3\r\n"
            writer.replace_graphs({GRAPH: tasks("新", 4)}, remove=[])
            assert workers.run(QueryJob(COUNT_TASKS, accept="text/csv"), timeout_s=30).body == b"n\r\n4\r\n"


def test_a_store_of_the_old_single_directory_layout_is_named_as_such(tmp_path: Path) -> None:
    old = tmp_path / "store"
    old.mkdir()
    (old / "CURRENT").write_text("MANIFEST-000005\n")
    (old / "000009.sst").write_bytes(b"")

    with pytest.raises(StoreError, match=r"store: an oxigraph store in the single-directory layout"):
        open_store("oxigraph", path=old)
    with pytest.raises(StoreError, match="delete the folder and run `dutygraph build` again"):
        open_store("oxigraph", path=old, read_only=True)
