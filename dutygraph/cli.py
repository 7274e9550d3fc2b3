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

EXIT_ERROR = 2


def _cmd_extract(args: argparse.Namespace) -> int:
    from dutygraph.loaders.extract import read_plan_file
    from dutygraph.loaders.to_json import reading_to_json

    reading = read_plan_file(args.plan_file, layout=args.layout)
    sys.stdout.write(json.dumps(reading_to_json(reading), ensure_ascii=False, indent=2) + "\n")
    return 0


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
    extract.add_argument("--layout", choices=sorted(LAYOUTS), help="read with this layout instead of detecting it")
    extract.set_defaults(run=_cmd_extract)
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
