"""The synthetic corpus: scale 1 is five plans, one per wording family, that the loaders read as written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dutygraph.kg.synthetic_plans import SEED_JURISDICTIONS, synthetic_plans, write_corpus
from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.records import PlanReading


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PlanReading]:
    folder = tmp_path_factory.mktemp("corpus")
    files = write_corpus(folder, scale=1)
    return {path.name: read_plan_file(path) for path in files}


def test_scale_one_is_five_plans_one_per_family() -> None:
    plans = synthetic_plans(1)
    assert [p.layout for p in plans] == [
        "cell-table",
        "numbered-prose",
        "duty-table",
        "delimited-table",
        "duty-list",
    ]
    assert [p.jurisdiction_code for p in plans] == list(SEED_JURISDICTIONS)
    assert len(synthetic_plans(10)) == 50


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    assert synthetic_plans(2, seed=7) == synthetic_plans(2, seed=7)
    assert [p.text for p in synthetic_plans(2, seed=7)] != [p.text for p in synthetic_plans(2, seed=8)]


def test_scale_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="scale must be 1 or more"):
        synthetic_plans(0)


def test_loaders_read_every_task_of_every_plan(readings: dict[str, PlanReading]) -> None:
    for plan in synthetic_plans(1):
        reading = readings[plan.file_name]
        assert len(reading.tasks) == plan.tasks, plan.file_name
        assert reading.info.jurisdiction.code == plan.jurisdiction_code
        assert reading.info.year == plan.year
        assert all(task.roles for task in reading.tasks), plan.file_name


def test_layouts_detected_and_roles_as_written(readings: dict[str, PlanReading]) -> None:
    by_family = {plan.layout: readings[plan.file_name] for plan in synthetic_plans(1)}
    assert {family: r.layout for family, r in by_family.items()} == {
        "cell-table": "cell-table",
        "numbered-prose": "numbered-prose",
        "duty-table": "cell-table",
        "delimited-table": "delimited-table",
        "duty-list": "numbered-prose",
    }
    roles = {
        family: Counter(role.role for t in r.tasks for role in t.roles) for family, r in by_family.items()
    }
    # 牵头 in the cell table and ▲ in the tab table mark leads; （责任单位：…） makes units responsible.
    assert roles["cell-table"]["lead"] >= len(by_family["cell-table"].tasks)
    assert roles["delimited-table"]["lead"] >= len(by_family["delimited-table"].tasks)
    assert roles["numbered-prose"]["responsible"] > roles["numbered-prose"]["lead"]
    jiaojiang = by_family["cell-table"]
    assert jiaojiang.tasks[0].roles[0].agency.jurisdiction.name == "椒江区"
    assert {role.agency.type_key for t in jiaojiang.tasks for role in t.roles} >= {
        "market-regulation",
        "health",
    }


def test_duty_lists_deadlines_and_indicators(readings: dict[str, PlanReading]) -> None:
    duty_list = readings[synthetic_plans(1)[4].file_name]
    assert len(duty_list.duties) == 6
    assert all(block.agency.jurisdiction.name == "天台县" for block in duty_list.duties)
    kinds = Counter(d.kind for r in readings.values() for t in r.tasks for d in t.deadlines)
    assert kinds["by-date"] > 0 and kinds["recurring"] + kinds["per-directive"] + kinds["long-term"] > 0
    metrics = {i.unit for r in readings.values() for t in r.tasks for i in t.indicators}
    assert "批次/千人" in metrics or "%" in metrics


def test_written_files_are_the_generated_text(tmp_path: Path) -> None:
    files = write_corpus(tmp_path, scale=1, seed=3)
    assert [f.read_text(encoding="utf-8") for f in files] == [p.text for p in synthetic_plans(1, seed=3)]
