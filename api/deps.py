"""What routes share, as FastAPI dependencies: the settings and the open store (tests override them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from dutygraph.kg.answer_cache import AnswerCache
from dutygraph.kg.stores import GraphStore
from dutygraph.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> GraphStore:
    """The store the app opened at start-up (read-only for oxigraph: the server never writes)."""
    store: GraphStore = request.app.state.store
    return store


def get_answers(request: Request) -> AnswerCache:
    """Answers remembered per published snapshot (pages and API answers the server has computed)."""
    answers: AnswerCache = request.app.state.answers
    return answers


SettingsDep = Annotated[Settings, Depends(get_settings)]
AnswersDep = Annotated[AnswerCache, Depends(get_answers)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
