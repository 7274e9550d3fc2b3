"""What the network view (`/network`) draws: an agency's ego network or a plan's network, as nodes and edges.

The graph comes from `dutygraph.kg.network` (the bipartite agency–task graph); this module cuts out the part
asked for (`ego_view`: the agencies and tasks within some hops of one agency; `plan_view`: everything of one
plan) and turns it into plain records the page's script draws with vis-network:

- a node per agency, agency group and task, with its page (``/agency/331002/market-regulation``,
  ``/plan/jiaojiang-2020-reform-tasks/task/07``), its colour family (the agency type, or the grouping concept
  above it such as ``law-enforcement``), its jurisdiction and plan (for the page's filters);
- an edge per agency and task, with the role (lead, assist, responsible, or ``involved-inferred`` for what only
  reasoning found), whether a plan asserts it, and the plan's own words: how the plan wrote the agency on that
  task (each ``dg:Assignment``'s ``dg:asWritten`` with its lines) and the task's sentence (``dg:text``);
- legends: the colour families present and the drawing style of each role (`ROLE_STYLES`).

`NetworkView.as_json` is what ``/network/data`` answers.

>>> from dutygraph.kg.build import build
>>> from dutygraph.kg.stores import open_store
>>> from dutygraph.loaders.bundled import bundled_plans
>>> with open_store("memory") as store:
...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("jiaojiang")])
...     view = ego_view(store, iris.agency_iri("331002", "market-regulation"), hops=1)
>>> view.title
'台州市椒江区市场监督管理局 的协作网络（1 步）'
>>> edge = next(e for e in view.edges if e.task_key == "jiaojiang-2020-07" and e.agency_label.endswith("农业农村局"))
>>> edge.role, edge.written[0].as_written, edge.written[0].where()
('assist', '区农水局', '第 53–58 行')
>>> edge.task_text[:34]
'完成“十三五”食品安全规划任务，食品抽检量达到4.5批次/千人以上。'
"""

from __future__ import annotations

import colorsys
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError
from dutygraph.kg import iris
from dutygraph.kg.agency_search import AgencyCandidate, AgencyNotFound, resolve_agency
from dutygraph.kg.network import ROLES, Role, agency_task_graph, ego_network, short_name
from dutygraph.kg.query_library import run_named
from dutygraph.kg.stores import GraphStore
from dutygraph.loaders.jurisdictions import division_table
from dutygraph.ontology import agency_type_names, load_ontology
from dutygraph.ontology.namespace import DG

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "LARGE_NETWORK",
    "MAX_HOPS",
    "ROLE_STYLES",
    "ColourFamily",
    "NetworkView",
    "PlanChoice",
    "PlanNotFound",
    "RoleStyle",
    "ViewEdge",
    "ViewNode",
    "WrittenRole",
    "centre_agency",
    "ego_view",
    "family_colour",
    "family_of",
    "page_path",
    "plan_choices",
    "plan_view",
    "resolve_plan",
    "view_of_graph",
]

#: Above this many nodes the page lets the layout settle briefly, then stops it (and draws straight edges):
#: a few thousand nodes stay usable.
LARGE_NETWORK = 400
#: The widest ego network offered: at three hops an agency of a busy plan already reaches the whole plan.
MAX_HOPS = 3


@dataclass(frozen=True)
class RoleStyle:
    """How the view draws an edge of one role: a solid thick line for lead, thin for assist, dashed for shared
    responsibility, dotted grey for what only reasoning found."""

    role: Role
    label_zh: str
    label_en: str
    colour: str
    width: float
    dashes: tuple[int, ...]  # empty: a solid line (vis-network's `dashes` array)


ROLE_STYLES: tuple[RoleStyle, ...] = (
    RoleStyle("lead", "牵头", "lead", "#b03a2e", 4.0, ()),
    RoleStyle("assist", "配合", "assist", "#34495e", 1.5, ()),
    RoleStyle("responsible", "共同负责", "responsible", "#1f6fb2", 2.0, (10, 6)),
    RoleStyle("involved-inferred", "推理得出", "inferred", "#9a9a9a", 1.5, (2, 5)),
)


