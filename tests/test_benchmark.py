"""`dutygraph bench` at scale 1: every figure present and the summary line in its fixed form. (The figures
themselves are not asserted: speed is shown by running the benchmark, never by timed tests.)"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

SUMMARY = re.compile(
    r"^bench: scale=1 build-s=\d+\.\d\d peak-mb=\d+ reasoning-vs-baseline=\d+\.\dx queries-p95-ms=\d+\.\d$"
)


@pytest.mark.slow
def test_bench_reports_build_reasoning_queries_and_server_and_ends_with_the_summary_line() -> None:
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "dutygraph",
            "bench",
            "--scale",
            "1",
            "--repeats",
            "2",
            "--server-seconds",
            "0.3",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert ran.returncode == 0, ran.stderr[-3000:]
    lines = ran.stdout.strip().splitlines()
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert lines[0].startswith("corpus: scale 1: 5 plans, ")
    for phase in ("read", "load", "reason"):
        assert any(line.startswith(f"{phase} ") for line in lines), phase
    assert any("inferred relation triples identical to owlrl's" in line for line in lines)
    assert any(line.startswith("agency-tasks ") for line in lines)  # a named query's row
    for endpoint in ("bare route", "agency tasks (API)", "agency tasks (API, new)", "agency page", "/sparql"):
        row = next(line for line in lines if line.startswith(endpoint))
        assert row.split()[len(endpoint.split()) + 1] == "0", row  # no errors
    assert any(line.startswith("agency-tasks API at ") for line in lines)
