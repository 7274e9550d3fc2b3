"""The pages for policy staff: search, agency, task and plan pages on the five bundled plans, served assets, and
plan text escaped wherever it appears."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from dutygraph.api.app import create_app
from dutygraph.kg.build import build
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.loaders.reading import read_plan
from dutygraph.settings import get_settings

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class Page(HTMLParser):
    """A rendered page: every start tag with its attributes, and the text inside each element that has an id
    (nested elements included)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_of: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        if tag in _VOID:
            return
        element_id = values.get("id")
        if element_id:
            self.text_of.setdefault(element_id, "")
        self._open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.text_of[element_id] += data

    def attrs(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        """The attributes of every `tag` whose attributes include `wanted` (underscores for dashes)."""
        pairs = {name.replace("_", "-"): value for name, value in wanted.items()}
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in pairs.items())]


def section_keys(html: str, section_id: str) -> list[str]:
    """The task keys listed in one section of a page (its HTML up to the next <section>)."""
    start = html.index(f'id="{section_id}"')
    end = html.find("<section", start)
    chunk = html[start : end if end != -1 else len(html)]
    return [a["data-task-key"] for _, a in Page(chunk).tags if "data-task-key" in a]


def chart_data(page: Page, element_id: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(page.text_of[element_id])
    return data


@pytest.fixture(scope="module")
def client(seed_store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(backend="memory"), store=seed_store)) as opened:
        yield opened


@pytest.fixture(scope="module")
def fetch(client: TestClient) -> Callable[[str], httpx.Response]:
    """GET a path (redirects not followed), once per module: several tests read the same page, and a page of
    the memory store takes up to a second to answer."""
    return functools.cache(lambda path: client.get(path, follow_redirects=False))


# --- home and search ------------------------------------------------------------------------------------


def test_home_has_one_search_box_and_the_five_plans(fetch: Callable[[str], httpx.Response]) -> None:
    response = fetch("/")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = Page(response.text)
    [box] = page.attrs("input", id="q")
    assert box["name"] == "q" and "区农水局" in box["placeholder"] and "食药监局" in box["placeholder"]
    assert page.attrs("form", action="/search")
    plans = page.text_of["plan-list"]
    assert "2018年温州市食品安全工作责任分工一览表" in plans and "温州市" in plans and "天台县" in plans
    links = {a["href"] for a in page.attrs("a") if a.get("href", "").startswith("/plan/")}
    assert links == {
        "/plan/jiaojiang-2020-reform-tasks",
        "/plan/jizhou-2020-supervision-plan",
        "/plan/tiantai-2019-work-points",
        "/plan/wenzhou-2018-duty-table",
        "/plan/yueqing-2022-demo-city-plan",
    }
    nav = {a["href"] for a in page.attrs("a") if a.get("data-testid", "").startswith("nav-")}
    assert nav == {"/", "/query", "/network"}


def test_one_agency_found_redirects_to_its_page(fetch: Callable[[str], httpx.Response]) -> None:
    response = fetch("/search?q=区农水局")
    assert response.status_code == 303
    assert response.headers["location"] == "/agency/331002/agriculture"


def test_several_agencies_found_are_listed_with_their_jurisdictions(
    fetch: Callable[[str], httpx.Response],
) -> None:
    response = fetch("/search?q=市场监管局")
    page = Page(response.text)
    results = page.text_of["search-results"]
    hits = [a["href"] for a in page.attrs("a") if a.get("href", "").startswith("/agency/")]
    assert len(hits) == 5 and "/agency/330382/market-regulation" in hits
    assert "乐清市市场监督管理局" in results and "天津市蓟州区" in results


def test_no_agency_found_is_a_404_page_saying_so(fetch: Callable[[str], httpx.Response]) -> None:
    response = fetch("/search?q=不存在的单位")
    assert response.status_code == 404
    page = Page(response.text)
    assert (
        "不存在的单位" in page.text_of["main"] and page.attrs("input", id="q")[0]["value"] == "不存在的单位"
    )


