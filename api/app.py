"""The FastAPI application: settings and store opened once at start-up, routers assembled, static files local.

>>> from fastapi.testclient import TestClient
>>> from dutygraph.settings import get_settings
>>> app = create_app(get_settings(backend="memory"))
>>> with TestClient(app) as client:
...     client.get("/healthz").json()
{'status': 'ok', 'backend': 'memory', 'plans': 0}
"""

from __future__ import annotations

import importlib
import importlib.resources
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from dutygraph import __version__
from dutygraph.api.routes.pages import page_not_found
from dutygraph.errors import StoreError
from dutygraph.kg.answer_cache import AnswerCache
from dutygraph.kg.iris import is_plan_graph
from dutygraph.kg.page_data import PageNotFound
from dutygraph.kg.stores import GraphStore, open_store
from dutygraph.settings import Settings, get_settings

#: Routers, by module of `dutygraph.api.routes`; each module defines `router`.
ROUTERS = ("sparql", "staff", "resources", "pages", "console", "network_view")


def open_served_store(settings: Settings) -> GraphStore:
    """The store to serve: read-only (the server never writes); an oxigraph store must exist already."""
    if settings.backend == "oxigraph":
        if not Path(settings.store).exists():
            raise StoreError(f"{settings.store}: no store here; run `dutygraph build` first or pass --store")
        return open_store("oxigraph", path=settings.store, read_only=True)
    return open_store(settings.backend, path=settings.store, endpoint=settings.endpoint)


def create_app(settings: Settings | None = None, *, store: GraphStore | None = None) -> FastAPI:
    """The app for `settings` (default: from the environment). `store`, when given, is served instead of
    opening one (tests pass a memory store they built)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = store is None
        app.state.store = store if store is not None else open_served_store(settings)
        try:
            yield
        finally:
            if opened:
                app.state.store.close()

    app = FastAPI(
        title="dutygraph",
        version=__version__,
        description=(
            "食品安全工作方案中的单位、职责与任务图谱。 A knowledge graph of who does what in Chinese local "
            "food-safety work plans: a SPARQL endpoint, an API for staff, and pages."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.answers = AnswerCache()
    static = importlib.resources.files("dutygraph.api") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for name in ROUTERS:
        app.include_router(importlib.import_module(f"dutygraph.api.routes.{name}").router)
    # Pages raise PageNotFound; one handler turns it into the 404 page, whichever page it was.
    app.add_exception_handler(PageNotFound, page_not_found)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, object]:
        served: GraphStore = app.state.store
        plans = sum(1 for g in served.graph_names() if is_plan_graph(g))
        return {"status": "ok", "backend": settings.backend, "plans": plans}

    return app
