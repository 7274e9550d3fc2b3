"""Who works with whom: the agency–task network of the plans, and what network analysis says about it.

Two graphs, both `networkx.Graph` with IRIs (plain strings) as nodes:

- the **agency–task graph** (bipartite): agencies and groups on one side, tasks on the other, an edge for each
  role a plan gives an agency on a task (`agency_task_graph`; edges read by the named query ``network-edges``);
- the **co-assignment graph**: agencies only, joined when they share a task, weighted by how many they share
  (`co_assignment_graph`).

On them: `centrality`, `communities`, `shortest_path` (a chain of agencies and the tasks joining them),
`ego_network` and `ego_summary` (what ``dutygraph network`` prints). Each plan names its own jurisdiction's
bureaus, so the plans form separate parts of the network unless one agency appears in several of them.

networkx is imported inside the functions: the CLI imports this module only when the command runs.

>>> bipartite = graph_from_edges(_sample_edges())
>>> co_graph = co_assignment_graph(bipartite)
>>> market, health = (str(iris.agency_iri("331002", key)) for key in ("market-regulation", "health"))
>>> co_graph.edges[market, health]["weight"], co_graph.edges[market, health]["tasks"]
(2, ('jiaojiang-2020-05', 'jiaojiang-2020-07'))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args
from typing import Literal as TypingLiteral

from rdflib import Literal
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError
from dutygraph.kg import iris
from dutygraph.kg.query_library import run_named
from dutygraph.kg.stores import GraphStore

if TYPE_CHECKING:
    import networkx as nx

#: An agency's part in a task: as a plan writes it, or inferred by reasoning (dg:involvedIn no plan asserts).
Role = TypingLiteral["lead", "assist", "responsible", "involved-inferred"]
ROLES: tuple[Role, ...] = get_args(Role)

#: `graph.graph["kind"]` of the two graphs this module builds.
AGENCY_TASK = "agency-task"
CO_ASSIGNMENT = "co-assignment"

# When one agency holds several roles on one task, the edge keeps the strongest.
_ROLE_STRENGTH: dict[str, int] = {role: rank for rank, role in enumerate(reversed(ROLES))}


class NotInNetwork(DutygraphError):
    """The agency takes part in no task of the network (or is not an agency at all)."""


class NotConnected(DutygraphError):
    """No chain of shared tasks joins two agencies."""


@dataclass(frozen=True)
class AgencyTaskEdge:
    """One agency's role on one task, as the query ``network-edges`` returns it.

    `lines` are the plan lines of the assignment (first, last); an inferred edge has none.
    """

    agency: str
    agency_label: str
    task: str
    task_key: str
    task_title: str
    role: Role
    asserted: bool = True
    plan: str | None = None
    lines: tuple[int, int] | None = None
    type_key: str | None = None
    jurisdiction: str | None = None
    group: bool = False


@dataclass(frozen=True)
class Centrality:
    """How central a node is: normalised degree and betweenness, both in [0, 1]."""

    degree: float
    betweenness: float


@dataclass(frozen=True)
class Partner:
    """An agency sharing tasks with another, and how many."""

    agency: str
    label: str
    shared_tasks: int


@dataclass(frozen=True)
class Community:
    """One community of `communities` (its position there, from 0) and its agencies, by IRI."""

    index: int
    agencies: tuple[str, ...]


@dataclass(frozen=True)
class EgoSummary:
    """An agency's neighbourhood within `hops` steps of shared tasks.

    `agencies` counts the other agencies within reach (the centre not included); `tasks` the tasks joining
    them; `partners` the agencies sharing most tasks with the centre itself; `communities` those the
    neighbourhood reaches into; `degree` and `betweenness` the centre's centrality in the co-assignment graph.
    """

    agency: str
    label: str
    hops: int
    agencies: int
    tasks: int
    partners: tuple[Partner, ...]
    communities: tuple[Community, ...]
    degree: float
    betweenness: float


def _text(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


def _edge_from_row(row: dict[str, Identifier | None]) -> AgencyTaskEdge:
    role = str(row["role"])
    if role not in ROLES:
        raise DutygraphError(f"query network-edges answered an unknown role {role!r}")
    start, end = row["lineStart"], row["lineEnd"]
    lines = (int(start), int(end)) if isinstance(start, Literal) and isinstance(end, Literal) else None
    asserted, group = row["asserted"], row["isGroup"]
    return AgencyTaskEdge(
        agency=str(row["agency"]),
        agency_label=_text(row["agencyLabel"]) or short_name(str(row["agency"])),
        task=str(row["task"]),
        task_key=_text(row["taskKey"]) or short_name(str(row["task"])),
        task_title=_text(row["taskTitle"]) or "",
        role=role,  # narrowed to Role by the check against ROLES above
        asserted=bool(asserted.toPython()) if isinstance(asserted, Literal) else True,
        plan=_text(row["plan"]),
        lines=lines,
        type_key=_text(row["typeKey"]),
        jurisdiction=_text(row["jurisdictionCode"]),
        group=bool(group.toPython()) if isinstance(group, Literal) else False,
    )


def agency_task_edges(store: GraphStore, *, inferred: bool = True) -> tuple[AgencyTaskEdge, ...]:
    """Every agency–task edge the store holds; with `inferred`, also those only reasoning found.

    >>> from dutygraph.kg.build import build
    >>> from dutygraph.kg.stores import open_store
    >>> from dutygraph.loaders.bundled import bundled_plans
    >>> with open_store("memory") as store:
    ...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("jizhou")])
    ...     edges = agency_task_edges(store)
    >>> edge = next(e for e in edges if e.task_key == "jizhou-2020-04")
    >>> edge.agency_label, edge.task_title, edge.role, edge.asserted
    ('天津市蓟州区农业农村局', '实施农药兽药使用减量和产地净化行动', 'responsible', True)

    :raises StoreError: the store cannot be read.
    """
    result = run_named(store, "network-edges", inferred=inferred)
    return tuple(_edge_from_row(dict(zip(result.variables, row, strict=True))) for row in result.rows)


def graph_from_edges(edges: Iterable[AgencyTaskEdge]) -> nx.Graph:
    """The bipartite agency–task graph of `edges` (see `agency_task_graph` for its attributes).

    An agency holding several roles on one task gets one edge, with the strongest role (lead, responsible,
    assist, involved-inferred); it is asserted if any of them is.

    >>> bipartite = graph_from_edges(_sample_edges())
    >>> task_07 = str(iris.task_iri("jiaojiang-2020-reform-tasks", "07"))
    >>> bipartite.nodes[task_07]["title"]
    '加强和优化食品安全抽检工作。'
    >>> bipartite.edges[str(iris.agency_iri("331002", "agriculture")), task_07]["role"]
    'assist'
    """
    import networkx as nx

    graph = nx.Graph(kind=AGENCY_TASK)
    for edge in edges:
        if edge.agency not in graph:
            graph.add_node(
                edge.agency,
                kind="agency",
                label=edge.agency_label,
                type_key=edge.type_key,
                jurisdiction=edge.jurisdiction,
                group=edge.group,
            )
        if edge.task not in graph:
            graph.add_node(edge.task, kind="task", key=edge.task_key, title=edge.task_title, plan=edge.plan)
        if graph.has_edge(edge.agency, edge.task):
            held = graph.edges[edge.agency, edge.task]
            if _ROLE_STRENGTH[edge.role] > _ROLE_STRENGTH[held["role"]]:
                held["role"] = edge.role
            held["asserted"] = held["asserted"] or edge.asserted
            if edge.lines is not None:
                old = held["lines"] or edge.lines
                held["lines"] = (min(old[0], edge.lines[0]), max(old[1], edge.lines[1]))
        else:
            graph.add_edge(
                edge.agency,
                edge.task,
                role=edge.role,
                asserted=edge.asserted,
                plan=edge.plan,
                lines=edge.lines,
            )
    return graph


def agency_task_graph(store: GraphStore, *, inferred: bool = True) -> nx.Graph:
    """The bipartite graph of agencies and the tasks they take part in.

    Nodes are IRIs (plain strings). Node attribute ``kind`` is ``"agency"`` (with ``label``, ``type_key``,
    ``jurisdiction`` (code), ``group``) or ``"task"`` (with ``key``, ``title``, ``plan``). Edge attributes:
    ``role`` (lead / assist / responsible / involved-inferred), ``asserted`` (False: only reasoning found it),
    ``plan`` (IRI) and ``lines`` (first and last plan line of the assignment, None when inferred).
    With `inferred` False only what the plans assert is read.

    >>> from dutygraph.kg.build import build
    >>> from dutygraph.kg.stores import open_store
    >>> from dutygraph.loaders.bundled import bundled_plans
    >>> with open_store("memory") as store:
    ...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("jizhou")])
    ...     bipartite = agency_task_graph(store)
    >>> bureau = str(iris.agency_iri("120119", "agriculture"))
    >>> edge = bipartite.edges[bureau, str(iris.task_iri("jizhou-2020-supervision-plan", "04"))]
    >>> edge["role"], edge["asserted"], edge["lines"]
    ('responsible', True, (19, 19))

    :raises StoreError: the store cannot be read.
    """
    graph = graph_from_edges(agency_task_edges(store, inferred=inferred))
    graph.graph["inferred"] = inferred
    return graph


def _agencies(graph: nx.Graph) -> list[str]:
    return [node for node, kind in graph.nodes(data="kind") if kind == "agency"]


def co_assignment_graph(bipartite: nx.Graph) -> nx.Graph:
    """Agencies joined by the tasks they share.

    Every agency of `bipartite` is a node (with its attributes); an edge joins two agencies that share a task,
    with ``weight`` (how many tasks), ``tasks`` (their keys, sorted) and ``distance`` (1 / weight: many shared
    tasks make two agencies close, for weighted shortest paths and betweenness).

    >>> co_graph = co_assignment_graph(graph_from_edges(_sample_edges()))
    >>> market, commerce = (str(iris.agency_iri("331002", key)) for key in ("market-regulation", "commerce"))
    >>> co_graph.edges[market, commerce]["tasks"], co_graph.number_of_nodes()
    (('jiaojiang-2020-05',), 6)
    """
    import networkx as nx

    co_graph = nx.Graph(kind=CO_ASSIGNMENT, **{k: v for k, v in bipartite.graph.items() if k != "kind"})
    for agency in _agencies(bipartite):
        co_graph.add_node(agency, **bipartite.nodes[agency])
    shared: dict[tuple[str, str], list[str]] = {}
    for task, kind in bipartite.nodes(data="kind"):
        if kind != "task":
            continue
        on_task = sorted(n for n in bipartite.neighbors(task) if bipartite.nodes[n].get("kind") == "agency")
        for i, first in enumerate(on_task):
            for second in on_task[i + 1 :]:
                shared.setdefault((first, second), []).append(bipartite.nodes[task]["key"])
    for (first, second), keys in sorted(shared.items()):
        co_graph.add_edge(first, second, weight=len(keys), tasks=tuple(sorted(keys)), distance=1 / len(keys))
    return co_graph


def centrality(graph: nx.Graph) -> dict[str, Centrality]:
    """Normalised degree and betweenness centrality of every node, each in [0, 1].

    Degree counts neighbours (partners in the co-assignment graph, tasks or agencies in the bipartite one).
    Betweenness in the co-assignment graph follows weighted shortest paths (``distance``: agencies sharing
    many tasks are close); in the bipartite graph every step counts one. Values are over the whole graph,
    so they compare agencies with each other, not plans.

    >>> scores = centrality(co_assignment_graph(graph_from_edges(_sample_edges())))
    >>> health = scores[str(iris.agency_iri("331002", "health"))]
    >>> round(health.degree, 2), round(health.betweenness, 2)
    (0.6, 0.05)
    """
    import networkx as nx

    weight = "distance" if graph.graph.get("kind") == CO_ASSIGNMENT else None
    degree = nx.degree_centrality(graph) if graph.number_of_nodes() > 1 else dict.fromkeys(graph, 0.0)
    betweenness = nx.betweenness_centrality(graph, weight=weight, normalized=True)
    return {node: Centrality(float(degree[node]), float(betweenness[node])) for node in graph}


def communities(co_graph: nx.Graph) -> list[frozenset[str]]:
    """Groups of agencies that share more tasks among themselves than with others.

    Greedy modularity maximisation (Clauset–Newman–Moore) weighted by shared tasks: deterministic, so the
    same store gives the same communities. Largest first, ties by their first IRI; an agency sharing no
    task is a community of its own.

    >>> found = communities(co_assignment_graph(graph_from_edges(_sample_edges())))
    >>> [sorted(short_name(a) for a in community) for community in found]
    [['agriculture', 'commerce', 'health', 'market-regulation'], ['agriculture', 'ecology-environment']]
    """
    import networkx as nx

    if co_graph.number_of_nodes() == 0:
        return []
    found = nx.community.greedy_modularity_communities(co_graph, weight="weight")
    return sorted((frozenset(c) for c in found), key=lambda c: (-len(c), min(c)))


def _require_agency(graph: nx.Graph, agency: str) -> str:
    node = str(agency)
    if node not in graph or graph.nodes[node].get("kind") != "agency":
        raise NotInNetwork(f"{node} takes part in no task of the network")
    return node


def node_label(graph: nx.Graph, node: str) -> str:
    """What a reader calls a node: an agency's name, a task's key.

    >>> bipartite = graph_from_edges(_sample_edges())
    >>> node_label(bipartite, iris.agency_iri("331002", "health"))
    '台州市椒江区卫生健康局'
    >>> node_label(bipartite, iris.task_iri("jiaojiang-2020-reform-tasks", "07"))
    'jiaojiang-2020-07'
    """
    data = graph.nodes[str(node)]
    text = data.get("label") if data.get("kind") == "agency" else data.get("key")
    return str(text) if text else short_name(str(node))


def shortest_path(bipartite: nx.Graph, a: str, b: str) -> list[str]:
    """The shortest chain from agency `a` to agency `b` through shared tasks: agency, task, agency, …, agency.

    >>> bipartite = graph_from_edges(_sample_edges())
    >>> path = shortest_path(bipartite, iris.agency_iri("331002", "commerce"), iris.agency_iri("331002", "agriculture"))
    >>> [node_label(bipartite, node) for node in path]
    ['台州市椒江区商务局', 'jiaojiang-2020-05', '台州市椒江区市场监督管理局', 'jiaojiang-2020-07', '台州市椒江区农业农村局']
    >>> try:
    ...     shortest_path(bipartite, iris.agency_iri("331002", "health"), iris.agency_iri("120119", "agriculture"))
    ... except NotConnected as error:
    ...     print(error)
    no chain of shared tasks joins 台州市椒江区卫生健康局 and 天津市蓟州区农业农村局

    :raises NotInNetwork: `a` or `b` is not an agency of the graph.
    :raises NotConnected: no chain joins them.
    """
    import networkx as nx

    start, end = _require_agency(bipartite, a), _require_agency(bipartite, b)
    try:
        path: list[str] = nx.shortest_path(bipartite, start, end)
    except nx.NetworkXNoPath:
        raise NotConnected(
            f"no chain of shared tasks joins {node_label(bipartite, start)} and {node_label(bipartite, end)}"
        ) from None
    return path


def ego_network(graph: nx.Graph, agency: str, *, hops: int) -> nx.Graph:
    """The part of `graph` within `hops` steps of shared tasks from `agency` (a copy, with all attributes).

    One hop is one shared task. In the co-assignment graph that is one edge; in the bipartite graph two
    (agency → task → agency), so there the ego network also holds the tasks that join its agencies.

    >>> bipartite = graph_from_edges(_sample_edges())
    >>> ego = ego_network(bipartite, iris.agency_iri("331002", "commerce"), hops=1)
    >>> sorted(node_label(ego, n) for n in ego if ego.nodes[n]["kind"] == "agency")
    ['台州市椒江区卫生健康局', '台州市椒江区商务局', '台州市椒江区市场监督管理局']
    >>> ego_network(bipartite, iris.agency_iri("331002", "commerce"), hops=2).number_of_nodes()
    7

    :raises NotInNetwork: `agency` is not an agency of the graph.
    :raises DutygraphError: `hops` is below 1.
    """
    import networkx as nx

    if hops < 1:
        raise DutygraphError(f"hops must be at least 1, not {hops}")
    centre = _require_agency(graph, agency)
    radius = 2 * hops if graph.graph.get("kind") == AGENCY_TASK else hops
    ego: nx.Graph = nx.ego_graph(graph, centre, radius=radius)
    return ego


def ego_summary(bipartite: nx.Graph, agency: str, *, hops: int, top: int = 10) -> EgoSummary:
    """What ``dutygraph network`` prints about `agency`: its neighbourhood, partners, centrality, communities.

    `top` limits the partners listed (most shared tasks first, then by name).

    >>> summary = ego_summary(graph_from_edges(_sample_edges()), iris.agency_iri("331002", "commerce"), hops=1)
    >>> summary.agencies, summary.tasks
    (2, 1)
    >>> [(p.label, p.shared_tasks) for p in summary.partners]
    [('台州市椒江区卫生健康局', 1), ('台州市椒江区市场监督管理局', 1)]
    >>> [len(c.agencies) for c in summary.communities], summary.degree
    ([4], 0.4)

    :raises NotInNetwork: `agency` is not an agency of the graph.
    :raises DutygraphError: `hops` is below 1.
    """
    ego = ego_network(bipartite, agency, hops=hops)
    centre = str(agency)
    co_graph = co_assignment_graph(bipartite)
    within = set(_agencies(ego))
    neighbours = co_graph[centre]
    ranked = sorted(neighbours, key=lambda n: (-neighbours[n]["weight"], node_label(co_graph, n), n))
    partners = tuple(Partner(n, node_label(co_graph, n), int(neighbours[n]["weight"])) for n in ranked[:top])
    touched = tuple(
        Community(index, tuple(sorted(members)))
        for index, members in enumerate(communities(co_graph))
        if members & within
    )
    scores = centrality(co_graph)[centre]
    return EgoSummary(
        agency=centre,
        label=node_label(bipartite, centre),
        hops=hops,
        agencies=len(within) - 1,
        tasks=sum(1 for _, kind in ego.nodes(data="kind") if kind == "task"),
        partners=partners,
        communities=touched,
        degree=scores.degree,
        betweenness=scores.betweenness,
    )


def short_name(iri: str) -> str:
    """The last segment of an IRI, for nodes without a name.

    >>> short_name("https://w3id.org/dutygraph/id/agency/331002/market-regulation")
    'market-regulation'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1]


