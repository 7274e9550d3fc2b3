"""`dutygraph extract PLAN_FILE`: what was read from one plan, as one JSON document (tests/gold/SCHEMA.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from dutygraph.loaders.layouts import LAYOUTS

    extract = commands.add_parser("extract", help="print what was read from one plan, as JSON")
    extract.add_argument("plan_file", type=Path, metavar="PLAN_FILE")
    extract.add_argument(
        "--layout", choices=sorted(LAYOUTS), help="read with this layout instead of detecting it"
    )
    extract.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dutygraph.loaders.extract import read_plan_file
    from dutygraph.loaders.to_json import reading_to_json

    reading = read_plan_file(args.plan_file, layout=args.layout)
    sys.stdout.write(json.dumps(reading_to_json(reading), ensure_ascii=False, indent=2) + "\n")
    return 0
