"""The interactive network view: `/network?agency=<IRI>&hops=N` (an agency's ego network) or
`/network?plan=<plan_id>` (the network of a plan), its data at `/network/data` (same parameters, JSON), and
`/network/why` (why reasoning involves an agency in a task, for an inferred edge).

The page is drawn in the browser by vis-network, vendored under ``/static/vendor/vis-network/``, from the JSON
of ``/network/data`` (`dutygraph.kg.network_view`). pyvis is not used: the pages it writes load vis-network
from a CDN. `agency` may also be a name as staff write it (市场监管局 with `jurisdiction=椒江区`); a name that
fits several agencies lists them to choose from.

>>> from fastapi.testclient import TestClient
>>> from dutygraph.api.app import create_app
>>> from dutygraph.settings import get_settings
>>> with TestClient(create_app(get_settings(backend="memory"))) as client:
...     answer = client.get("/network/data", params={"plan": "wenzhou"})
>>> answer.status_code, answer.json()["detail"]
(404, "no plan has the id 'wenzhou' (plans: none)")
"""

from __future__ import annotations

import importlib.resources
from enum import Enum
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from rdflib import URIRef

from dutygraph.api.deps import StoreDep
from dutygraph.errors import DutygraphError
from dutygraph.kg import iris
from dutygraph.kg.agency_search import AgencyCandidate, AgencyNotFound, AmbiguousAgency
from dutygraph.kg.explain import NotInvolved, explain
from dutygraph.kg.network import NotInNetwork
from dutygraph.kg.network_view import (
    MAX_HOPS,
    ROLE_STYLES,
    PlanNotFound,
    centre_agency,
    ego_view,
    plan_choices,
    plan_view,
    resolve_plan,
)

router = APIRouter()

_TEMPLATES = importlib.resources.files("dutygraph.api") / "templates"
# Autoescape for every template whatever its name: agency names and plan text are data, never markup.
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)

_TAGS: list[str | Enum] = ["网络视图 / Network view"]
AgencyParam = Annotated[
    str, Query(max_length=300, description="单位 IRI 或名称 / agency IRI or name (ego network)")
]
HopsParam = Annotated[int, Query(ge=1, le=MAX_HOPS, description="几步之内的协作单位 / hops of shared tasks")]
PlanParam = Annotated[str, Query(max_length=200, description="方案编号 / plan id (a plan's network)")]
JurisdictionParam = Annotated[
    str, Query(max_length=100, description="辖区（名称有歧义时）/ jurisdiction, for a name")
]


def _candidate_json(candidate: AgencyCandidate) -> dict[str, str]:
    return {
        "iri": str(candidate.iri),
        "label": candidate.label,
        "type_key": candidate.type_key,
        "jurisdiction_code": candidate.jurisdiction_code,
        "jurisdiction_name": candidate.jurisdiction_name,
    }


@router.get("/network/data", tags=_TAGS)
def network_data(
    store: StoreDep,
    agency: AgencyParam = "",
    hops: HopsParam = 1,
    plan: PlanParam = "",
    jurisdiction: JurisdictionParam = "",
) -> dict[str, Any]:
    """单位协作网络或方案分工网络的节点与连线 / The nodes and edges of an agency's ego network (`agency`,
    `hops`) or of a plan (`plan`): each edge with its role and the plan's words (as written, lines, task text).

    404 when the agency or plan is unknown (or the agency takes part in no task); 409 with `candidates` when a
    name fits several agencies; 400 when neither `agency` nor `plan` is given.
    """
    try:
        if agency.strip().startswith(iris.ID):  # an IRI: the view itself says if no such agency takes part
            return ego_view(store, agency.strip(), hops=hops).as_json()
        if agency.strip():
            centre = centre_agency(store, agency, jurisdiction=jurisdiction.strip() or None)
            return ego_view(store, str(centre.iri), hops=hops).as_json()
        if plan.strip():
            return plan_view(store, plan).as_json()
    except AmbiguousAgency as ambiguous:
        raise HTTPException(
            409,
            detail={
                "message": str(ambiguous),
                "candidates": [_candidate_json(c) for c in ambiguous.candidates],
            },
        ) from None
    except (AgencyNotFound, PlanNotFound, NotInNetwork) as missing:
        raise HTTPException(404, detail=str(missing)) from None
    raise HTTPException(400, detail="give agency= (IRI or name) or plan= (plan id)")


@router.get("/network/why", tags=_TAGS)
def network_why(
    store: StoreDep,
    agency: Annotated[str, Query(max_length=300, description="单位 IRI / agency IRI")],
    task: Annotated[str, Query(max_length=300, description="任务 IRI / task IRI")],
) -> dict[str, Any]:
    """推理依据 / Why an agency is involved in a task: the chain of plan statements and rules (`kg.explain`),
    for an inferred edge of the view."""
    if not (agency.startswith(iris.ID) and task.startswith(iris.ID)):
        raise HTTPException(400, detail=f"agency and task must be IRIs under {iris.ID}")
    try:
        why = explain(store, task=URIRef(task), agency=URIRef(agency))
    except NotInvolved as missing:
        raise HTTPException(404, detail=str(missing)) from None
    except DutygraphError as problem:
        raise HTTPException(404, detail=str(problem)) from None
    return {"agency": agency, "task": task, "direct": why.direct, "text": why.text()}


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network_page(
    request: Request,
    store: StoreDep,
    agency: AgencyParam = "",
    hops: HopsParam = 1,
    plan: PlanParam = "",
    jurisdiction: JurisdictionParam = "",
) -> HTMLResponse:
    """The page: the chosen network drawn from `/network/data`, or a form to choose one."""
    title = "协作网络 / Network"
    data_url: str | None = None
    error: str | None = None
    candidates: tuple[AgencyCandidate, ...] = ()
    status = 200
    try:
        if agency.strip():
            centre = centre_agency(store, agency, jurisdiction=jurisdiction.strip() or None)
            title = f"{centre.label} 的协作网络（{hops} 步）"
            data_url = "/network/data?" + urlencode({"agency": str(centre.iri), "hops": hops})
        elif plan.strip():
            chosen = resolve_plan(store, plan)
            title = f"{chosen.title} 的分工网络"
            data_url = "/network/data?" + urlencode({"plan": chosen.plan_id})
    except AmbiguousAgency as ambiguous:
        error = f"“{agency}”可能指以下 {len(ambiguous.candidates)} 个单位，请选择 / several agencies fit:"
        candidates = ambiguous.candidates
    except (AgencyNotFound, PlanNotFound) as missing:
        error, status = str(missing), 404
    return templates.TemplateResponse(
        request,
        "network.html",
        {
            "title": title,
            "data_url": data_url,
            "error": error,
            "candidates": candidates,
            "plans": plan_choices(store),
            "agency": agency,
            "hops": hops,
            "max_hops": MAX_HOPS,
            "plan": plan,
            "roles": ROLE_STYLES,
        },
        status_code=status,
    )