class PlanNotFound(DutygraphError):
    """No plan of the store has the id (or begins with it), or several begin with it."""


@dataclass(frozen=True)
class PlanChoice:
    """A plan the view can show: its id (as in ``/plan/{plan_id}``), IRI and title."""

    plan_id: str
    iri: URIRef
    title: str


@dataclass(frozen=True)
class ColourFamily:
    """One colour of the legend: an agency type, or the grouping concept several types share."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class WrittenRole:
    """One ``dg:Assignment`` of a plan: the role, the agency as the plan wrote it, and where.

    >>> WrittenRole("assist", "区农水局", 53, 58).where()
    '第 53–58 行'
    """

    role: str
    as_written: str
    line_start: int | None = None
    line_end: int | None = None

    def where(self) -> str:
        """The plan lines, in Chinese (empty when unknown)."""
        if self.line_start is None:
            return ""
        if self.line_end is None or self.line_end == self.line_start:
            return f"第 {self.line_start} 行"
        return f"第 {self.line_start}–{self.line_end} 行"


@dataclass(frozen=True)
class ViewNode:
    """An agency, agency group or task as the view draws it. `url` is its page; `centre` marks the agency an
    ego network is drawn around."""

    id: str
    kind: str  # agency | group | task
    label: str
    title: str
    url: str | None
    family: str | None = None
    type_key: str | None = None
    jurisdiction: str | None = None
    plan: str | None = None
    centre: bool = False


@dataclass(frozen=True)
class ViewEdge:
    """One agency's part in one task, with the plan's words that make it.

    `role` is the strongest role the plans give (`kg.network.graph_from_edges`); `written` every assignment
    the plan writes for the pair (a pair can be lead in one line and assist in another); `task_text` the
    task's sentence. An inferred edge (`asserted` False) has no written assignment.
    """

    id: str
    source: str
    target: str
    role: Role
    asserted: bool
    plan: str | None
    agency_label: str
    task_key: str
    task_title: str
    task_text: str
    lines: tuple[int, int] | None = None
    written: tuple[WrittenRole, ...] = ()


@dataclass(frozen=True)
class NetworkView:
    """Everything the page draws; `plans` and `jurisdictions` are the choices of its filters."""

    title: str
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    families: tuple[ColourFamily, ...]
    plans: tuple[PlanChoice, ...]
    jurisdictions: tuple[tuple[str, str], ...]  # (code, name)
    centre: str | None = None
    hops: int | None = None
    plan: str | None = None
    roles: tuple[RoleStyle, ...] = field(default=ROLE_STYLES)

    @property
    def large(self) -> bool:
        return len(self.nodes) > LARGE_NETWORK

    def as_json(self) -> dict[str, Any]:
        """The JSON of ``/network/data``: vis-network's ``from``/``to`` for edges, plain values elsewhere."""
        return {
            "title": self.title,
            "centre": self.centre,
            "hops": self.hops,
            "plan": self.plan,
            "large": self.large,
            "nodes": [_node_json(node) for node in self.nodes],
            "edges": [_edge_json(edge) for edge in self.edges],
            "legend": {
                "families": [vars(family) for family in self.families],
                "roles": [_style_json(style) for style in self.roles],
            },
            "filters": {
                "plans": [{"id": p.plan_id, "title": p.title} for p in self.plans],
                "jurisdictions": [{"code": code, "name": name} for code, name in self.jurisdictions],
                "roles": [style.role for style in self.roles],
            },
        }


def _node_json(node: ViewNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "kind": node.kind,
        "label": node.label,
        "title": node.title,
        "url": node.url,
        "family": node.family,
        "type_key": node.type_key,
        "jurisdiction": node.jurisdiction,
        "plan": node.plan,
        "centre": node.centre,
    }


