"""`dutygraph explain TASK AGENCY [--store DIR] [--format text|json]`: why an agency is involved in a task.

TASK is a task key as `dutygraph extract` prints it (``jiaojiang-2020-07``) or a task IRI; AGENCY is an IRI or any
written name (区市场监管局, 乐清市市场监管局, 食药监局), with ``--jurisdiction`` to choose between places. A name that
fits several agencies lists them and exits 2, as does an agency not involved in the task.
"""

from __future__ import annotations

import argparse
import json

from dutygraph.commands._store_options import (
    add_store_options,
    open_configured_store,
    settings_from,
)

FORMATS = ("text", "json")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    explain = commands.add_parser("explain", help="why an agency is involved in a task: plan lines and rules")
    explain.add_argument("task", metavar="TASK", help="task key (jiaojiang-2020-07) or task IRI")
    explain.add_argument("agency", metavar="AGENCY", help="agency IRI or name as written (区市场监管局)")
    explain.add_argument(
        "--jurisdiction", metavar="NAME", help="the agency's place, when the name fits several"
    )
    explain.add_argument(
        "--format", choices=FORMATS, default="text", help="text for people (default) or JSON"
    )
    add_store_options(explain)
    explain.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rdflib import URIRef

    from dutygraph.kg.agency_search import resolve_agency
    from dutygraph.kg.explain import explain, task_named

    settings = settings_from(args)
    with open_configured_store(settings) as store:
        task = task_named(store, args.task)
        if args.agency.startswith(("https://", "http://")):
            agency = URIRef(args.agency)
        else:
            agency = resolve_agency(store, args.agency, jurisdiction=args.jurisdiction).iri
        explanation = explain(store, task=task, agency=agency)
    if args.format == "json":
        print(json.dumps(explanation.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(explanation.text())
    return 0
