"""What a loader reads from a plan: small frozen records, each carrying the plan lines it came from.

These are the hand-over between `loaders/` (text → records) and the two writers of records:
`loaders/to_json.py` (the `dutygraph extract` JSON) and `loaders/to_rdf.py` (triples in the plan's graph).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["lead", "assist", "responsible"]
DeadlineKind = Literal["by-date", "aspirational-by-date", "recurring", "per-directive", "long-term", "phase"]
BodyKind = Literal["leading-group", "committee", "office"]
Comparator = Literal[">=", "<=", "=", "reduce-by", "increase-by"]
JurisdictionLevel = Literal[
    "province", "municipality", "prefecture-city", "county", "county-level-city", "district", "township"
]


@dataclass(frozen=True)
class Lines:
    """A 1-based, inclusive line range of the plan file."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first < 1 or self.last < self.first:
            raise ValueError(f"bad line range {self.first}-{self.last}")

    def span(self, other: Lines) -> Lines:
        """The smallest range covering both.

        >>> Lines(3, 4).span(Lines(9, 9))
        Lines(first=3, last=9)
        """
        return Lines(min(self.first, other.first), max(self.last, other.last))


@dataclass(frozen=True)
class Jurisdiction:
    """An administrative division, identified by its GB/T 2260 code."""

    code: str
    name: str
    level: JurisdictionLevel
    parent_code: str | None = None


@dataclass(frozen=True)
class Agency:
    """One bureau (or one group of units) as resolved from a name written in a plan."""

    canonical: str
    type_key: str
    jurisdiction: Jurisdiction
    group: bool = False
    member_type: str | None = (
        None  # for a group: the type of its member units (各县（市、区）食安办 → food-safety-office)
    )


@dataclass(frozen=True)
class AgencyRole:
    as_written: str
    agency: Agency
    role: Role


@dataclass(frozen=True)
class Deadline:
    as_written: str
    kind: DeadlineKind
    date: dt.date | None = None


@dataclass(frozen=True)
class Indicator:
    as_written: str
    metric: str
    comparator: Comparator
    value: float
    unit: str
    deadline: dt.date | None = None


@dataclass(frozen=True)
class ImpliedAgency:
    agency: Agency
    why: str


@dataclass(frozen=True)
class Task:
    key: str
    number: str | None
    section: str | None
    title: str
    text: str
    lines: Lines
    roles: tuple[AgencyRole, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    open_list: bool = False
    implied: tuple[ImpliedAgency, ...] = ()


@dataclass(frozen=True)
class DutyBlock:
    as_written: str
    agency: Agency
    duties: tuple[str, ...]
    lines: Lines


@dataclass(frozen=True)
class Body:
    name: str
    kind: BodyKind
    lines: Lines
    office: str | None = None
    office_hosted_by: Agency | None = None
    members: tuple[Agency, ...] = ()


@dataclass(frozen=True)
class Milestone:
    name: str
    start: dt.date | None
    end: dt.date | None
    text: str
    lines: Lines


@dataclass(frozen=True)
class PlanInfo:
    title: str | None
    jurisdiction: Jurisdiction
    parents: tuple[Jurisdiction, ...]
    year: int | None
    issued: dt.date | None = None
    doc_number: str | None = None


@dataclass(frozen=True)
class PlanReading:
    """Everything read from one plan file."""

    plan_id: str
    key_prefix: str  # task keys are "<key_prefix>-<number>"
    source_name: str
    sha256: str
    layout: str
    info: PlanInfo
    tasks: tuple[Task, ...]
    plan_indicators: tuple[Indicator, ...] = ()
    duties: tuple[DutyBlock, ...] = ()
    bodies: tuple[Body, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    notes: tuple[str, ...] = field(default=())
