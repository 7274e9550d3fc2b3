"""`dutygraph build [PLAN_FILE|DIR ...] [--store DIR]`: load plans (default: the bundled ones) into the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dutygraph.commands._store_options import add_store_options, open_configured_store, settings_from


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from dutygraph.loaders.layouts import LAYOUTS

    build = commands.add_parser("build", help="load plans into the store (default: the bundled plans)")
    build.add_argument(
        "plans",
        nargs="*",
        type=Path,
        metavar="PLAN_FILE|DIR",
        help="plan files, or folders of .txt plans; none: the five bundled plans",
    )
    build.add_argument("--layout", choices=sorted(LAYOUTS), help="read every plan with this layout")
    build.add_argument(
        "--reasoning",
        choices=("rules", "owlrl", "none"),
        default="rules",
        help="how to infer implied responsibilities: rules (fast, default), owlrl (the reference), none",
    )
    add_store_options(build)
    build.set_defaults(run=run)


def show_progress(done: int, total: int, path: Path) -> None:
    """Progress on a terminal only: piped output stays clean."""
    if not sys.stderr.isatty():
        return
    line = f"[{done}/{total}] {path.name}" if done < total else f"[{total}/{total}] read"
    sys.stderr.write(f"\r\x1b[K{line}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from dutygraph.kg.build import build
    from dutygraph.kg.stats import store_stats

    settings = settings_from(args)
    with open_configured_store(settings, write=True) as store:
        built = build(store, args.plans, layout=args.layout, reasoning=args.reasoning, progress=show_progress)
        stats = store_stats(store)
    for plan in built:
        print(f"{plan.plan_id}: {plan.tasks} tasks, {plan.triples} triples  ({plan.path})")
    print(
        f"store {settings.store} ({settings.backend}): {stats.plans} plans, {stats.tasks} tasks, "
        f"{stats.agencies} agencies, {stats.triples} triples"
    )
    return 0