# The examples' data: four tasks as the plans assign them (椒江 01, 05, 07; 蓟州 04), one row per role.
_SAMPLE: tuple[tuple[str, str, str, str, str, Role], ...] = (
    (
        "jiaojiang-2020-reform-tasks",
        "01",
        "提升食品安全风险监测和食源性疾病监测能力。",
        "331002",
        "health",
        "lead",
    ),
    (
        "jiaojiang-2020-reform-tasks",
        "05",
        "提升我区食品安全标准（规范）制定参与、评价、解答等能力。",
        "331002",
        "commerce",
        "responsible",
    ),
    (
        "jiaojiang-2020-reform-tasks",
        "05",
        "提升我区食品安全标准（规范）制定参与、评价、解答等能力。",
        "331002",
        "health",
        "responsible",
    ),
    (
        "jiaojiang-2020-reform-tasks",
        "05",
        "提升我区食品安全标准（规范）制定参与、评价、解答等能力。",
        "331002",
        "market-regulation",
        "responsible",
    ),
    (
        "jiaojiang-2020-reform-tasks",
        "07",
        "加强和优化食品安全抽检工作。",
        "331002",
        "market-regulation",
        "lead",
    ),
    ("jiaojiang-2020-reform-tasks", "07", "加强和优化食品安全抽检工作。", "331002", "agriculture", "assist"),
    ("jiaojiang-2020-reform-tasks", "07", "加强和优化食品安全抽检工作。", "331002", "health", "assist"),
    (
        "jizhou-2020-supervision-plan",
        "04",
        "实施农药兽药使用减量和产地净化行动",
        "120119",
        "agriculture",
        "responsible",
    ),
    (
        "jizhou-2020-supervision-plan",
        "04",
        "实施农药兽药使用减量和产地净化行动",
        "120119",
        "ecology-environment",
        "responsible",
    ),
)
_SAMPLE_NAMES = {
    ("331002", "health"): "台州市椒江区卫生健康局",
    ("331002", "market-regulation"): "台州市椒江区市场监督管理局",
    ("331002", "commerce"): "台州市椒江区商务局",
    ("331002", "agriculture"): "台州市椒江区农业农村局",
    ("120119", "agriculture"): "天津市蓟州区农业农村局",
    ("120119", "ecology-environment"): "天津市蓟州区生态环境局",
}


def _sample_edges() -> list[AgencyTaskEdge]:
    """The edges of `_SAMPLE`, as `agency_task_edges` would read them from the bundled plans."""
    return [
        AgencyTaskEdge(
            agency=str(iris.agency_iri(code, type_key)),
            agency_label=_SAMPLE_NAMES[code, type_key],
            task=str(iris.task_iri(plan_id, number)),
            task_key=f"{'-'.join(plan_id.split('-')[:2])}-{number}",
            task_title=title,
            role=role,
            plan=str(iris.plan_iri(plan_id)),
            type_key=type_key,
            jurisdiction=code,
        )
        for plan_id, number, title, code, type_key, role in _SAMPLE
    ]


__all__ = [
    "AGENCY_TASK",
    "CO_ASSIGNMENT",
    "ROLES",
    "AgencyTaskEdge",
    "Centrality",
    "Community",
    "EgoSummary",
    "NotConnected",
    "NotInNetwork",
    "Partner",
    "Role",
    "agency_task_edges",
    "agency_task_graph",
    "centrality",
    "co_assignment_graph",
    "communities",
    "ego_network",
    "ego_summary",
    "graph_from_edges",
    "node_label",
    "short_name",
    "shortest_path",
]