# --- agency pages -----------------------------------------------------------------------------------------


def test_agency_page_groups_tasks_by_role_and_charts_deadlines_by_month(
    fetch: Callable[[str], httpx.Response],
) -> None:
    response = fetch("/agency/331002/market-regulation")
    page = Page(response.text)
    assert "台州市椒江区市场监督管理局" in page.text_of["main"] and "市场监督管理局" in page.text_of["main"]
    assert "jiaojiang-2020-07" in section_keys(response.text, "role-lead")
    assert "jiaojiang-2020-07" not in section_keys(response.text, "role-assist")
    assert "jiaojiang-2020-52" in section_keys(response.text, "role-assist")
    # Sorted by deadline, undated last: 2020 tasks before 年度日常工作 ones.
    lead = section_keys(response.text, "role-lead")
    assert lead.index("jiaojiang-2020-07") < lead.index("jiaojiang-2020-50") < lead.index("jiaojiang-2020-04")
    data = chart_data(page, "deadline-chart-data")
    assert "2020-12" in data["labels"]  # type: ignore[operator]
    assert page.attrs("canvas", id="deadline-chart")
    [network] = page.attrs("a", data_testid="network-link")
    query = parse_qs(urlsplit(network["href"]).query)
    assert urlsplit(network["href"]).path == "/network"
    assert query == {
        "agency": ["https://w3id.org/dutygraph/id/agency/331002/market-regulation"],
        "hops": ["1"],
    }
    assert (
        page.attrs("a", data_testid="json-link")[0]["href"] == "/api/agencies/331002/market-regulation/tasks"
    )
    assert page.attrs("a", href="/plan/jiaojiang-2020-reform-tasks/task/07")


def test_an_implied_agency_shows_its_inferred_tasks_with_the_reason(
    fetch: Callable[[str], httpx.Response],
) -> None:
    response = fetch("/agency/331023/education")  # 天台县教育局: no plan names it
    page = Page(response.text)
    assert page.text_of["main"].count("天台县教育局") >= 1
    assert section_keys(response.text, "role-inferred") == ["tiantai-2019-3-4", "tiantai-2019-6-3"]
    assert section_keys(response.text, "role-lead") == []
    inferred = page.text_of["role-inferred"]
    assert "推定" in inferred and "属教育局职责" in inferred and "学校" in inferred


def test_a_group_page_lists_the_tasks_the_plan_gives_the_group(
    fetch: Callable[[str], httpx.Response],
) -> None:
    response = fetch("/group/330300/county-government")
    page = Page(response.text)
    assert "温州市各县（市、区）人民政府" in page.text_of["main"]
    assert "wenzhou-2018-01" in section_keys(response.text, "role-lead")
    assert not page.attrs("a", data_testid="json-link")  # the staff API has no address for groups


def test_unknown_agency_task_and_plan_are_404_pages(fetch: Callable[[str], httpx.Response]) -> None:
    for path in (
        "/agency/331002/no-such-type",
        "/plan/no-such-plan",
        "/plan/wenzhou-2018-duty-table/task/999",
    ):
        response = fetch(path)
        assert response.status_code == 404, path
        assert "未找到" in Page(response.text).text_of["main"]


# --- task and plan pages ----------------------------------------------------------------------------------


def test_task_page_shows_text_agencies_deadlines_and_its_plan_lines(
    fetch: Callable[[str], httpx.Response],
) -> None:
    response = fetch("/plan/jiaojiang-2020-reform-tasks/task/18b")
    page = Page(response.text)
    main = page.text_of["main"]
    assert "jiaojiang-2020-18b" in main and "2025年底前完成" in main and "限期完成" in main
    agencies = page.text_of["task-agencies"]
    assert "台州市椒江区市场监督管理局" in agencies and "区教育局" in agencies and "共同负责" in agencies
    plan = read_plan(next(p for p in bundled_plans() if p.name == "jiaojiang-2020-reform-tasks.txt"))
    shown = page.text_of["source-lines"]
    written = [plan.line(n).strip() for n in range(138, 144)]
    assert "学校“阳光厨房”实现全覆盖。" in written and "2025年底前完成" in written  # a cell per line
    assert all(line in shown for line in written) and "138" in shown and "143" in shown
    assert "第 138–143 行" in main


