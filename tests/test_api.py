"""The staff API (/api/…) on the five bundled plans: what staff ask, answered with named bureaus, task keys,
dates and files they can open in Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from dutygraph.api.app import create_app
from dutygraph.kg.stores import GraphStore
from dutygraph.settings import get_settings

WENZHOU_MATRIX = "/api/plans/wenzhou-2018-duty-table/matrix"


@pytest.fixture(scope="module")
def client(seed_store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(backend="memory"), store=seed_store)) as client:
        yield client


def get_json(client: TestClient, url: str, **params: Any) -> Any:
    answer = client.get(url, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    return answer.json()


# --- agencies -------------------------------------------------------------------------------------------------


def test_market_regulation_bureau_is_ambiguous_among_five(client: TestClient) -> None:
    found = get_json(client, "/api/agencies", q="市场监管局")
    assert found["ambiguous"] is True and found["agency"] is None
    candidates = {c["label"]: c for c in found["candidates"]}
    assert set(candidates) == {
        "天津市蓟州区市场监督管理局",
        "温州市市场监督管理局",
        "乐清市市场监督管理局",
        "台州市椒江区市场监督管理局",
        "天台县市场监督管理局",
    }
    tiantai = candidates["天台县市场监督管理局"]
    # No plan of 天台县 names its market bureau: it exists only because its remit implies it.
    assert tiantai["in_plans"] is False
    assert all(c["in_plans"] for label, c in candidates.items() if label != "天台县市场监督管理局")
    assert tiantai["jurisdiction_name"] == "天台县"
    assert tiantai["iri"] == "https://w3id.org/dutygraph/id/agency/331023/market-regulation"
    assert tiantai["page"] == "/agency/331023/market-regulation"
    assert tiantai["tasks_url"] == "/api/agencies/331023/market-regulation/tasks"


def test_an_abbreviation_finds_one_bureau(client: TestClient) -> None:
    found = get_json(client, "/api/agencies", q="区农水局")
    assert found["ambiguous"] is False
    assert found["agency"]["label"] == "台州市椒江区农业农村局"
    assert found["agency"]["jurisdiction_code"] == "331002"
    assert "区农水局" in found["agency"]["written_forms"]
    assert found["agency"]["tasks_url"] == "/api/agencies/331002/agriculture/tasks"
    assert [c["label"] for c in found["candidates"]] == ["台州市椒江区农业农村局"]


def test_a_jurisdiction_settles_an_ambiguous_name(client: TestClient) -> None:
    found = get_json(client, "/api/agencies", q="市场监管局", jurisdiction="乐清市")
    assert found["agency"]["label"] == "乐清市市场监督管理局"


def test_unknown_names_and_places_are_refused_with_a_reason(client: TestClient) -> None:
    missing = client.get("/api/agencies", params={"q": "火星探测局"})
    assert missing.status_code == 404 and "火星探测局" in missing.json()["detail"]
    nowhere = client.get("/api/agencies", params={"q": "市场监管局", "jurisdiction": "火星"})
    assert nowhere.status_code == 422 and "火星" in nowhere.json()["detail"]
    empty = client.get("/api/agencies", params={"q": ""})
    assert empty.status_code == 422


def test_tasks_of_the_jiaojiang_agriculture_bureau(client: TestClient) -> None:
    found = get_json(client, "/api/agencies/331002/agriculture/tasks")
    assert found["agency"]["label"] == "台州市椒江区农业农村局"
    assert found["count"] == len(found["tasks"]) > 10
    task = next(t for t in found["tasks"] if t["task_key"] == "jiaojiang-2020-07")
    assert (task["role"], task["role_label"], task["source"]) == ("assist", "配合", "asserted")
    assert task["dates"] == ["2020-12-31"] and task["deadlines"] == "2020年底前完成"
    assert task["plan_id"] == "jiaojiang-2020-reform-tasks"
    assert task["page"] == "/plan/jiaojiang-2020-reform-tasks/task/07"
    assert task["explanation"] is None
    [line] = task["lines"]
    assert line["document"] == "jiaojiang-2020-reform-tasks.txt" and line["as_written"] == "区农水局"
    assert (line["line_start"], line["line_end"]) == (53, 58)


def test_tasks_in_one_role(client: TestClient) -> None:
    found = get_json(client, "/api/agencies/331002/agriculture/tasks", role="lead")
    assert {t["role"] for t in found["tasks"]} == {"lead"}
    assert "jiaojiang-2020-10" in {t["task_key"] for t in found["tasks"]}
    assert "jiaojiang-2020-07" not in {t["task_key"] for t in found["tasks"]}


def test_tiantai_education_bureau_is_implied_and_explained(client: TestClient) -> None:
    found = get_json(client, "/api/agencies/331023/education/tasks")
    assert found["agency"]["label"] == "天台县教育局" and found["count"] >= 1
    for task in found["tasks"]:
        assert task["source"] == "inferred" and task["role_label"].endswith("（推定）")
        assert task["plan_id"] == "tiantai-2019-work-points"
        assert "学校" in task["explanation"]
        assert task["lines"][0]["document"] == "tiantai-2019-work-points.txt"
    assert get_json(client, "/api/agencies/331023/education/tasks", asserted_only=True)["count"] == 0


def test_a_group_member_takes_the_groups_role_with_the_line_that_names_the_group(client: TestClient) -> None:
    found = get_json(
        client, "/api/agencies/330326/government/tasks"
    )  # 平阳县人民政府, one of 各县（市、区）政府
    task = next(t for t in found["tasks"] if t["task_key"] == "wenzhou-2018-01")
    assert (task["role"], task["source"]) == ("lead", "inferred")
    assert "各县（市、区）政府" in {line["as_written"] for line in task["lines"]}
    assert "温州市各县（市、区）人民政府" in task["explanation"]


def test_tasks_of_an_unknown_agency_are_not_found(client: TestClient) -> None:
    answer = client.get("/api/agencies/331002/no-such-type/tasks")
    assert answer.status_code == 404 and "331002/no-such-type" in answer.json()["detail"]


# --- plans and tasks -------------------------------------------------------------------------------------------


def test_plans(client: TestClient) -> None:
    plans = {p["plan_id"]: p for p in get_json(client, "/api/plans")}
    assert len(plans) == 5
    wenzhou = plans["wenzhou-2018-duty-table"]
    assert wenzhou["title"] == "2018年温州市食品安全工作责任分工一览表"
    assert (wenzhou["task_count"], wenzhou["year"], wenzhou["jurisdiction_name"]) == (32, 2018, "温州市")
    assert wenzhou["matrix_url"] == WENZHOU_MATRIX and wenzhou["page"] == "/plan/wenzhou-2018-duty-table"


def test_agencies_of_a_task_as_the_plan_writes_them(client: TestClient) -> None:
    found = get_json(client, "/api/plans/jiaojiang-2020-reform-tasks/tasks/07/agencies")
    assert (
        found["task"]["key"] == "jiaojiang-2020-07"
        and found["task"]["title"] == "加强和优化食品安全抽检工作。"
    )
    assert found["task"]["lines"]["where"] == "jiaojiang-2020-reform-tasks.txt 第 53–58 行"
    named = [(a["label"], a["role"], a["as_written"], a["source"]) for a in found["agencies"]]
    assert named[0] == ("台州市椒江区市场监督管理局", "lead", "区市场监管局", "asserted")
    assert ("台州市椒江区农业农村局", "assist", "区农水局", "asserted") in named


def test_agencies_of_a_task_include_implied_ones(client: TestClient) -> None:
    found = get_json(client, "/api/plans/tiantai-2019-work-points/tasks/3-4/agencies")
    implied = {a["label"]: a for a in found["agencies"] if a["source"] == "inferred"}
    assert implied["天台县教育局"]["role_label"] == "参与（推定）"
    asserted_only = get_json(
        client, "/api/plans/tiantai-2019-work-points/tasks/3-4/agencies", asserted_only=True
    )
    assert "天台县教育局" not in {a["label"] for a in asserted_only["agencies"]}


def test_an_unknown_task_is_not_found(client: TestClient) -> None:
    answer = client.get("/api/plans/jiaojiang-2020-reform-tasks/tasks/999/agencies")
    assert answer.status_code == 404 and "999" in answer.json()["detail"]


def test_wenzhou_matrix(client: TestClient) -> None:
    matrix = get_json(client, WENZHOU_MATRIX)
    assert matrix["plan"]["plan_id"] == "wenzhou-2018-duty-table"
    assert [row["task"]["key"] for row in matrix["rows"]] == [f"wenzhou-2018-{n:02d}" for n in range(1, 33)]
    columns = {column["label"]: column for column in matrix["agencies"]}
    market = columns["温州市市场监督管理局"]
    assert market["responsible"] > 10 and market["leads"] == 0 and market["inferred"] == 0
    first = matrix["rows"][0]
    assert first["task"]["deadlines"] == "6月前" and first["task"]["dates"] == ["2018-06-30"]
    cells = {(cell["agency"], cell["label"]) for cell in first["cells"]}
    assert ("https://w3id.org/dutygraph/id/group/330300/county-government", "牵头") in cells
    # 平阳县 is one of 各县（市、区）: it leads by inference.
    assert ("https://w3id.org/dutygraph/id/agency/330326/government", "牵头（推定）") in cells
    assert columns["平阳县人民政府"]["inferred"] > 0


def test_asserted_only_matrix_has_no_inferred_cells(client: TestClient) -> None:
    matrix = get_json(client, WENZHOU_MATRIX, asserted_only=True)
    assert len(matrix["rows"]) == 32
    assert {cell["source"] for row in matrix["rows"] for cell in row["cells"]} == {"asserted"}
    assert "乐清市市场监督管理局" not in {column["label"] for column in matrix["agencies"]}


def test_matrix_carries_milestones_and_targets(client: TestClient) -> None:
    matrix = get_json(client, "/api/plans/yueqing-2022-demo-city-plan/matrix")
    assert [m["name"] for m in matrix["milestones"]] == [
        "启动阶段",
        "实施阶段",
        "省级验收阶段",
        "巩固提升阶段",
    ]
    assert (matrix["milestones"][0]["start"], matrix["milestones"][0]["end"]) == ("2022-01-01", "2022-03-31")
    targets = {(i["metric"], i["value"], i["unit"]) for i in matrix["indicators"]}
    assert ("食品安全抽检量", 4.5, "批次/千人") in targets


def wenzhou_csv_rows(client: TestClient) -> list[list[str]]:
    answer = client.get(WENZHOU_MATRIX, params={"format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''wenzhou-2018-duty-table-matrix.csv"
    )
    assert answer.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_matrix_as_csv(client: TestClient) -> None:
    rows = wenzhou_csv_rows(client)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["任务编号", "任务", "完成时限"] and "温州市市场监督管理局" in header
    assert len(body) == 32 and body[0][:3] == ["wenzhou-2018-01", "建立完善党政同责制度", "6月前"]
    assert body[0][header.index("温州市各县（市、区）人民政府")] == "牵头"
    assert body[0][header.index("平阳县人民政府")] == "牵头（推定）"


def test_matrix_as_xlsx_has_the_csv_cells(client: TestClient) -> None:
    answer = client.get(WENZHOU_MATRIX, params={"format": "xlsx"})
    assert (
        answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert answer.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''wenzhou-2018-duty-table-matrix.xlsx"
    )
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    sheet = book["分工矩阵"]
    cells = [
        ["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == wenzhou_csv_rows(client)
    counts = {row[0]: row for row in book["单位统计"].iter_rows(min_row=2, values_only=True)}
    assert counts["温州市市场监督管理局"][1] == 0  # leads nothing: the table names units jointly responsible


def test_matrix_of_an_unknown_plan_or_format(client: TestClient) -> None:
    missing = client.get("/api/plans/no-such-plan/matrix")
    assert missing.status_code == 404 and "wenzhou-2018-duty-table" in missing.json()["detail"]
    assert client.get(WENZHOU_MATRIX, params={"format": "pdf"}).status_code == 422


# --- across plans ----------------------------------------------------------------------------------------------


def test_deadlines_in_june_2018(client: TestClient) -> None:
    found = get_json(client, "/api/deadlines", **{"from": "2018-06-01", "to": "2018-06-30"})
    assert (found["from"], found["to"], found["count"]) == ("2018-06-01", "2018-06-30", 1)
    [due] = found["deadlines"]
    assert (due["task_key"], due["date"], due["as_written"], due["kind"]) == (
        "wenzhou-2018-01",
        "2018-06-30",
        "6月前",
        "ByDate",
    )
    assert due["page"] == "/plan/wenzhou-2018-duty-table/task/01"


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"from": "2018-06-31", "to": "2018-06-30"}, "valid date"),
        ({"from": "6月前", "to": "2018-06-30"}, "valid date"),
        ({"from": "2018-07-01", "to": "2018-06-30"}, "from (2018-07-01) is after to (2018-06-30)"),
        ({"to": "2018-06-30"}, "Field required"),
    ],
)
def test_bad_periods_are_refused_with_a_clear_message(
    client: TestClient, period: dict[str, str], message: str
) -> None:
    answer = client.get("/api/deadlines", params=period)
    assert answer.status_code == 422
    assert any(message in problem["msg"] for problem in answer.json()["detail"]), answer.json()


def test_indicators_by_metric(client: TestClient) -> None:
    found = get_json(client, "/api/indicators", metric="抽检量")
    assert found["count"] == len(found["indicators"]) >= 3
    targets = {(i["plan_id"], i["task_key"], i["value"], i["unit"]) for i in found["indicators"]}
    assert ("jiaojiang-2020-reform-tasks", "jiaojiang-2020-07", 4.5, "批次/千人") in targets
    assert all("抽检量" in i["metric"] for i in found["indicators"])
    assert client.get("/api/indicators", params={"metric": ""}).status_code == 422


# --- the OpenAPI description ---------------------------------------------------------------------------------


def test_openapi_documents_every_staff_route(client: TestClient) -> None:
    spec = get_json(client, "/openapi.json")
    mine = {
        path: operations for path, operations in spec["paths"].items() if path.startswith(("/api/", "/id/"))
    }
    assert set(mine) >= {
        "/api/agencies",
        "/api/agencies/{code}/{type_key}/tasks",
        "/api/plans",
        "/api/plans/{plan_id}/tasks/{key_part}/agencies",
        "/api/plans/{plan_id}/matrix",
        "/api/deadlines",
        "/api/indicators",
        "/id/{path}",
    }
    tags = {"单位 agencies", "任务 tasks", "方案 plans"}
    for path, operations in mine.items():
        for operation in operations.values():
            assert " / " in operation["summary"], f"{path}: summary should be Chinese / English"
            if path.startswith("/api/"):
                assert tags & set(operation["tags"]), path
    deadlines = mine["/api/deadlines"]["get"]
    assert {p["name"] for p in deadlines["parameters"]} == {"from", "to"}
    search = spec["components"]["schemas"]["AgencySearch"]["properties"]
    assert "多个单位" in search["ambiguous"]["description"]
    matrix = mine["/api/plans/{plan_id}/matrix"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(matrix)


def test_answers_are_remembered_per_version_of_the_store() -> None:
    """The agency-tasks answer and page are cached per store version: a rebuild is seen at the next request."""
    from dutygraph.kg.build import build
    from dutygraph.kg.stores import open_store
    from dutygraph.loaders.bundled import bundled_plans

    jiaojiang = [path for path in bundled_plans() if path.stem.startswith("jiaojiang")]
    store = open_store("memory")
    build(store, jiaojiang)
    url = "/api/agencies/331002/agriculture/tasks"
    with TestClient(create_app(get_settings(backend="memory"), store=store)) as client:
        first = client.get(url)
        page = client.get("/agency/331002/agriculture")
        assert first.status_code == 200 and page.status_code == 200
        assert client.get(url).content == first.content  # the second answer is the remembered one
        assert first.json()["count"] > 0
        assert len(client.app.state.answers) == 2  # type: ignore[attr-defined]

        store.replace_graphs({}, remove=store.graph_names())  # a new version, holding no bureau
        assert client.get(url).status_code == 404
        assert client.get("/agency/331002/agriculture").status_code == 404