def _edge_json(edge: ViewEdge) -> dict[str, Any]:
    return {
        "id": edge.id,
        "from": edge.source,
        "to": edge.target,
        "role": edge.role,
        "asserted": edge.asserted,
        "inferred": not edge.asserted,
        "plan": edge.plan,
        "agency_label": edge.agency_label,
        "task_key": edge.task_key,
        "task_title": edge.task_title,
        "task_text": edge.task_text,
        "lines": list(edge.lines) if edge.lines else None,
        "written": [
            {
                "role": w.role,
                "as_written": w.as_written,
                "line_start": w.line_start,
                "line_end": w.line_end,
                "where": w.where(),
            }
            for w in edge.written
        ],
    }


def _style_json(style: RoleStyle) -> dict[str, Any]:
    return {
        "role": style.role,
        "label_zh": style.label_zh,
        "label_en": style.label_en,
        "colour": style.colour,
        "width": style.width,
        "dashes": list(style.dashes),
    }


# --- pages, plans, colours --------------------------------------------------------------------------------


def page_path(iri: str) -> str | None:
    """The page of an agency, group, task or plan: its IRI's path under ``/id/``, served at the root.

    >>> page_path("https://w3id.org/dutygraph/id/agency/331002/market-regulation")
    '/agency/331002/market-regulation'
    >>> page_path("https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/task/18b")
    '/plan/jiaojiang-2020-reform-tasks/task/18b'
    >>> page_path("https://example.org/x") is None
    True
    """
    text = str(iri)
    return "/" + text.removeprefix(iris.ID) if text.startswith(iris.ID) else None


def _plan_id(plan: str | None) -> str | None:
    """The id of a plan IRI (its last segment, as the page URLs write it)."""
    if plan is None:
        return None
    return str(plan).removeprefix(iris.ID + "plan/").split("/", 1)[0]


def plan_choices(store: GraphStore) -> tuple[PlanChoice, ...]:
    """Every plan of the store, by id, with its title (named query ``plans``).

    :raises StoreError: the store cannot be read.
    """
    result = run_named(store, "plans")
    choices: dict[str, PlanChoice] = {}
    for row in result.rows:
        values = dict(zip(result.variables, row, strict=True))
        plan = values["plan"]
        plan_id = _plan_id(str(plan))
        if isinstance(plan, URIRef) and plan_id:
            title = values.get("title")
            choices[plan_id] = PlanChoice(plan_id, plan, str(title) if title is not None else plan_id)
    return tuple(choices[key] for key in sorted(choices))


def resolve_plan(store: GraphStore, text: str) -> PlanChoice:
    """The plan whose id is `text`, or the only one whose id begins with it (``wenzhou``).

    :raises PlanNotFound: none or several (the message lists the ids).
    :raises StoreError: the store cannot be read.
    """
    choices = plan_choices(store)
    wanted = unquote(text.strip())
    found = [c for c in choices if c.plan_id == wanted]
    if not found and wanted:
        found = [c for c in choices if c.plan_id.startswith(wanted)]
    if len(found) == 1:
        return found[0]
    known = ", ".join(c.plan_id for c in (found or choices)) or "none"
    what = "several plans begin with" if found else "no plan has the id"
    raise PlanNotFound(f"{what} {wanted!r} (plans: {known})")


_AGENCY = """PREFIX dg: <https://w3id.org/dutygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT $agency ?label ?key ?code
WHERE {
  $agency a ?class ; skos:prefLabel ?label .
  VALUES ?class { dg:Agency dg:AgencyGroup }
  OPTIONAL {
    $agency dg:agencyType ?type .
    ?type dg:typeKey ?key .
    FILTER NOT EXISTS { ?narrower skos:broader ?type }  # the agency's own type, not a grouping above it
  }
  OPTIONAL { $agency dg:jurisdiction/dg:adminCode ?code }
}"""


