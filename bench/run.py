"""Benchmark one scale: ``python bench/run.py --scale N [--out DIR] [--seed S]`` (as ``dutygraph bench``).

The measuring code is `dutygraph.kg.benchmark`; this script only parses arguments and prints its report.
"""

from __future__ import annotations

import sys

from dutygraph.commands.bench import main

if __name__ == "__main__":
    sys.exit(main())
