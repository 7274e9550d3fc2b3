"""`dutygraph bench --scale N [--out DIR] [--seed S] [--repeats R]`: build a synthetic corpus of 5·N plans and
time the build and the query library against plain rdflib + owlrl (see `dutygraph.kg.benchmark`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def scale_value(text: str) -> int:
    """An integer of at least 1, for ``--scale``.

    >>> scale_value("10")
    10
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale", type=scale_value, required=True, help="N: 5·N plans (1 → 5, 10 → 50, 1000 → 5,000)"
    )
    parser.add_argument(
        "--out", type=Path, help="write the generated plan files here (default: a temporary folder)"
    )
    parser.add_argument("--seed", type=int, default=2020, help="generator seed (same seed, same corpus)")
    parser.add_argument("--repeats", type=scale_value, default=20, help="runs of each query (default 20)")
    parser.add_argument(
        "--owlrl-limit",
        type=scale_value,
        default=None,
        help="reason with owlrl over the whole corpus up to this many asserted triples, else over the first "
        "5 plans (default 20,000: owlrl takes minutes above it)",
    )
    parser.add_argument(
        "--server-seconds",
        type=float,
        default=5.0,
        help="seconds of load per server endpoint, 16 clients (default 5; 0 skips the server)",
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = commands.add_parser("bench", help="benchmark a build and the queries on a synthetic corpus")
    add_arguments(bench)
    bench.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dutygraph.kg.benchmark import run_benchmark

    result = run_benchmark(
        args.scale,
        seed=args.seed,
        out=args.out,
        repeats=args.repeats,
        server_seconds=args.server_seconds,
        log=lambda line: print(line, file=sys.stderr, flush=True),
        **({"owlrl_limit": args.owlrl_limit} if args.owlrl_limit is not None else {}),
    )
    print(result.report())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The same command as a script (``bench/run.py``)."""
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