def centre_agency(store: GraphStore, agency: str, *, jurisdiction: str | None = None) -> AgencyCandidate:
    """The agency (or group) an ego network is drawn around: given by IRI, or by any written name.

    :raises AgencyNotFound: no agency has the IRI or goes by the name.
    :raises AmbiguousAgency: several go by the name (`kg.agency_search.resolve_agency`).
    :raises StoreError: the store cannot be read.
    """
    text = agency.strip()
    if not text.startswith(iris.ID):
        return resolve_agency(store, text, jurisdiction=jurisdiction)
    # One agency asked for by IRI: bind it rather than list every agency (`all_agencies`).
    for _, label, key, code in store.query(_AGENCY, bindings={"agency": URIRef(text)}).rows:
        if label is not None:
            return AgencyCandidate(URIRef(text), str(label), str(key or ""), str(code or ""))
    raise AgencyNotFound(f"no agency or agency group in the store is {text}")


@functools.cache
def _type_families() -> dict[str, str]:
    """Agency type key → the key of its grouping concept (``skos:broader``), or its own key."""
    ontology = load_ontology()
    keys: dict[URIRef, str] = {}
    for concept in ontology.subjects(RDF.type, DG.AgencyType):
        key_term = ontology.value(concept, DG.typeKey)
        if isinstance(concept, URIRef) and key_term is not None:
            keys[concept] = str(key_term)
    families: dict[str, str] = {}
    for concept, type_key in keys.items():
        broader = ontology.value(concept, SKOS.broader)
        families[type_key] = keys.get(broader, type_key) if isinstance(broader, URIRef) else type_key
    return families


def family_of(type_key: str | None) -> str:
    """The colour family of an agency type: the grouping concept above it, or the type itself.

    >>> family_of("public-security"), family_of("market-regulation"), family_of(None)
    ('law-enforcement', 'market-regulation', 'other')
    """
    if type_key is None:
        return "other"
    return _type_families().get(type_key, type_key)


@functools.cache
def _family_order() -> tuple[str, ...]:
    return tuple(sorted(set(_type_families().values())))


def family_colour(family: str) -> str:
    """A colour for each family, fixed by the ontology (the same in every view): hues spread by the golden
    angle, in three shades.

    >>> family_colour("market-regulation") == family_colour("market-regulation") != family_colour("health")
    True
    """
    order = _family_order()
    index = order.index(family) if family in order else len(order)
    hue = (index * 137.508) % 360 / 360
    lightness = (0.45, 0.6, 0.36)[index % 3]  # three shades, so families of close hue still differ
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.62)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def _family_label(family: str) -> str:
    return agency_type_names().get(family, family)


# --- the plan's words -------------------------------------------------------------------------------------

# Read together with the network: how each plan wrote an agency on a task, and each task's sentence. Two
# small queries over the plan graphs; the edges themselves come from the library's `network-edges`.
_WRITTEN_ROLES = """PREFIX dg: <https://w3id.org/dutygraph/ns#>
SELECT ?task ?agency ?roleTerm ?asWritten ?lineStart ?lineEnd
WHERE {
  ?task dg:qualifiedAssignment ?assignment .
  ?assignment dg:agent ?agency ; dg:role ?roleTerm .
  OPTIONAL { ?assignment dg:asWritten ?asWritten }
  OPTIONAL { ?assignment dg:lineStart ?lineStart ; dg:lineEnd ?lineEnd }
}"""
_TASK_TEXTS = """PREFIX dg: <https://w3id.org/dutygraph/ns#>
SELECT ?task ?text WHERE { ?task a dg:Task ; dg:text ?text }"""

_ROLE_OF_TERM: dict[Identifier, str] = {
    DG.LeadRole: "lead",
    DG.AssistRole: "assist",
    DG.ResponsibleRole: "responsible",
}


@dataclass(frozen=True)
class _PlanWords:
    written: Mapping[tuple[str, str], tuple[WrittenRole, ...]]  # (agency, task) → assignments
    task_texts: Mapping[str, str]


def _int(term: Identifier | None) -> int | None:
    return int(term) if isinstance(term, Literal) else None


