"""The pages for policy staff (Chinese first): home, search, agency, group, task and plan pages.

Each route calls one function of `dutygraph.kg.page_data` and renders its record with a Jinja2 template from
``api/templates/``. Autoescape is on for every template and nothing a plan wrote is marked safe; data reaches
the page's scripts only as JSON through the ``tojson`` filter. Scripts and styles come from ``/static``.

>>> from fastapi.testclient import TestClient
>>> from dutygraph.api.app import create_app
>>> from dutygraph.settings import get_settings
>>> with TestClient(create_app(get_settings(backend="memory"))) as client:
...     page = client.get("/")
>>> page.headers["content-type"], "食品安全" in page.text
('text/html; charset=utf-8', True)
"""

from __future__ import annotations

import importlib.resources
from typing import Annotated

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from dutygraph.api.deps import AnswersDep, StoreDep
from dutygraph.errors import DutygraphError
from dutygraph.kg.page_data import (
    ROLES,
    agency_page,
    plan_cards,
    plan_page,
    search_agencies,
    task_page,
)

router = APIRouter(include_in_schema=False)  # HTML for people; the API under /api is documented instead

_TEMPLATES = importlib.resources.files("dutygraph.api") / "templates"
# Autoescape for every template whatever its name: plan text is data, never markup.
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
templates.env.globals["ROLES"] = ROLES


def _not_found(request: Request, message: str, *, query: str = "", jurisdiction: str = "") -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "not_found.html",
        {"message": message, "query": query, "jurisdiction": jurisdiction},
        status_code=404,
    )


def page_not_found(request: Request, missing: Exception) -> HTMLResponse:
    """Any page a route cannot find (`PageNotFound`) → the 404 page; `api.app` registers it for the app."""
    return _not_found(request, str(missing))


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: StoreDep) -> HTMLResponse:
    """One search box and the plans the store holds."""
    return templates.TemplateResponse(request, "home.html", {"plans": plan_cards(store)})


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200, description="单位名称 / agency name")] = "",
    jurisdiction: Annotated[str, Query(max_length=100, description="辖区 / jurisdiction")] = "",
) -> Response:
    """One agency → 303 to its page; several → the candidates; none → 404."""
    name, place = q.strip(), jurisdiction.strip()
    if not name:
        return RedirectResponse("/", status_code=303)
    try:
        hits = search_agencies(store, name, jurisdiction=place or None)
    except DutygraphError as error:  # a jurisdiction nobody is called
        return _not_found(request, str(error), query=name, jurisdiction=place)
    if len(hits) == 1:
        return RedirectResponse(hits[0].path, status_code=303)
    if not hits:
        where = f"（{place}）" if place else ""
        return _not_found(
            request,
            f"没有找到名为“{name}”{where}的单位 / no agency goes by this name",
            query=name,
            jurisdiction=place,
        )
    return templates.TemplateResponse(
        request, "search.html", {"hits": hits, "query": name, "jurisdiction": place}
    )


@router.get("/agency/{code}/{type_key}", response_class=HTMLResponse)
def agency(request: Request, store: StoreDep, answers: AnswersDep, code: str, type_key: str) -> HTMLResponse:
    """An agency's tasks by role, with why for the inferred ones, and its deadlines by month."""

    def render() -> bytes:
        page = agency_page(store, code=code, local=type_key)
        return bytes(templates.TemplateResponse(request, "agency.html", {"page": page}).body)

    # Remembered per published snapshot (and per address the page was asked at: its links use it).
    return HTMLResponse(answers.get(store, ("agency-page", str(request.base_url), code, type_key), render))


@router.get("/group/{code}/{group_key}", response_class=HTMLResponse)
def group(request: Request, store: StoreDep, code: str, group_key: str) -> HTMLResponse:
    """A group of agencies (各有关部门, 各乡镇（街道）) and its tasks, like an agency's page."""
    page = agency_page(store, code=code, local=group_key, group=True)
    return templates.TemplateResponse(request, "agency.html", {"page": page})


@router.get("/plan/{plan_id}/task/{key_part}", response_class=HTMLResponse)
def task(request: Request, store: StoreDep, plan_id: str, key_part: str) -> HTMLResponse:
    """A task as written, its agencies (asserted or inferred, and why), deadlines, indicators, plan lines."""
    page = task_page(store, plan_id=plan_id, key_part=key_part)
    return templates.TemplateResponse(request, "task.html", {"page": page})


@router.get("/plan/{plan_id}", response_class=HTMLResponse)
def plan(
    request: Request,
    store: StoreDep,
    plan_id: str,
    inferred: Annotated[bool, Query(description="含推定的参与 / include inferred involvement")] = False,
) -> HTMLResponse:
    """A plan: the agency × task matrix, milestones, indicators and role counts per agency."""
    page = plan_page(store, plan_id=plan_id, inferred=inferred)
    return templates.TemplateResponse(request, "plan.html", {"page": page})
