"""The `dutygraph` command: extract, build, stats.

Data goes to stdout, diagnostics to stderr. Every `DutygraphError` ends the command with one line and exit 2.
Heavy imports (rdflib, pyoxigraph) happen inside the commands, so `dutygraph --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from dutygraph import __version__
from dutygraph.errors import DutygraphError
from dutygraph.settings import Settings, get_settings

EXIT_ERROR = 2


def _cmd_extract(args: argparse.Namespace) -> int:
    from dutygraph.loaders.extract import read_plan_file
    from dutygraph.loaders.to_json import reading_to_json

    reading = read_plan_file(args.plan_file, layout=args.layout)
    sys.stdout.write(json.dumps(reading_to_json(reading), ensure_ascii=False, indent=2) + "\n")
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"store": args.store} if getattr(args, "store", None) is not None else {}
    if getattr(args, "backend", None) is not None:
        overrides["backend"] = args.backend
    return get_settings(**overrides)


def _show_progress(done: int, total: int, path: Path) -> None:
    """Progress on a terminal only: piped output stays clean."""
    if not sys.stderr.isatty():
        return
    line = f"[{done}/{total}] {path.name}" if done < total else f"[{total}/{total}] read"
    sys.stderr.write(f"\r\x1b[K{line}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _cmd_build(args: argparse.Namespace) -> int:
    from dutygraph.kg.build import build
    from dutygraph.kg.stats import store_stats
    from dutygraph.kg.stores import open_store

    settings = _settings(args)
    with open_store(settings.backend, path=settings.store) as store:
        built = build(store, args.plans, layout=args.layout, progress=_show_progress)
        stats = store_stats(store)
    for plan in built:
        print(f"{plan.plan_id}: {plan.tasks} tasks, {plan.triples} triples  ({plan.path})")
    print(
        f"store {settings.store} ({settings.backend}): {stats.plans} plans, {stats.tasks} tasks, "
        f"{stats.agencies} agencies, {stats.triples} triples"
    )
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from dutygraph.kg.stats import store_stats
    from dutygraph.kg.stores import open_store

    settings = _settings(args)
    _require_store(settings)
    with open_store(settings.backend, path=settings.store, read_only=settings.backend == "oxigraph") as store:
        stats = store_stats(store)
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False))
    else:
        width = max(len(name) for name in stats.as_dict())
        for name, value in stats.as_dict().items():
            print(f"{name:<{width}}  {value}")
    return 0


def _require_store(settings: Settings) -> None:
    """Reading commands do not create an empty store where the user mistyped a path."""
    if settings.backend == "oxigraph" and not settings.store.exists():
        raise DutygraphError(f"{settings.store}: no store here; run `dutygraph build` first or pass --store")


def _store_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="store directory (default: $DUTYGRAPH_STORE or .dutygraph/store)",
    )
    command.add_argument(
        "--backend",
        choices=("memory", "oxigraph"),
        help="store backend (default: $DUTYGRAPH_BACKEND or oxigraph)",
    )


def _parser() -> argparse.ArgumentParser:
    from dutygraph.loaders.layouts import LAYOUTS

    parser = argparse.ArgumentParser(
        prog="dutygraph",
        description="A knowledge graph of who does what in Chinese local food-safety work plans.",
    )
    parser.add_argument("--version", action="version", version=f"dutygraph {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = commands.add_parser("extract", help="print what was read from one plan, as JSON")
    extract.add_argument("plan_file", type=Path, metavar="PLAN_FILE")
    extract.add_argument(
        "--layout", choices=sorted(LAYOUTS), help="read with this layout instead of detecting it"
    )
    extract.set_defaults(run=_cmd_extract)

    build = commands.add_parser("build", help="load plans into the store (default: the bundled plans)")
    build.add_argument(
        "plans",
        nargs="*",
        type=Path,
        metavar="PLAN_FILE|DIR",
        help="plan files, or folders of .txt plans; none: the five bundled plans",
    )
    build.add_argument("--layout", choices=sorted(LAYOUTS), help="read every plan with this layout")
    _store_options(build)
    build.set_defaults(run=_cmd_build)

    stats = commands.add_parser("stats", help="count what the store holds")
    stats.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    _store_options(stats)
    stats.set_defaults(run=_cmd_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except DutygraphError as error:
        print(f"dutygraph: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader (| head) went away: not an error of ours; keep Python from complaining at exit.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("dutygraph: interrupted", file=sys.stderr)
        return 130
