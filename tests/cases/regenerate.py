"""Rewrite each case's expected.ttl from what the loaders produce now.

Run it only after reading the difference the failing test printed and deciding the new output is right:
    .venv/bin/python tests/cases/regenerate.py [CASE ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.to_rdf import reading_to_graph

CASES = Path(__file__).parent


def main(names: list[str]) -> None:
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir() and (p / "plan.txt").exists()):
        if names and folder.name not in names:
            continue
        graph = reading_to_graph(read_plan_file(folder / "plan.txt"))
        (folder / "expected.ttl").write_text(graph.serialize(format="turtle"), encoding="utf-8")
        print(f"{folder.name}: {len(graph)} triples")


if __name__ == "__main__":
    main(sys.argv[1:])
