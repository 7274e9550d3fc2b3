"""`dutygraph network --agency NAME [--hops N] [--path-to NAME] …`: who an agency works with.

Prints the agency's neighbourhood in the network of shared tasks: how many agencies and tasks lie within N
hops (one hop: one shared task), the partners it shares most tasks with, its degree and betweenness
centrality, and the communities it reaches into. With --path-to, the shortest chain of agencies and the tasks
joining them. NAME is any way a plan writes the bureau (区市场监管局, 乐清市市场监管局, 食药监局) or its IRI; a name
several agencies go by is refused with the candidates listed (narrow it with --jurisdiction).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from dutygraph.commands._store_options import (
    add_store_options,
    open_configured_store,
    settings_from,
)

if TYPE_CHECKING:
    import networkx as nx

    from dutygraph.kg.agency_search import AgencyCandidate
    from dutygraph.kg.network import EgoSummary
    from dutygraph.kg.stores import GraphStore

#: How many co-assigned partners the summary lists.
TOP_PARTNERS = 10
#: How many member names a community line shows before "…".
COMMUNITY_NAMES = 6

_ROLE_NAMES = {
    "lead": "牵头 lead",
    "assist": "配合 assist",
    "responsible": "负责 responsible",
    "involved-inferred": "推理参与 inferred",
}


def hop_count(text: str) -> int:
    """A --hops value: a whole number, at least 1.

    >>> hop_count("2")
    2
    >>> hop_count("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a whole number of at least 1, not '0'
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    network = commands.add_parser(
        "network",
        help="who an agency works with: partners, centrality, communities, paths",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    network.add_argument(
        "--agency", required=True, metavar="NAME", help="the agency, as written in a plan, or its IRI"
    )
    network.add_argument(
        "--jurisdiction",
        metavar="NAME",
        help="the agency's place (椒江区, 乐清市), when the name alone is ambiguous",
    )
    network.add_argument(
        "--hops",
        type=hop_count,
        default=1,
        metavar="N",
        help="how many shared-task steps to reach out (default 1)",
    )
    network.add_argument(
        "--path-to",
        metavar="NAME",
        help="also show the shortest chain of shared tasks to this agency (looked up in --jurisdiction first)",
    )
    network.add_argument(
        "--asserted-only",
        action="store_true",
        help="only roles the plans assert, not those reasoning inferred",
    )
    network.add_argument("--format", choices=("text", "json"), default="text", help="how the answer prints")
    add_store_options(network)
    network.set_defaults(run=run)


def _path_target(store: GraphStore, name: str, jurisdiction: str | None) -> AgencyCandidate:
    """The --path-to agency: within --jurisdiction when one of that name is there, else anywhere."""
    from dutygraph.kg.agency_search import find_agencies, resolve_agency

    if jurisdiction is not None and find_agencies(store, name, jurisdiction=jurisdiction):
        return resolve_agency(store, name, jurisdiction=jurisdiction)
    return resolve_agency(store, name)


def run(args: argparse.Namespace) -> int:
    from dutygraph.kg.agency_search import resolve_agency
    from dutygraph.kg.network import agency_task_graph, ego_summary, shortest_path

    settings = settings_from(args)
    with open_configured_store(settings) as store:
        centre = resolve_agency(store, args.agency, jurisdiction=args.jurisdiction)
        target = _path_target(store, args.path_to, args.jurisdiction) if args.path_to else None
        bipartite = agency_task_graph(store, inferred=not args.asserted_only)
    summary = ego_summary(bipartite, str(centre.iri), hops=args.hops, top=TOP_PARTNERS)
    path = shortest_path(bipartite, str(centre.iri), str(target.iri)) if target is not None else None
    if args.format == "json":
        print(json.dumps(summary_document(bipartite, summary, path), ensure_ascii=False))
    else:
        print(summary_text(bipartite, summary, path))
    return 0


def _path_steps(bipartite: nx.Graph, path: list[str]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for index, node in enumerate(path):
        data = bipartite.nodes[node]
        if data["kind"] == "agency":
            steps.append({"kind": "agency", "agency": node, "label": data["label"]})
        else:
            before, after = bipartite.edges[path[index - 1], node], bipartite.edges[node, path[index + 1]]
            steps.append(
                {
                    "kind": "task",
                    "task": node,
                    "key": data["key"],
                    "title": data["title"],
                    "roles": [before["role"], after["role"]],
                    "asserted": bool(before["asserted"] and after["asserted"]),
                }
            )
    return steps


def summary_document(bipartite: nx.Graph, summary: EgoSummary, path: list[str] | None) -> dict[str, Any]:
    """The summary (and path) as one JSON object: IRIs with their labels."""
    from dutygraph.kg.network import node_label

    return {
        "agency": summary.agency,
        "label": summary.label,
        "hops": summary.hops,
        "agencies": summary.agencies,
        "tasks": summary.tasks,
        "degree": summary.degree,
        "betweenness": summary.betweenness,
        "partners": [
            {"agency": p.agency, "label": p.label, "shared_tasks": p.shared_tasks} for p in summary.partners
        ],
        "communities": [
            {
                "index": c.index,
                "agencies": [{"agency": a, "label": node_label(bipartite, a)} for a in c.agencies],
            }
            for c in summary.communities
        ],
        "path": None if path is None else _path_steps(bipartite, path),
    }


def summary_text(bipartite: nx.Graph, summary: EgoSummary, path: list[str] | None) -> str:
    """The summary (and path) for people: Chinese first, then English."""
    from dutygraph.commands._output import render
    from dutygraph.kg.network import node_label

    centre = bipartite.nodes[summary.agency]
    where = ", ".join(str(v) for v in (centre.get("type_key"), centre.get("jurisdiction")) if v)
    lines = [
        f"中心单位 centre: {summary.label}" + (f" ({where})" if where else ""),
        f"  {summary.agency}",
        f"范围 hops: {summary.hops}  其他单位 other agencies: {summary.agencies}  任务 tasks: {summary.tasks}",
        f"度中心性 degree: {summary.degree:.3f}  介数中心性 betweenness: {summary.betweenness:.3f}",
        "",
        "共同任务最多的单位 top co-assigned partners:",
    ]
    if summary.partners:
        table = render(
            ["单位 agency", "共同任务 shared tasks"],
            [[p.label, p.shared_tasks] for p in summary.partners],
            "table",
        )
        lines.extend("  " + line for line in table.splitlines())
    else:
        lines.append("  （无 none: shares no task with another agency）")
    lines += ["", "所涉社区 communities reached:"]
    for community in summary.communities:
        names = [node_label(bipartite, a) for a in community.agencies]
        shown = "、".join(names[:COMMUNITY_NAMES]) + ("、…" if len(names) > COMMUNITY_NAMES else "")
        lines.append(f"  社区 community {community.index + 1} ({len(names)} 个单位 agencies): {shown}")
    if path is not None:
        hops = (len(path) - 1) // 2
        lines += ["", f"最短路径 shortest path ({hops} 步 steps):"]
        for step in _path_steps(bipartite, path):
            if step["kind"] == "agency":
                lines.append(f"  {step['label']}")
            else:
                roles = " → ".join(_ROLE_NAMES.get(r, r) for r in step["roles"])
                lines.append(f"    └ 任务 task {step['key']}「{step['title']}」 ({roles})")
    return "\n".join(lines)