def _plan_words(store: GraphStore, *, plans: Iterable[str] | None) -> _PlanWords:
    """The assignments and task sentences of the given plans (ids; None: every plan)."""
    graphs = None
    if plans is not None:
        names = store.graph_names()
        graphs = [g for g in (iris.plan_graph_iri(p) for p in sorted(set(plans))) if g in names]
        if not graphs:
            return _PlanWords({}, {})
    written: dict[tuple[str, str], list[WrittenRole]] = {}
    for task, agency, role_term, as_written, start, end in store.query(_WRITTEN_ROLES, graphs=graphs).rows:
        role = _ROLE_OF_TERM.get(role_term) if role_term is not None else None
        if role is None:
            continue
        written.setdefault((str(agency), str(task)), []).append(
            WrittenRole(role, str(as_written) if as_written is not None else "", _int(start), _int(end))
        )
    texts = {str(task): str(text) for task, text in store.query(_TASK_TEXTS, graphs=graphs).rows}
    ordered = {
        pair: tuple(sorted(set(found), key=lambda w: (w.line_start or 0, ROLES.index(w.role))))
        for pair, found in written.items()
    }
    return _PlanWords(ordered, texts)


# --- the views --------------------------------------------------------------------------------------------


def _jurisdiction_name(code: str) -> str:
    table = division_table()
    try:
        return table.full_name(table.by_code(code))
    except KeyError:
        return code


def view_of_graph(
    graph: nx.Graph,
    *,
    title: str,
    written: Mapping[tuple[str, str], tuple[WrittenRole, ...]] | None = None,
    task_texts: Mapping[str, str] | None = None,
    plans: Iterable[PlanChoice] = (),
    centre: str | None = None,
    hops: int | None = None,
    plan: str | None = None,
) -> NetworkView:
    """The view of a `kg.network` agency–task graph (or a part of it) as the page draws it.

    `written` and `task_texts` are the plan's words for the edges (see `ego_view`); `plans` names the plans
    in the filter. Nodes come agencies first (by name), then tasks (by key); edges by task, then agency.

    >>> import networkx as nx
    >>> graph = nx.Graph()
    >>> bureau, task = "https://w3id.org/dutygraph/id/agency/331002/agriculture", "https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/task/07"
    >>> graph.add_node(bureau, kind="agency", label="台州市椒江区农业农村局", type_key="agriculture", jurisdiction="331002", group=False)
    >>> graph.add_node(task, kind="task", key="jiaojiang-2020-07", title="加强和优化食品安全抽检工作。", plan="https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks")
    >>> graph.add_edge(bureau, task, role="assist", asserted=True, plan=None, lines=(53, 58))
    >>> view = view_of_graph(graph, title="椒江", written={(bureau, task): (WrittenRole("assist", "区农水局", 53, 58),)})
    >>> [node.url for node in view.nodes]
    ['/agency/331002/agriculture', '/plan/jiaojiang-2020-reform-tasks/task/07']
    >>> view.edges[0].role, view.edges[0].written[0].as_written, view.jurisdictions
    ('assist', '区农水局', (('331002', '台州市椒江区'),))
    """
    written = written or {}
    task_texts = task_texts or {}
    agencies: list[ViewNode] = []
    tasks: list[ViewNode] = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "task":
            key = str(data.get("key") or short_name(node))
            task_title = str(data.get("title") or "")
            tasks.append(
                ViewNode(
                    id=node,
                    kind="task",
                    label=key,
                    title=f"{key} {task_title}".strip(),
                    url=page_path(node),
                    plan=_plan_id(data.get("plan")),
                )
            )
        else:
            type_key = data.get("type_key")
            label = str(data.get("label") or short_name(node))
            agencies.append(
                ViewNode(
                    id=node,
                    kind="group" if data.get("group") else "agency",
                    label=label,
                    title=label,
                    url=page_path(node),
                    family=family_of(type_key),
                    type_key=type_key,
                    jurisdiction=data.get("jurisdiction"),
                    centre=node == centre,
                )
            )
    agencies.sort(key=lambda n: (not n.centre, n.label, n.id))
    tasks.sort(key=lambda n: (n.label, n.id))
    edges: list[ViewEdge] = []
    for first, second, data in graph.edges(data=True):
        agency, task = (first, second) if graph.nodes[second].get("kind") == "task" else (second, first)
        task_data = graph.nodes[task]
        edges.append(
            ViewEdge(
                id="",
                source=agency,
                target=task,
                role=data["role"],
                asserted=bool(data.get("asserted", True)),
                plan=_plan_id(data.get("plan") or task_data.get("plan")),
                agency_label=str(graph.nodes[agency].get("label") or short_name(agency)),
                task_key=str(task_data.get("key") or short_name(task)),
                task_title=str(task_data.get("title") or ""),
                task_text=task_texts.get(task, ""),
                lines=data.get("lines"),
                written=written.get((agency, task), ()),
            )
        )
    edges.sort(key=lambda e: (e.task_key, e.target, e.agency_label, e.source))
    numbered = tuple(replace(edge, id=f"e{index}") for index, edge in enumerate(edges, start=1))
    present = sorted({n.family for n in agencies if n.family}, key=lambda f: (_family_label(f), f))
    codes = sorted({n.jurisdiction for n in agencies if n.jurisdiction})
    plan_ids = {n.plan for n in tasks if n.plan}
    return NetworkView(
        title=title,
        nodes=(*agencies, *tasks),
        edges=numbered,
        families=tuple(ColourFamily(f, _family_label(f), family_colour(f)) for f in present),
        plans=tuple(p for p in plans if p.plan_id in plan_ids),
        jurisdictions=tuple((code, _jurisdiction_name(code)) for code in codes),
        centre=centre,
        hops=hops,
        plan=plan,
    )