def test_task_page_explains_an_inferred_agency(fetch: Callable[[str], httpx.Response]) -> None:
    page = Page(fetch("/plan/wenzhou-2018-duty-table/task/01").text)
    agencies = page.text_of["task-agencies"]
    assert "温州市各县（市、区）人民政府" in agencies and "平阳县人民政府" in agencies
    assert "推定" in agencies and "各县（市、区）政府" in agencies  # the wording the inference rests on


def test_plan_page_shows_the_matrix_downloads_and_role_chart(fetch: Callable[[str], httpx.Response]) -> None:
    response = fetch("/plan/wenzhou-2018-duty-table")
    page = Page(response.text)
    rows = [a["data-task-key"] for a in page.attrs("tr") if "data-task-key" in a]
    assert len(rows) == 32 and rows[0] == "wenzhou-2018-01" and rows[-1] == "wenzhou-2018-32"
    columns = [a for a in page.attrs("th") if a.get("data-agency")]
    assert len(columns) == 20  # the agencies and groups the plan names
    matrix = page.text_of["matrix"]
    assert "▲" in matrix and "●" in matrix and "温州市市场监督管理局" in matrix
    hrefs = {a["href"] for a in page.attrs("a")}
    assert "/api/plans/wenzhou-2018-duty-table/matrix?format=csv" in hrefs
    assert "/api/plans/wenzhou-2018-duty-table/matrix?format=xlsx" in hrefs
    assert page.attrs("canvas", id="role-chart")
    data = chart_data(page, "role-chart-data")
    assert "温州市市场监督管理局" in data["labels"]  # type: ignore[operator]
    assert {s["key"] for s in data["series"]} >= {"lead", "responsible"}  # type: ignore[attr-defined]
    assert "2018年温州市食品安全工作责任分工一览表" in page.text_of["main"]


def test_plan_page_with_inferred_marks_what_reasoning_adds(fetch: Callable[[str], httpx.Response]) -> None:
    written = fetch("/plan/wenzhou-2018-duty-table").text
    widened = fetch("/plan/wenzhou-2018-duty-table?inferred=true").text

    def first_row(html: str) -> str:  # 建立完善党政同责制度: 各县（市、区）政府 lead
        start = html.index('data-task-key="wenzhou-2018-01"')
        return html[start : html.index("</tr>", start)]

    assert 'class="inferred"' not in written and "牵头（推定" not in first_row(written)
    # The county governments lead as members of the group the plan names (瑞安市, 平阳县, 文成县, 永嘉县).
    assert first_row(widened).count('class="inferred"') == 4 and "牵头（推定 inferred）" in first_row(widened)
    columns = [a for a in Page(widened).attrs("th") if a.get("data-agency")]
    assert len(columns) == 22


def test_plan_page_shows_milestones_indicators_and_document_number(
    fetch: Callable[[str], httpx.Response],
) -> None:
    page = Page(fetch("/plan/yueqing-2022-demo-city-plan").text)
    assert "乐政办发〔2022〕33号" in page.text_of["main"]
    milestones = page.text_of["milestones"]
    assert milestones.index("启动阶段") < milestones.index("实施阶段") and "2022-03-31" in milestones
    assert "全方案" in page.text_of["indicators"]


# --- assets and escaping --------------------------------------------------------------------------------

