"""IRIs dereference: https://w3id.org/dutygraph/id/X arrives here as ``/id/X`` and answers by content negotiation.

- ``Accept: text/turtle``, ``application/n-triples`` or ``application/ld+json`` (or ``application/json``): the
  entity's triples, asserted and inferred (`dutygraph.kg.describe.describe`);
- ``Accept: text/html`` (a browser): 303 See Other to the entity's page (``/agency/…``, ``/group/…``,
  ``/plan/…``, ``/plan/…/task/…``); an entity without a page (a jurisdiction) gets its triples instead;
- no ``Accept`` or ``*/*``: Turtle. An IRI the store knows nothing about: 404. Every answer varies by Accept.

>>> from fastapi.testclient import TestClient
>>> from dutygraph.api.app import create_app
>>> from dutygraph.kg.plan_views import _example_store
>>> from dutygraph.settings import get_settings
>>> with TestClient(create_app(get_settings(backend="memory"), store=_example_store())) as client:
...     answer = client.get("/id/agency/331002/market-regulation", headers={"Accept": "text/html"},
...                         follow_redirects=False)
>>> answer.status_code, answer.headers["location"]
(303, '/agency/331002/market-regulation')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse, RedirectResponse

from dutygraph.api.deps import StoreDep
from dutygraph.api.schemas import Problem
from dutygraph.kg.describe import EntityNotFound, RdfMediaType, describe, entity_iri, page_path, serialized

RESOURCES = "资源 resources"

router = APIRouter()

_HTML = "text/html"
#: What may be asked for, in the order ties are broken (Turtle for ``*/*``), and what is sent for each.
_OFFERS: dict[str, RdfMediaType | None] = {
    "text/turtle": "text/turtle",
    "application/ld+json": "application/ld+json",
    "application/n-triples": "application/n-triples",
    "application/json": "application/ld+json",  # plain JSON clients get JSON-LD, which is JSON
    _HTML: None,
}
_VARY = {"Vary": "Accept"}


def _media_ranges(accept: str) -> list[tuple[str, str, float]]:
    """The media ranges of an Accept header: (type, subtype, q), malformed parts skipped."""
    ranges: list[tuple[str, str, float]] = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if media.count("/") != 1:
            continue
        kind, subtype = (word.lower() for word in media.split("/"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((kind, subtype, quality))
    return ranges


def negotiated(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers (RFC 9110 §12.5.1: the most specific matching range gives its quality;
    ties go to the earlier offer); None if the client accepts none. No header accepts anything.

    >>> browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    >>> negotiated(browser, ["text/turtle", "text/html"]), negotiated("*/*", ["text/turtle", "text/html"])
    ('text/html', 'text/turtle')
    >>> negotiated("image/png", ["text/turtle"]) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = _media_ranges(accept)
    best, best_quality = None, 0.0
    for offer in offers:
        kind, subtype = offer.split("/")
        matches = [
            (3 if (k, s) == (kind, subtype) else 2 if (k, s) == (kind, "*") else 1, q)
            for k, s, q in ranges
            if (k, s) in ((kind, subtype), (kind, "*"), ("*", "*"))
        ]
        quality = max(matches)[1] if matches else 0.0
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


@router.get(
    "/id/{path:path}",
    tags=[RESOURCES],
    summary="解析 IRI：RDF 或跳转到页面 / Dereference an IRI: its triples, or 303 to its page",
    response_class=Response,
    responses={
        200: {
            "description": "实体的三元组（含推理） / the entity's triples, asserted and inferred",
            "content": {"text/turtle": {}, "application/n-triples": {}, "application/ld+json": {}},
        },
        303: {"description": "浏览器跳转到页面 / a browser is sent to the entity's page"},
        404: {"model": Problem, "description": "未知实体 / the store knows nothing about this IRI"},
        406: {"model": Problem, "description": "无可接受的格式 / no acceptable format"},
    },
)
def dereference(
    store: StoreDep,
    path: str,
    accept: Annotated[
        str | None, Header(description="text/turtle, application/ld+json, text/html, …")
    ] = None,
) -> Response:
    """https://w3id.org/dutygraph/id/{path}, e.g. agency/331002/market-regulation or
    plan/jiaojiang-2020-reform-tasks/task/18b: Turtle, N-Triples or JSON-LD by Accept; browsers go to the
    page (303 See Other)."""
    try:
        entity = entity_iri(path)
        description = describe(store, entity)
    except EntityNotFound as error:
        return JSONResponse({"detail": str(error)}, status_code=404, headers=_VARY)
    page = page_path(entity)
    offers = [offer for offer in _OFFERS if offer != _HTML or page is not None]
    chosen = negotiated(accept, offers)
    if chosen is None:
        listed = ", ".join(offers)
        return JSONResponse(
            {"detail": f"not available as {accept}; ask for {listed}"}, status_code=406, headers=_VARY
        )
    media_type = _OFFERS[chosen]
    if media_type is None:  # text/html, offered only when there is a page
        return RedirectResponse(page or "/", status_code=303, headers=_VARY)
    return Response(serialized(description, media_type=media_type), media_type=media_type, headers=_VARY)
