"""Answers kept while the data they came from is unchanged: a published snapshot never changes, so what was
computed from it stays right until the store moves to the next one.

The key is the store's `GraphStore.version()` with the question; a store that cannot name its version (a
remote SPARQL server, a writer) is never cached. Least recently used answers go first.

>>> from dutygraph.kg.stores import open_store
>>> store = open_store("memory")
>>> cache = AnswerCache(size=2)
>>> cache.get(store, ("count",), store.count), cache.get(store, ("count",), lambda: -1)
(0, 0)
>>> from rdflib import Graph, Literal, URIRef
>>> plan = Graph().add((URIRef("urn:x:a"), URIRef("urn:x:p"), Literal("x")))
>>> store.replace_graphs({URIRef("urn:x:plan"): plan})  # a new version: the old answer is not used
>>> cache.get(store, ("count",), store.count)
1
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from dutygraph.kg.stores import GraphStore

Answer = TypeVar("Answer")


class AnswerCache:
    """An LRU map from (store version, question) to answer, safe to share between request threads."""

    def __init__(self, *, size: int = 1024) -> None:
        if size < 1:
            raise ValueError(f"an answer cache needs room for one answer at least, not {size}")
        self._size = size
        self._answers: OrderedDict[tuple[str, Hashable], object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: GraphStore, question: Hashable, compute: Callable[[], Answer]) -> Answer:
        """The answer to `question` on `store` as it is now: remembered, or `compute()`d and remembered.

        An exception from `compute` reaches the caller and nothing is remembered.
        """
        version = store.version()
        if version is None:
            return compute()
        key = (version, question)
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]  # type: ignore[return-value]  # stored by this method, from compute
        answer = compute()  # outside the lock: two threads may both compute a new answer, never block
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return answer

    def __len__(self) -> int:
        return len(self._answers)
