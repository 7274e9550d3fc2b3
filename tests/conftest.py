"""Fixtures shared across test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dutygraph.kg.build import build
from dutygraph.kg.stores import GraphStore, open_store


@pytest.fixture(scope="session")
def seed_store() -> Iterator[GraphStore]:
    """A memory store holding the five bundled plans, the ontology and what reasoning infers — as `dutygraph
    build` leaves it. Shared by the whole session: tests must not write to it."""
    with open_store("memory") as store:
        build(store, [])
        yield store
