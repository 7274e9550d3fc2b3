"""Graph stores, chosen by name in this one place.

Each backend is named here with the module and class that implement it; the module is imported only
when that backend is opened, so only opening ``oxigraph`` loads pyoxigraph.

>>> BACKENDS
('memory', 'oxigraph', 'sparql')
>>> with open_store("memory") as store:
...     store.backend, store.count()
('memory', 0)
>>> open_store("fuseki")
Traceback (most recent call last):
dutygraph.errors.StoreError: unknown store backend 'fuseki'; known: memory, oxigraph, sparql
"""

from __future__ import annotations

import importlib
from pathlib import Path

from dutygraph.errors import StoreError
from dutygraph.kg.stores.base import GraphStore, QueryResult

__all__ = ["BACKENDS", "GraphStore", "QueryResult", "open_store"]

# name -> "module:Class"; a new backend is one line here plus its module.
_REGISTRY: dict[str, str] = {
    "memory": "dutygraph.kg.stores.memory:MemoryStore",
    "oxigraph": "dutygraph.kg.stores.oxigraph:OxigraphStore",
    "sparql": "dutygraph.kg.stores.sparql:SparqlStore",
}

#: The backend names `open_store` knows, in a stable order (Settings' `backend` choices).
BACKENDS: tuple[str, ...] = tuple(_REGISTRY)


def open_store(
    backend: str, *, path: Path | None = None, read_only: bool = False, endpoint: str | None = None
) -> GraphStore:
    """Open the store of backend `backend`; `path` is its directory (ignored by ``memory`` and ``sparql``).

    `endpoint` is the base URL of the server for ``sparql`` (default: the ``DUTYGRAPH_ENDPOINT`` setting);
    the other backends ignore it, so a caller can pass ``settings.endpoint`` whatever the backend.

    :raises StoreError: if `backend` is not a known name (the message lists the known ones), or the
        backend cannot open `path`.
    """
    target = _REGISTRY.get(backend)
    if target is None:
        raise StoreError(f"unknown store backend {backend!r}; known: {', '.join(BACKENDS)}")
    module_name, class_name = target.split(":")
    store_class = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(store_class, type) and issubclass(store_class, GraphStore)):
        raise StoreError(f"store backend {backend!r} names {target}, which is not a GraphStore")
    # Only the remote backend takes an endpoint; the others keep their two-option constructor.
    options = {"endpoint": endpoint} if endpoint is not None and backend == "sparql" else {}
    store: GraphStore = store_class(path=path, read_only=read_only, **options)
    return store
