"""`dutygraph check [--store DIR] [--format table|json|csv]`: run every ``*-violation`` query on the store.

Each violation prints as the check's name, the offending node and what is wrong, in Chinese and English. Exit
status as pySHACL's: 0 when no check answers a row (the data conforms), 1 when any does, 2 on an error. The
checks read every graph, the inferred one included: run them on a store built with reasoning, or
``task-without-agency-violation`` reports every task of a plan that names no agency (the Tiantai plan).
"""

from __future__ import annotations

import argparse
import sys

from dutygraph.commands._store_options import (
    add_store_options,
    open_configured_store,
    settings_from,
)

EXIT_CONFORMS = 0
EXIT_VIOLATIONS = 1


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "check",
        help="run the *-violation checks; exit 1 if any finds a problem",
        description=__doc__.split("\n\n", 1)[1].replace("`", "") if __doc__ else None,
    )
    # The choices of `_output.FORMATS`, written out: importing `_output` loads rdflib, and --help stays instant.
    check.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="how violations print"
    )
    add_store_options(check)
    check.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dutygraph.commands._output import plain, render
    from dutygraph.kg.iris import INFERRED_GRAPH
    from dutygraph.kg.query_library import find_violations, violation_names

    settings = settings_from(args)
    with open_configured_store(settings) as store:
        violations = find_violations(store)
        inferred = INFERRED_GRAPH in store.graph_names()
    rows = [[v.check, plain(v.node), v.message_zh, v.message_en] for v in violations]
    if rows or args.format != "table":
        print(render(["check", "node", "message_zh", "message_en"], rows, args.format))
    failed = sorted({v.check for v in violations})
    checks = len(violation_names())
    if failed:
        print(
            f"dutygraph check: {len(violations)} violations in {len(failed)} of {checks} checks: {', '.join(failed)}",
            file=sys.stderr,
        )
    else:
        print(f"dutygraph check: all {checks} checks pass", file=sys.stderr)
    if not inferred:
        print(
            "dutygraph check: the store has no inferred graph; tasks whose agencies only reasoning implies are "
            "reported as naming none",
            file=sys.stderr,
        )
    return EXIT_VIOLATIONS if violations else EXIT_CONFORMS
