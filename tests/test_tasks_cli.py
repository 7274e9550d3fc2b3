"""`dutygraph tasks`: a bureau's tasks by any written name, its jurisdiction, role and sub-jurisdictions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dutygraph.cli import main
from dutygraph.kg.build import build
from dutygraph.kg.stores import open_store


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("tasks") / "store"
    with open_store("oxigraph", path=path) as store:
        build(store, [])
    yield path


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["tasks", *args, "--format", "json"]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


def test_old_and_abbreviated_names_find_the_same_bureau(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    by_abbreviation = _json(capsys, "--agency", "区农水局", "--store", str(store_dir))
    by_full_name = _json(capsys, "--agency", "椒江区农业农村和水利局", "--store", str(store_dir))
    assert by_abbreviation == by_full_name
    assert {r["agency_label"] for r in by_abbreviation} == {"台州市椒江区农业农村局"}
    row = next(r for r in by_abbreviation if r["task_key"] == "jiaojiang-2020-07")
    assert row["role"] == "assist" and row["source"] == "asserted" and row["dates"] == ["2020-12-31"]
    assert set(row) >= {"task", "task_key", "title", "role", "plan", "dates", "source"}


def test_an_ambiguous_name_lists_the_candidates(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "--agency", "食药监局", "--store", str(store_dir)]) == 2
    error = capsys.readouterr().err
    # 天台县's bureau is named by no plan: reasoning implies it for Tiantai's tasks, so it is one of them too.
    assert "may mean 5 agencies" in error
    for place in ("天津市蓟州区", "温州市", "乐清市", "台州市椒江区", "天台县"):
        assert f"{place}市场监督管理局" in error


def test_jurisdiction_picks_whose_bureau(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    yueqing = _json(capsys, "--agency", "市市场监管局", "--jurisdiction", "乐清", "--store", str(store_dir))
    wenzhou = _json(capsys, "--agency", "市市场监管局", "--jurisdiction", "温州市", "--store", str(store_dir))
    assert {r["agency_label"] for r in yueqing} == {"乐清市市场监督管理局"}
    assert {str(r["task_key"])[:7] for r in yueqing if r["source"] == "asserted"} == {"yueqing"}
    # The Wenzhou plan gives tasks to 市、县两级市场监管部门: 乐清市's bureau is one of the county-level ones.
    assert "wenzhou-2018-20" in {r["task_key"] for r in yueqing if r["source"] == "inferred"}
    assert {str(r["task_key"])[:7] for r in wenzhou} == {"wenzhou"}


def test_role_filter_and_include_sub(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leads = _json(
        capsys,
        "--agency",
        "市场监管局",
        "--jurisdiction",
        "乐清",
        "--role",
        "lead",
        "--store",
        str(store_dir),
    )
    assert leads and {r["role"] for r in leads} == {"lead"}
    with_sub = _json(
        capsys,
        "--agency",
        "市场监管局",
        "--jurisdiction",
        "温州市",
        "--include-sub",
        "--store",
        str(store_dir),
    )
    assert {r["agency_label"] for r in with_sub} == {"温州市市场监督管理局", "乐清市市场监督管理局"}


def test_table_output_is_for_people(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "--agency", "蓟州海关", "--store", str(store_dir)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["agency_label", "task_key", "role"]
    assert "jizhou-2020-10" in out and "天津市蓟州区海关" in out
