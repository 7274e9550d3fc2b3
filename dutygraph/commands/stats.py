"""`dutygraph stats [--store DIR] [--json]`: what the store holds, in numbers."""

from __future__ import annotations

import argparse
import json

from dutygraph.commands._store_options import (
    add_store_options,
    open_configured_store,
    settings_from,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = commands.add_parser("stats", help="count what the store holds")
    stats.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    add_store_options(stats)
    stats.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dutygraph.kg.stats import store_stats

    settings = settings_from(args)
    with open_configured_store(settings) as store:
        stats = store_stats(store)
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False))
    else:
        width = max(len(name) for name in stats.as_dict())
        for name, value in stats.as_dict().items():
            print(f"{name:<{width}}  {value}")
    return 0
