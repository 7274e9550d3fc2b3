"""The `dutygraph` command as users and outside checks call it: extract, build, stats, and bad input."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dutygraph.cli import main
from dutygraph.loaders.bundled import bundled_plans

JIAOJIANG = next(p for p in bundled_plans() if p.stem.startswith("jiaojiang"))
TIANTAI = next(p for p in bundled_plans() if p.stem.startswith("tiantai"))


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command in a child process, exactly as a shell would run it."""
    return subprocess.run(
        [sys.executable, "-m", "dutygraph", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_extract_prints_the_schema_json() -> None:
    result = run("extract", str(JIAOJIANG))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["plan"]["jurisdiction"] == "台州市椒江区"
    task = next(t for t in document["tasks"] if t["key"] == "jiaojiang-2020-07")
    assert [(a["type"], a["role"]) for a in task["agencies"]] == [
        ("market-regulation", "lead"),
        ("agriculture", "assist"),
        ("health", "assist"),
    ]
    assert task["deadlines"] == [{"as_written": "2020年底前完成", "kind": "by-date", "date": "2020-12-31"}]
    assert task["indicators"][0]["value"] == 4.5 and task["indicators"][0]["unit"] == "批次/千人"


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, what the one-line error must say)."""
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    zipped = tmp / "plan.docx"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    gzipped = tmp / "plan.txt.gz"
    gzipped.write_bytes(gzip.compress(TIANTAI.read_bytes()))
    not_a_plan = tmp / "poem.txt"
    not_a_plan.write_text("床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n", encoding="utf-8")
    truncated = tmp / "cut.txt"
    truncated.write_bytes(TIANTAI.read_bytes()[:301] + "食".encode()[:2])
    long_line = tmp / "long.txt"
    long_line.write_text("2019年天台县食品安全工作要点\n" + "食品安全" * 870_000 + "\n", encoding="utf-8")
    return {
        "empty": (empty, "file is empty"),
        "binary": (binary, "binary data"),
        "zip": (zipped, "zip archive"),
        "gzip": (gzipped, "gzip"),
        "not a plan": (not_a_plan, "names the county or city"),
        "truncated": (truncated, "middle of a character"),
        "10 MB line": (long_line, ":2: line is"),
        "missing": (tmp / "nowhere.txt", "no such file"),
    }


@pytest.mark.parametrize(
    "case", ["empty", "binary", "zip", "gzip", "not a plan", "truncated", "10 MB line", "missing"]
)
def test_bad_input_is_one_line_naming_the_file_exit_2(case: str, tmp_path: Path) -> None:
    path, says = _bad_files(tmp_path)[case]
    result = run("extract", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert path.name in lines[0] and says in lines[0], lines[0]


def _stats(store: Path) -> dict[str, int]:
    result = run("stats", "--store", str(store), "--json")
    assert result.returncode == 0, result.stderr
    stats: dict[str, int] = json.loads(result.stdout)
    return stats


def test_build_the_bundled_plans_twice_changes_no_count(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = run("build", "--store", str(store))
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""  # piped: no progress lines
    stats = _stats(store)
    assert stats["plans"] == 5 and stats["tasks"] == 179
    assert stats["triples"] > 9000 and stats["agencies"] > 90
    again = run("build", "--store", str(store))
    assert again.returncode == 0, again.stderr
    assert _stats(store) == stats


def test_a_build_meeting_a_bad_file_fails_whole_and_keeps_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run("build", str(JIAOJIANG), "--store", str(store)).returncode == 0
    before = _stats(store)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    result = run("build", str(TIANTAI), str(bad), "--store", str(store))
    assert result.returncode == 2
    assert "bad.txt" in result.stderr
    assert _stats(store) == before
    assert before["plans"] == 1


def test_store_comes_from_the_environment(tmp_path: Path) -> None:
    store = tmp_path / "env-store"
    assert run("build", str(TIANTAI), env={"DUTYGRAPH_STORE": str(store)}).returncode == 0
    assert store.is_dir()
    assert _stats(store)["tasks"] == 22


def test_bad_setting_is_one_line(tmp_path: Path) -> None:
    result = run("stats", env={"DUTYGRAPH_BACKEND": "fuseki"})
    assert result.returncode == 2
    assert "DUTYGRAPH_BACKEND" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_stats_on_a_missing_store_says_so(tmp_path: Path) -> None:
    result = run("stats", "--store", str(tmp_path / "none"))
    assert result.returncode == 2 and "dutygraph build" in result.stderr


def test_build_folder_of_plans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / TIANTAI.name).write_bytes(TIANTAI.read_bytes())
    # GB18030 copy of the same text under another name: one more plan, read the same way
    (folder / "tiantai-gbk-copy.txt").write_bytes(TIANTAI.read_text(encoding="utf-8").encode("gb18030"))
    assert main(["build", str(folder), "--store", str(tmp_path / "s"), "--backend", "oxigraph"]) == 0
    out = capsys.readouterr().out
    assert "tiantai-2019-work-points: 22 tasks" in out and "tiantai-gbk-copy: 22 tasks" in out
