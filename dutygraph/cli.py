"""The `dutygraph` command. Each subcommand is a module of `dutygraph.commands`.

Data goes to stdout, diagnostics to stderr. Every `DutygraphError` ends the command with one line and exit 2.
Heavy imports (rdflib, pyoxigraph) happen inside the commands, so `dutygraph --help` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dutygraph import __version__
from dutygraph.commands import command_modules
from dutygraph.errors import DutygraphError

EXIT_ERROR = 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="dutygraph",
        description="A knowledge graph of who does what in Chinese local food-safety work plans.",
    )
    top.add_argument("--version", action="version", version=f"dutygraph {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules():
        module.register(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
