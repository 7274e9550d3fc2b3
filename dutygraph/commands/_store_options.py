"""Options every command that opens the store shares, and the Settings they override."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from dutygraph.errors import DutygraphError
from dutygraph.settings import Settings, get_settings

if TYPE_CHECKING:
    from dutygraph.kg.stores import GraphStore


def add_store_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="store directory (default: $DUTYGRAPH_STORE or .dutygraph/store)",
    )
    command.add_argument(
        "--backend",
        choices=("memory", "oxigraph", "sparql"),
        help="store backend (default: $DUTYGRAPH_BACKEND or oxigraph)",
    )
    command.add_argument(
        "--endpoint",
        metavar="URL",
        help="base URL of the SPARQL server for --backend sparql (default: $DUTYGRAPH_ENDPOINT)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the options given."""
    return get_settings(
        store=getattr(args, "store", None),
        backend=getattr(args, "backend", None),
        endpoint=getattr(args, "endpoint", None),
    )


def require_store(settings: Settings) -> None:
    """Reading commands do not create an empty store where the user mistyped a path."""
    if settings.backend == "oxigraph" and not settings.store.exists():
        raise DutygraphError(f"{settings.store}: no store here; run `dutygraph build` first or pass --store")


def open_configured_store(settings: Settings, *, write: bool = False) -> GraphStore:
    """The store the settings name: read-only unless the command writes (an oxigraph store a reader opens must
    exist already); the endpoint reaches the `sparql` backend."""
    from dutygraph.kg.stores import open_store

    if not write:
        require_store(settings)
    read_only = not write and settings.backend == "oxigraph"
    return open_store(settings.backend, path=settings.store, read_only=read_only, endpoint=settings.endpoint)
