"""The pages as a person uses them, in a real browser with the network to other hosts cut off.

search → agency page → network view shows nodes → clicking a node opens its page; one screenshot per page is
saved to build/screenshots/ (docs/screenshots/ for the README with DUTYGRAPH_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser


def _no_offsite(visit: Visit) -> None:
    assert visit.offsite == [], f"requests to other hosts: {visit.offsite}"
    assert visit.console_errors == [], f"errors in the page's console: {visit.console_errors}"


def test_search_to_agency_page_to_network_and_back_to_a_page(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base + "/")
    visit.screenshot("home")
    page.fill("#q", "区农水局")
    page.click("[data-testid=search-button]")
    page.wait_for_url("**/agency/331002/agriculture")
    assert "台州市椒江区农业农村局" in page.inner_text("h1")
    assert page.locator("[data-task-key='jiaojiang-2020-07']").count() >= 1
    page.wait_for_selector("#deadline-chart")
    visit.screenshot("agency")

    page.click("[data-testid=network-link]")
    page.wait_for_selector("#network[data-state=ready]", timeout=30_000)
    nodes = page.evaluate("window.dutygraphNetwork.data.nodes.length")
    assert nodes > 10
    assert page.locator("#network canvas").count() >= 1
    visit.screenshot("network")

    # Clicking a node opens its page: click where vis-network drew the partner bureau.
    target = page.evaluate(
        """() => {
          const net = window.dutygraphNetwork.network;
          const node = window.dutygraphNetwork.data.nodes.find(n => n.label && n.label.includes('市场监督管理局'));
          const p = net.canvasToDOM(net.getPositions([node.id])[node.id]);
          const box = document.querySelector('#network canvas').getBoundingClientRect();
          return {x: box.left + p.x, y: box.top + p.y};
        }"""
    )
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url("**/agency/331002/market-regulation", timeout=15_000)
    assert "台州市椒江区市场监督管理局" in page.inner_text("h1")
    _no_offsite(visit)


def test_an_ambiguous_name_lists_candidates(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base + "/search?q=" + "市场监管局")
    text = page.inner_text("main")
    for place in ("温州市", "乐清市", "台州市椒江区", "天津市蓟州区"):
        assert f"{place}市场监督管理局" in text
    visit.screenshot("search")
    _no_offsite(visit)


def test_task_and_plan_pages(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base + "/plan/jiaojiang-2020-reform-tasks/task/18b")
    assert "学校“阳光厨房”实现全覆盖" in page.inner_text("main")
    visit.screenshot("task")
    page.goto(visit.base + "/plan/wenzhou-2018-duty-table")
    assert page.locator("[data-task-key^='wenzhou-2018-']").count() >= 32
    page.wait_for_selector("#role-chart")
    visit.screenshot("plan")
    _no_offsite(visit)


def test_query_console_runs_a_library_query(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base + "/query?example=workload")
    page.wait_for_selector("#run", timeout=15_000)
    page.click("#run")
    page.wait_for_function(
        "document.querySelector('#results') && document.querySelector('#results').innerText.includes('市场监督管理局')",
        timeout=30_000,
    )
    visit.screenshot("query")
    _no_offsite(visit)
