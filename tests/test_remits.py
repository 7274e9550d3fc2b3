"""Implied agencies for tasks that name none: remits (ontology/remits.ttl) matched in the task's own text."""

from __future__ import annotations

import json
from pathlib import Path

from dutygraph.kg.remits import implied_agencies, remit_matches, remit_topics
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.jurisdictions import division_table
from dutygraph.ontology import agency_type_keys

GOLD = Path(__file__).parent / "gold"


def test_every_remit_belongs_to_a_known_agency_type_and_no_wording_is_shared() -> None:
    topics = remit_topics()
    assert set(topics) <= agency_type_keys()
    seen: dict[str, str] = {}
    for key, wordings in topics.items():
        for wording in wordings:
            assert seen.setdefault(wording, key) == key, f"{wording} is in two remits"


def test_a_task_is_implied_to_the_bureaus_of_its_own_jurisdiction() -> None:
    yueqing = division_table().by_code("330382")
    implied = implied_agencies("严厉打击食品走私等违法犯罪行为；督促学校落实食品安全责任", yueqing)
    assert {(i.agency.type_key, i.agency.jurisdiction.code) for i in implied} == {
        ("public-security", "330382"),
        ("education", "330382"),
    }
    assert all("任务提到" in i.why for i in implied)


def test_a_wording_inside_a_longer_one_counts_once() -> None:
    (match,) = [m for m in remit_matches("深化食品安全城市创建") if m.type_key == "food-safety-office"]
    assert match.wordings == ("食品安全城市",)


def test_text_with_no_remit_implies_nobody() -> None:
    assert implied_agencies("认真贯彻统一部署。", division_table().by_code("331023")) == ()


def test_tasks_that_name_agencies_get_no_implied_ones() -> None:
    for path in bundled_plans():
        reading = read_plan_file(path)
        for task in reading.tasks:
            assert not (task.roles and task.implied), task.key


def test_tiantai_tasks_all_get_implied_agencies_close_to_the_gold_reading() -> None:
    reading = read_plan_file(next(p for p in bundled_plans() if p.stem.startswith("tiantai")))
    gold = {
        t["key"]: t for t in json.loads((GOLD / "tiantai-2019-work-points.json").read_text("utf-8"))["tasks"]
    }
    tp = fp = fn = 0
    for task in reading.tasks:
        assert task.implied, task.key
        ours = {i.agency.type_key for i in task.implied}
        theirs = {i["type"] for i in gold[task.key]["implied_agencies"]}
        tp, fp, fn = tp + len(ours & theirs), fp + len(ours - theirs), fn + len(theirs - ours)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.70, f1
