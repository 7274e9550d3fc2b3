"""`dutygraph tasks --agency NAME`: which tasks involve a bureau, due when, in which role.

NAME may be any way the bureau is written (市场监管局, 市市场监督管理局, the old 食药监局); an ambiguous name lists the
candidates instead of guessing. `--jurisdiction` says whose bureau (乐清市's 市场监管局 is not 温州市's);
`--include-sub` adds the bureaus of the same type in the places below it.
"""

from __future__ import annotations

import argparse
import json

from dutygraph.commands._output import FORMATS, render
from dutygraph.commands._store_options import (
    add_store_options,
    open_configured_store,
    settings_from,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tasks = commands.add_parser("tasks", help="tasks of a bureau: role, plan, deadlines")
    tasks.add_argument("--agency", required=True, metavar="NAME", help="the bureau, as any plan writes it")
    tasks.add_argument("--jurisdiction", metavar="NAME", help="whose bureau: 乐清市, 温州市, 椒江区, …")
    tasks.add_argument(
        "--include-sub", action="store_true", help="also the same bureaus below the jurisdiction"
    )
    tasks.add_argument("--role", choices=("lead", "assist", "responsible"), help="only tasks in this role")
    tasks.add_argument(
        "--asserted-only", action="store_true", help="only what the plans state, no inferences"
    )
    tasks.add_argument("--format", choices=FORMATS, default="table")
    add_store_options(tasks)
    tasks.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dutygraph.errors import DutygraphError
    from dutygraph.kg.agency_search import AgencyNotFound, find_agencies, resolve_agency
    from dutygraph.kg.agency_tasks import tasks_of

    if args.include_sub and not args.jurisdiction:
        raise DutygraphError("--include-sub needs --jurisdiction (the place whose sub-jurisdictions to add)")
    settings = settings_from(args)
    with open_configured_store(settings) as store:
        if args.include_sub:
            agencies = find_agencies(store, args.agency, jurisdiction=args.jurisdiction, include_sub=True)
            if not agencies:
                raise AgencyNotFound(f"no agency goes by {args.agency!r} in or below {args.jurisdiction}")
        else:
            agencies = (resolve_agency(store, args.agency, jurisdiction=args.jurisdiction),)
        rows = tasks_of(store, agencies, role=args.role, asserted_only=args.asserted_only)
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False))
        return 0
    columns = ["agency_label", "task_key", "role", "source", "dates", "deadlines", "title"]
    table = [
        [r.agency_label, r.task_key, r.role, r.source, " ".join(r.dates), r.deadlines, r.title] for r in rows
    ]
    print(render(columns, table, args.format))
    return 0
