"""The loaders against the hand-made readings of the five bundled plans (tests/gold, layout in SCHEMA.md).

Scored with the same rules as the project's scoring tool (a copy in tests/gold/score.py): tasks paired by
their text, roles as (type, role), deadlines as (kind, date), indicators as (value, comparator, unit).
Known gaps are listed once, in KNOWN_GAPS, each quoting the plan line; a fix turns its xfail red.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dutygraph.loaders.bundled import bundled_plans
from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.to_json import reading_to_json

GOLD = Path(__file__).parent / "gold"
sys.path.insert(0, str(GOLD))
import score  # noqa: E402  (the scoring tool, copied next to the gold files)

PLANS = {p.stem: p for p in bundled_plans()}
GOLD_FILES = sorted(GOLD.glob("*.json"))

# Targets of issue 3 (overall, over the five plans).
TARGETS = {"agency roles": 0.97, "involvement": 0.98, "deadlines": 0.95, "indicators": 0.90}

KNOWN_GAPS: dict[str, str] = {
    "jizhou-2020-12": (
        "plan line 35 “推动正常生产的食品生产企业建立食品安全自查制度和获证食品生产企业监督抽查考核100%全覆盖”: "
        "two targets share one 100% although neither conjunct names a rate; the indicator rules split a shared "
        "value only across …率 conjuncts"
    ),
}


@pytest.fixture(scope="module")
def predictions() -> dict[str, dict[str, Any]]:
    return {stem: reading_to_json(read_plan_file(path)) for stem, path in PLANS.items()}


def _gold(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    return data


def test_every_gold_file_has_its_bundled_plan() -> None:
    assert {g.stem for g in GOLD_FILES} == set(PLANS)


@pytest.mark.parametrize("stem", [g.stem for g in GOLD_FILES])
def test_tasks_are_found_exactly(stem: str, predictions: dict[str, dict[str, Any]]) -> None:
    result = score.score_plan(_gold(stem), predictions[stem], verbose=True)
    assert result["paired"] == result["gold_tasks"] == result["pred_tasks"], result["misses"]


def test_overall_scores_meet_targets(predictions: dict[str, dict[str, Any]]) -> None:
    totals = {name: score.Tally() for name in score.FIELDS}
    for gold_file in GOLD_FILES:
        result = score.score_plan(_gold(gold_file.stem), predictions[gold_file.stem], verbose=False)
        for name, tally in result["tallies"].items():
            totals[name] += tally
    scores = {name: round(totals[name].f1(), 3) for name in TARGETS}
    assert all(scores[name] >= target for name, target in TARGETS.items()), scores


def _gold_tasks() -> list[tuple[str, str]]:
    return [(g.stem, t["key"]) for g in GOLD_FILES for t in _gold(g.stem)["tasks"]]


def _params() -> list[Any]:
    params = []
    for stem, key in _gold_tasks():
        marks = [pytest.mark.xfail(reason=KNOWN_GAPS[key], strict=True)] if key in KNOWN_GAPS else []
        params.append(pytest.param(stem, key, id=key, marks=marks))
    return params


@pytest.mark.parametrize(("stem", "key"), _params())
def test_gold_task_read_exactly(stem: str, key: str, predictions: dict[str, dict[str, Any]]) -> None:
    gold_task = next(t for t in _gold(stem)["tasks"] if t["key"] == key)
    by_key = {t["key"]: t for t in predictions[stem]["tasks"]}
    assert key in by_key, f"no task {key} read"
    ours = by_key[key]
    fields: dict[str, Callable[[dict[str, Any]], Counter[Any]]] = {
        "roles": score.roles,
        "deadlines": score.deadlines,
        "indicators": score.indicators,
    }
    for name, of in fields.items():
        assert of(ours) == of(gold_task), f"{key} {name}: gold {sorted(of(gold_task).elements(), key=str)}"


@pytest.mark.parametrize("stem", [g.stem for g in GOLD_FILES])
def test_duties_and_plan_targets(stem: str, predictions: dict[str, dict[str, Any]]) -> None:
    gold, ours = _gold(stem), predictions[stem]
    assert Counter(d["type"] for d in ours["duties"]) == Counter(d["type"] for d in gold["duties"])
    assert score.indicators({"indicators": ours["plan_indicators"]}) == score.indicators(
        {"indicators": gold["plan_indicators"]}
    )
    assert ours["plan"]["jurisdiction"] == gold["plan"]["jurisdiction"]
    assert ours["plan"]["parent_jurisdictions"] == gold["plan"]["parent_jurisdictions"]
    assert ours["plan"]["jurisdiction_level"] == gold["plan"]["jurisdiction_level"]
    assert ours["plan"]["year"] == gold["plan"]["year"]
