"""What a store holds, in numbers (`dutygraph stats`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rdflib import Literal

from dutygraph.kg.iris import is_plan_graph
from dutygraph.kg.query_library import run_named
from dutygraph.kg.stores import GraphStore


@dataclass(frozen=True)
class StoreStats:
    triples: int  # quads in all named graphs (plans, ontology, inferred)
    plans: int
    tasks: int
    agencies: int
    groups: int
    jurisdictions: int
    deadlines: int
    indicators: int
    duties: int
    graphs: int
    plan_triples: int  # quads in the plan graphs alone: what the plans assert

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def store_stats(store: GraphStore) -> StoreStats:
    """Counts of the store's content.

    >>> from dutygraph.kg.stores import open_store
    >>> with open_store("memory") as store:
    ...     store_stats(store).triples
    0
    """
    result = run_named(store, "stats")
    row = result.rows[0] if result.rows else ()
    counts = {
        name: int(value.toPython()) if isinstance(value, Literal) else 0
        for name, value in zip(result.variables, row, strict=False)
    }
    names = store.graph_names()
    return StoreStats(
        triples=store.count(),
        plans=counts.get("plans", 0),
        tasks=counts.get("tasks", 0),
        agencies=counts.get("agencies", 0),
        groups=counts.get("groups", 0),
        jurisdictions=counts.get("jurisdictions", 0),
        deadlines=counts.get("deadlines", 0),
        indicators=counts.get("indicators", 0),
        duties=counts.get("duties", 0),
        graphs=len(names),
        plan_triples=sum(store.count(graph=g) for g in names if is_plan_graph(g)),
    )
