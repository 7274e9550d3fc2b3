"""Options every command that opens the store shares, and the Settings they override."""

from __future__ import annotations

import argparse
from pathlib import Path

from dutygraph.errors import DutygraphError
from dutygraph.settings import Settings, get_settings


def add_store_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="store directory (default: $DUTYGRAPH_STORE or .dutygraph/store)",
    )
    command.add_argument(
        "--backend",
        choices=("memory", "oxigraph"),
        help="store backend (default: $DUTYGRAPH_BACKEND or oxigraph)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the options given."""
    return get_settings(store=getattr(args, "store", None), backend=getattr(args, "backend", None))


def require_store(settings: Settings) -> None:
    """Reading commands do not create an empty store where the user mistyped a path."""
    if settings.backend == "oxigraph" and not settings.store.exists():
        raise DutygraphError(f"{settings.store}: no store here; run `dutygraph build` first or pass --store")
