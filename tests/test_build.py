"""`kg.build`: each plan in its own named graph, the ontology in its own, read back exactly as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from dutygraph.errors import DutygraphError, PlanError
from dutygraph.kg.build import build
from dutygraph.kg.iris import INFERRED_GRAPH, ONTOLOGY_GRAPH, plan_graph_iri
from dutygraph.kg.stores import open_store
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.to_rdf import reading_to_graph


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_each_plan_graph_reads_back_as_built(backend: str, tmp_path: Path) -> None:
    with open_store(backend, path=tmp_path / "store") as store:
        built = build(store, [])
        assert {b.plan_id for b in built} == {p.stem for p in bundled_plans()}
        plans = {plan_graph_iri(p.stem) for p in bundled_plans()}
        assert store.graph_names() == {ONTOLOGY_GRAPH, INFERRED_GRAPH, *plans}
        for path in bundled_plans():
            expected = reading_to_graph(read_plan_file(path))
            assert isomorphic(store.graph(plan_graph_iri(path.stem)), expected), path.name


def test_two_files_with_one_name_are_refused_before_writing(tmp_path: Path) -> None:
    plan = bundled_plans()[2]
    other = tmp_path / "copy"
    other.mkdir()
    (other / plan.name).write_bytes(plan.read_bytes())
    with open_store("memory") as store:
        with pytest.raises(DutygraphError, match="same plan name"):
            build(store, [plan, other / plan.name])
        assert store.count() == 0


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with open_store("memory") as store, pytest.raises(PlanError, match=r"no \.txt plan file"):
        build(store, [tmp_path])


def test_build_reasons_as_infer_does_and_none_leaves_no_inferred_graph() -> None:
    from dutygraph.kg.reasoning import infer

    with open_store("memory") as store:
        build(store, [])
        inferred = set(store.graph(INFERRED_GRAPH))
        assert inferred
        infer(store)  # the same plans, the same remit seeds: the same inferred graph
        assert set(store.graph(INFERRED_GRAPH)) == inferred
        build(store, [], reasoning="none")
        assert INFERRED_GRAPH not in store.graph_names()


def test_an_unknown_reasoning_mode_is_refused_before_any_work() -> None:
    from dutygraph.errors import ConfigError

    with open_store("memory") as store:
        with pytest.raises(ConfigError, match="owl2"):
            build(store, [], reasoning="owl2")  # type: ignore[arg-type]
        assert store.count() == 0
