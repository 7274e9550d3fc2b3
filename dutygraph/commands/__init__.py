"""One module per `dutygraph` subcommand. Each defines `register(commands)`, which adds its parser and sets
`run` to a function taking the parsed arguments and returning the exit status. Modules are found here by name,
so a new command is a new module and nothing else changes.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from typing import Protocol


class CommandModule(Protocol):
    def register(self, commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


#: Order of the commands in `dutygraph --help`; modules not listed come after, by name.
ORDER = ("extract", "build", "stats", "query", "tasks", "check", "explain", "network", "serve")


def command_modules() -> list[CommandModule]:
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    modules: list[CommandModule] = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return modules