def ego_view(store: GraphStore, agency: str, *, hops: int, inferred: bool = True) -> NetworkView:
    """The agencies within `hops` shared tasks of `agency` (an IRI), with the tasks joining them.

    :raises NotInNetwork: the agency takes part in no task.
    :raises DutygraphError: `hops` is not between 1 and `MAX_HOPS`.
    :raises StoreError: the store cannot be read.
    """
    if not 1 <= hops <= MAX_HOPS:
        raise DutygraphError(f"hops must be between 1 and {MAX_HOPS}, not {hops}")
    whole = agency_task_graph(store, inferred=inferred)
    ego = ego_network(whole, str(agency), hops=hops)
    plan_ids = {_plan_id(data.get("plan")) for _, data in ego.nodes(data=True) if data.get("kind") == "task"}
    words = _plan_words(store, plans=[p for p in plan_ids if p])
    label = str(whole.nodes[str(agency)].get("label") or short_name(str(agency)))
    return view_of_graph(
        ego,
        title=f"{label} 的协作网络（{hops} 步）",
        written=words.written,
        task_texts=words.task_texts,
        plans=plan_choices(store),
        centre=str(agency),
        hops=hops,
    )


def plan_view(store: GraphStore, plan_id: str, *, inferred: bool = True) -> NetworkView:
    """Every task of one plan (by id, or the only id beginning so) and every agency taking part in one.

    :raises PlanNotFound: no such plan, or several begin with the id.
    :raises StoreError: the store cannot be read.
    """
    plan = resolve_plan(store, plan_id)
    whole = agency_task_graph(store, inferred=inferred)
    on_plan = [n for n, data in whole.nodes(data=True) if data.get("plan") == str(plan.iri)]
    keep = set(on_plan).union(*(whole.neighbors(task) for task in on_plan))
    # Each plan names its own jurisdiction's bureaus, so an agency of this plan rarely has tasks elsewhere;
    # if it does, those tasks are left out (they are not in `keep`).
    sub = whole.subgraph(keep).copy()
    words = _plan_words(store, plans=[plan.plan_id])
    return view_of_graph(
        sub,
        title=f"{plan.title} 的分工网络",
        written=words.written,
        task_texts=words.task_texts,
        plans=(plan,),
        plan=plan.plan_id,
    )