PAGES = (
    "/",
    "/search?q=市场监管局",
    "/search?q=不存在的单位",
    "/agency/331002/market-regulation",
    "/plan/no-such-plan",
    "/group/330300/county-government",
    "/plan/jiaojiang-2020-reform-tasks/task/18b",
    "/plan/wenzhou-2018-duty-table",
)


def test_every_page_loads_scripts_and_styles_from_static_only(
    client: TestClient, fetch: Callable[[str], httpx.Response]
) -> None:
    assets: set[str] = set()
    for path in PAGES:
        page = Page(fetch(path).text)
        referenced = [a["src"] for a in page.attrs("script") if "src" in a]
        referenced += [a["href"] for a in page.attrs("link") if "href" in a]
        referenced += [a["src"] for a in page.attrs("img") if "src" in a]
        assert referenced, path
        for url in referenced:
            assert url.startswith("/static/") and not urlsplit(url).netloc, (path, url)
        assets.update(referenced)
        links = [a["href"] for a in page.attrs("a") if "href" in a]
        assert not [u for u in links if urlsplit(u).scheme in ("http", "https")], path
    assert {
        "/static/vendor/chart.js/chart.umd.min.js",
        "/static/js/charts.js",
        "/static/css/site.css",
    } <= assets
    for url in assets:
        served = client.get(url)
        assert served.status_code == 200 and served.content, url
    chart = client.get("/static/vendor/chart.js/chart.umd.min.js")
    assert "javascript" in chart.headers["content-type"] and b"Chart.js v4" in chart.content[:200]


def test_vendored_chart_js_names_its_version_and_licence() -> None:
    folder = Path(__file__).parent.parent / "api" / "static" / "vendor" / "chart.js"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "4.6.1" in readme and "MIT" in readme
    assert "MIT License" in (folder / "LICENSE.md").read_text(encoding="utf-8")
    assert "sourceMappingURL" not in (folder / "chart.umd.min.js").read_text(encoding="utf-8")


SCRIPT = "<script>alert(1)</script>"
PLAN_WITH_MARKUP = f"""天台县2021年食品安全工作计划{SCRIPT}

一、年度重点任务{SCRIPT}
1. 加强校园食品安全{SCRIPT}。学校食堂“阳光厨房”覆盖率达到100%。(责任单位:县教育局、县市场监管局)
2．开展食品安全宣传周活动。每季度开展一次集中宣传。由县市场监管局负责，县卫健局配合。
"""


@pytest.fixture(scope="module")
def markup_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A store holding one small plan whose title, section and task are written with a <script> element."""
    plan = tmp_path_factory.mktemp("markup") / "tiantai-2021-markup-plan.txt"
    plan.write_text(PLAN_WITH_MARKUP, encoding="utf-8")
    with open_store("memory") as store:
        build(store, [plan])
        with TestClient(create_app(get_settings(backend="memory"), store=store)) as opened:
            yield opened


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/plan/tiantai-2021-markup-plan",
        "/plan/tiantai-2021-markup-plan/task/01",
        "/agency/331023/education",
        "/agency/331023/market-regulation",
    ],
)
def test_markup_in_a_plan_is_shown_as_text(markup_client: TestClient, path: str) -> None:
    html = markup_client.get(path).text
    assert "<script>alert" not in html and "alert(1)</script>" not in html
    assert "&lt;script&gt;alert" in html
    page = Page(html)
    assert "<script>alert" in page.text_of["main"]  # the reader sees exactly what the plan wrote
    scripts = [a for a in page.attrs("script") if "src" not in a]
    for attrs in scripts:  # inline scripts are JSON data only, written by tojson
        assert attrs.get("type") == "application/json"


def test_a_plan_that_is_not_bundled_shows_a_note_instead_of_its_lines(markup_client: TestClient) -> None:
    page = Page(markup_client.get("/plan/tiantai-2021-markup-plan/task/01").text)
    assert "source-lines" not in page.text_of
    assert "tiantai-2021-markup-plan.txt" in page.text_of["main"] and "随附" in page.text_of["main"]
