"""Find the agency a user means, from any way the bureau is written.

A user types 市场监管局, 市市场监督管理局, 乐清市市场监管局 or the pre-2018 食药监局. The name is read like a name in a
plan — an optional place (乐清市, 椒江) or level word (市, 区, 县), then the bureau (matched against the agency-type
scheme) — and compared with the agencies the store holds: their full names, the wordings plans used for them, and
their type and jurisdiction. One agency is an answer; several are returned as candidates for the user to choose
from (`AmbiguousAgency`), never guessed between.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef

from dutygraph.errors import DutygraphError
from dutygraph.kg.stores import GraphStore
from dutygraph.loaders.jurisdictions import division_table
from dutygraph.loaders.punctuation import normalise, strip_brackets
from dutygraph.loaders.records import Jurisdiction
from dutygraph.ontology import agency_type_labels

_AGENCIES = """
PREFIX dg: <https://w3id.org/dutygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?agency ?label ?key ?code ?written
WHERE {
  VALUES ?class { dg:Agency dg:AgencyGroup }  # first: the engine then starts from the typed nodes
  ?agency a ?class ; skos:prefLabel ?label ; dg:agencyType ?type ; dg:jurisdiction ?place .
  ?type dg:typeKey ?key .
  ?place dg:adminCode ?code .
  FILTER NOT EXISTS { ?narrower skos:broader ?type }  # the agency's own type, not a grouping above it
  OPTIONAL { ?agency skos:altLabel ?written }
}
"""


@dataclass(frozen=True)
class AgencyCandidate:
    iri: URIRef
    label: str
    type_key: str
    jurisdiction_code: str
    written_forms: tuple[str, ...] = ()

    @property
    def jurisdiction_name(self) -> str:
        table = division_table()
        return table.full_name(table.by_code(self.jurisdiction_code))


class AgencyNotFound(DutygraphError):
    """No agency in the store goes by the name."""


class AmbiguousAgency(DutygraphError):
    """Several agencies go by the name: the user chooses (--jurisdiction), dutygraph does not guess."""

    def __init__(self, name: str, candidates: tuple[AgencyCandidate, ...]) -> None:
        self.name = name
        self.candidates = candidates
        listed = "; ".join(f"{c.label} ({c.jurisdiction_code})" for c in candidates)
        super().__init__(
            f"{name!r} may mean {len(candidates)} agencies: {listed}; say which with --jurisdiction"
        )


def all_agencies(store: GraphStore) -> tuple[AgencyCandidate, ...]:
    """Every agency and group the store holds (asserted or implied), with the wordings plans used for it."""
    result = store.query(_AGENCIES)
    rows: dict[URIRef, tuple[str, str, str, set[str]]] = {}
    for agency, label, key, code, written in result.rows:
        if not isinstance(agency, URIRef):
            continue
        entry = rows.setdefault(agency, (str(label), str(key), str(code), set()))
        if isinstance(written, Literal):
            entry[3].add(str(written))
    found = [
        AgencyCandidate(iri, label, key, code, tuple(sorted(forms)))
        for iri, (label, key, code, forms) in rows.items()
    ]
    return tuple(sorted(found, key=lambda c: (c.jurisdiction_code, c.type_key, str(c.iri))))


def _type_of(bureau: str) -> str | None:
    for label, key in agency_type_labels():
        if bureau == label or (len(label) >= 2 and bureau.endswith(label)):
            return key
    return None


# What a leading level word says of the place: 市市场监管局 is a city's bureau, 区农水局 a district's.
_LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "省": ("province",),
    "市": ("prefecture-city", "county-level-city", "municipality"),
    "区": ("district",),
    "县": ("county",),
}


def _place_and_type(name: str) -> tuple[tuple[Jurisdiction, ...], tuple[str, ...], str | None]:
    """The places a name may open with (none: any), the levels its level word allows, the type it names."""
    table = division_table()
    for cut in range(min(len(name) - 1, 12), 1, -1):
        head, rest = name[:cut], name[cut:]
        places = table.lookup(head)
        key = _type_of(rest)
        if places and key is not None:
            return places, (), key
    if name[:1] in _LEVEL_WORDS and (key := _type_of(name[1:])) is not None:
        return (), _LEVEL_WORDS[name[:1]], key
    return (), (), _type_of(name)


def jurisdiction_named(name: str) -> tuple[Jurisdiction, ...]:
    """Jurisdictions a user's place name may mean (乐清, 乐清市, 温州市乐清市).

    >>> [j.code for j in jurisdiction_named("乐清")]
    ['330382']
    """
    return division_table().lookup(normalise(name).replace(" ", ""))


def _within(candidate: AgencyCandidate, places: tuple[Jurisdiction, ...], *, include_sub: bool) -> bool:
    codes = {p.code for p in places}
    if candidate.jurisdiction_code in codes:
        return True
    if not include_sub:
        return False
    table = division_table()
    return any(p.code in codes for p in table.parents(table.by_code(candidate.jurisdiction_code)))


def find_agencies(
    store: GraphStore, name: str, *, jurisdiction: str | None = None, include_sub: bool = False
) -> tuple[AgencyCandidate, ...]:
    """Agencies the name may mean: those written so in a plan (or so named in full), else those of the type
    (and place) the name reads as.

    With `jurisdiction`, only agencies of that place (and, with `include_sub`, of the places below it).

    :raises DutygraphError: `jurisdiction` names no known place.
    """
    agencies = all_agencies(store)
    if name.strip().startswith("https://"):
        return tuple(a for a in agencies if str(a.iri) == name.strip())
    written = strip_brackets(normalise(name).replace(" ", ""))
    places: tuple[Jurisdiction, ...] = ()
    if jurisdiction is not None:
        places = jurisdiction_named(jurisdiction)
        if not places:
            raise DutygraphError(f"no jurisdiction is called {jurisdiction!r}")

    def in_scope(candidate: AgencyCandidate) -> bool:
        return not places or _within(candidate, places, include_sub=include_sub)

    exact = tuple(a for a in agencies if in_scope(a) and (written == a.label or written in a.written_forms))
    if exact:
        return exact
    named_places, levels, key = _place_and_type(written)
    if key is None:
        return ()
    table = division_table()
    return tuple(
        a
        for a in agencies
        if a.type_key == key
        and in_scope(a)
        and (not named_places or _within(a, named_places, include_sub=include_sub))
        and (not levels or table.by_code(a.jurisdiction_code).level in levels)
    )


def resolve_agency(store: GraphStore, name: str, *, jurisdiction: str | None = None) -> AgencyCandidate:
    """The one agency the name means.

    :raises AgencyNotFound: no agency goes by the name.
    :raises AmbiguousAgency: several do; the error lists them.
    """
    found = find_agencies(store, name, jurisdiction=jurisdiction)
    if not found:
        raise AgencyNotFound(
            f"no agency in the store goes by {name!r}" + (f" in {jurisdiction}" if jurisdiction else "")
        )
    if len(found) > 1:
        raise AmbiguousAgency(name, found)
    return found[0]
