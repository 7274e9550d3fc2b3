"""Plans read ahead in another process while this one writes the ones already read.

Reading a plan (layout detection, roles, names, deadlines) is pure Python, and so is turning it into triples
and quads; one process does one at a time. With two cores, a worker process reads the next plans while the
building process converts and stores the current one: a national corpus builds about a quarter faster.
Readings cross over pickled (cheap: dataclasses of strings); the triples are made here (rdflib terms are
dear to unpickle). Few files are read in this process: a worker takes a few tenths of a second to start.

A file the worker cannot read is read again here, so that its `PlanError` (file, line, problem) is raised
as itself, in order.

>>> from dutygraph.loaders.bundled import bundled_plans
>>> [reading.plan_id for _, reading in read_ahead(bundled_plans()[:2])]
['jiaojiang-2020-reform-tasks', 'jizhou-2020-supervision-plan']
"""

from __future__ import annotations

import collections
import multiprocessing
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.records import PlanReading

#: Below this many files, plans are read in this process.
WORKER_FROM_FILES = 40
#: Readings the worker may be ahead by (bounds the memory they hold).
_AHEAD = 16


def read_ahead(
    paths: Sequence[Path], *, layout: str | None = None
) -> Generator[tuple[Path, PlanReading], None, None]:
    """Each path with its reading, in order.

    :raises PlanError: a file cannot be read as a plan (the first such, in order).
    """
    if len(paths) < WORKER_FROM_FILES:
        for path in paths:
            yield path, read_plan_file(path, layout=layout)
        return
    # spawn, not fork: the building process has RocksDB's threads running.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending: collections.deque[tuple[Path, Future[PlanReading | None]]] = collections.deque()
        queue = iter(paths)
        for path in queue:
            pending.append((path, pool.submit(_read_or_none, path, layout)))
            if len(pending) >= _AHEAD:
                break
        while pending:
            path, future = pending.popleft()
            next_path = next(queue, None)
            if next_path is not None:
                pending.append((next_path, pool.submit(_read_or_none, next_path, layout)))
            reading = future.result()
            if reading is None:
                for _, left in pending:
                    left.cancel()
                reading = read_plan_file(path, layout=layout)  # raises its error here, as itself
            yield path, reading


def _read_or_none(path: Path, layout: str | None) -> PlanReading | None:
    """The worker's task: the reading, or None if the file cannot be read (the error is raised in order)."""
    try:
        return read_plan_file(path, layout=layout)
    except Exception:  # re-raised by the building process, which reads the file again
        return None
