"""Plans read ahead by a worker process: the same readings, in order, and a bad file's own error in its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from dutygraph.errors import PlanError
from dutygraph.kg.synthetic_plans import write_corpus
from dutygraph.loaders.extract import read_plan_file
from dutygraph.loaders.read_ahead import WORKER_FROM_FILES, read_ahead


def test_a_worker_reads_what_this_process_would_in_the_same_order(tmp_path: Path) -> None:
    files = write_corpus(tmp_path, scale=WORKER_FROM_FILES // 5 + 1, seed=3)
    assert len(files) >= WORKER_FROM_FILES

    ahead = [(path, reading.plan_id, len(reading.tasks)) for path, reading in read_ahead(files)]

    assert ahead == [(path, read_plan_file(path).plan_id, len(read_plan_file(path).tasks)) for path in files]


def test_a_bad_file_raises_its_own_error_after_the_files_before_it(tmp_path: Path) -> None:
    files = write_corpus(tmp_path, scale=WORKER_FROM_FILES // 5 + 1, seed=3)
    bad = files[20]
    bad.write_bytes(b"")

    seen: list[Path] = []
    with pytest.raises(PlanError, match="file is empty") as raised:
        for path, _ in read_ahead(files):
            seen.append(path)

    assert raised.value.path == bad
    assert seen == files[:20]
