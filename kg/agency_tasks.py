"""The question policy staff ask most: which tasks involve this bureau, due when, leading or assisting?

Answers come from the `agency-tasks` query of the library, for one agency or for several (the bureaus of one type
in a jurisdiction and the jurisdictions below it). Inferred rows carry the reason reasoning gives for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from rdflib import URIRef

from dutygraph.kg.agency_search import AgencyCandidate
from dutygraph.kg.query_library import run_named
from dutygraph.kg.stores import GraphStore
from dutygraph.ontology.namespace import DG

RoleName = TypingLiteral["lead", "assist", "responsible"]
_ROLE_NAMES: dict[URIRef, RoleName] = {
    DG.LeadRole: "lead",
    DG.AssistRole: "assist",
    DG.ResponsibleRole: "responsible",
}


@dataclass(frozen=True)
class AgencyTask:
    agency: URIRef
    agency_label: str
    task: URIRef
    task_key: str
    title: str
    role: str  # lead | assist | responsible | involved (an inferred involvement with no role)
    plan: URIRef
    source: str  # asserted | inferred
    deadlines: str
    dates: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "agency": str(self.agency),
            "agency_label": self.agency_label,
            "task": str(self.task),
            "task_key": self.task_key,
            "title": self.title,
            "role": self.role,
            "plan": str(self.plan),
            "source": self.source,
            "deadlines": self.deadlines,
            "dates": list(self.dates),
        }


def tasks_of(
    store: GraphStore,
    agencies: Sequence[AgencyCandidate],
    *,
    role: RoleName | None = None,
    asserted_only: bool = False,
) -> list[AgencyTask]:
    """Tasks of the agencies, sorted by first due date (undated last), then task key.

    >>> from dutygraph.kg.build import build
    >>> from dutygraph.kg.stores import open_store
    >>> from dutygraph.kg.agency_search import resolve_agency
    >>> with open_store("memory") as store:
    ...     _ = build(store, [])
    ...     bureau = resolve_agency(store, "区农水局")
    ...     rows = tasks_of(store, [bureau], role="lead")
    >>> [(r.task_key, r.role) for r in rows][:2]
    [('jiaojiang-2020-10', 'lead'), ('jiaojiang-2020-52', 'lead')]
    """
    found: list[AgencyTask] = []
    for agency in agencies:
        result = run_named(store, "agency-tasks", bindings={"agency": agency.iri}, inferred=not asserted_only)
        for row in result.rows:
            values = dict(zip(result.variables, row, strict=True))
            role_term = values.get("role")
            role_name = (
                _ROLE_NAMES.get(role_term, "involved") if isinstance(role_term, URIRef) else "involved"
            )
            if role is not None and role_name != role:
                continue
            dates = tuple(d for d in str(values.get("dates") or "").split() if d)
            found.append(
                AgencyTask(
                    agency=agency.iri,
                    agency_label=agency.label,
                    task=URIRef(str(values["task"])),
                    task_key=str(values["taskKey"]),
                    title=str(values.get("title") or ""),
                    role=role_name,
                    plan=URIRef(str(values["plan"])),
                    source=str(values["source"]),
                    deadlines=str(values.get("deadlines") or ""),
                    dates=dates,
                )
            )
    found.sort(key=lambda r: (min(r.dates) if r.dates else "9999", r.task_key, r.role))
    return found
