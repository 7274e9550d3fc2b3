"""Reading plan files into lines: encodings, line ends, and one clear PlanError per kind of bad input."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import dutygraph.data
from dutygraph.errors import PlanError
from dutygraph.loaders.reading import PlanText, read_plan

PLAN_LINE = "区市场监管局牵头，区农水局、区卫健局按职责分工负责"
HEADING = "一、加强食品安全监管"
BUNDLED_PLANS = sorted((Path(dutygraph.data.__file__).parent / "plans").glob("*.txt"))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(path: Path | str, **limits: int) -> PlanError:
    with pytest.raises(PlanError) as caught:
        read_plan(path, **limits)
    return caught.value


def assert_names(error: PlanError, path: Path, *, line: int | None) -> None:
    """The one-line message starts with the file as given and, where there is one, the line."""
    where = f"{path}:{line}" if line is not None else f"{path}"
    assert str(error) == f"{where}: {error.reason}"
    assert path.name in str(error)
    assert error.path == path
    assert error.line == line


# --- encodings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "codec", "expected_encoding"),
    [
        (b"", "utf-8", "utf-8"),
        (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
        (b"", "gb18030", "gb18030"),
        (b"", "gbk", "gb18030"),
        (b"", "gb2312", "gb18030"),
    ],
)
def test_encodings_decode_to_the_same_text(
    tmp_path: Path, bom: bytes, codec: str, expected_encoding: str
) -> None:
    data = bom + f"{HEADING}\n{PLAN_LINE}\n".encode(codec)
    text = read_plan(write(tmp_path, f"plan-{codec}.txt", data))
    assert text.encoding == expected_encoding
    assert text.lines == (HEADING, PLAN_LINE)
    assert text.line(1) == HEADING  # no BOM left in front of the first line
    assert text.sha256 == hashlib.sha256(data).hexdigest()  # of the raw bytes, BOM included


def test_gbk_plan_line_alone_is_detected(tmp_path: Path) -> None:
    text = read_plan(write(tmp_path, "one-line.txt", PLAN_LINE.encode("gbk")))
    assert (text.encoding, text.lines) == ("gb18030", (PLAN_LINE,))


def test_gb18030_four_byte_character(tmp_path: Path) -> None:
    line = "蓟州区𠮷庄镇食品安全检查"  # 𠮷 (U+20BB7) is four bytes in GB18030 and not in GBK at all
    assert len("𠮷".encode("gb18030")) == 4
    text = read_plan(write(tmp_path, "jizhou.txt", f"{line}\r\n{PLAN_LINE}\r\n".encode("gb18030")))
    assert text.encoding == "gb18030"
    assert text.lines == (line, PLAN_LINE)


def test_big5_plan_is_read_as_big5(tmp_path: Path) -> None:
    line = "各單位按職責分工負責，食品安全工作要點。"
    text = read_plan(write(tmp_path, "big5.txt", f"{line}\n".encode("big5")))
    assert text.encoding == "big5"
    assert text.lines == (line,)


def test_large_gbk_plan(tmp_path: Path) -> None:
    data = f"{HEADING}\r\n{PLAN_LINE}\r\n".encode("gbk") * 50_000
    text = read_plan(write(tmp_path, "large-gbk.txt", data))
    assert text.encoding == "gb18030"
    assert len(text.lines) == 100_000
    assert text.line(99_999) == HEADING
    assert text.line(100_000) == PLAN_LINE


# --- line ends and whitespace -----------------------------------------------------------------------------


@pytest.mark.parametrize("line_end", ["\r\n", "\r", "\n"])
@pytest.mark.parametrize("final_line_end", [True, False])
def test_line_ends(tmp_path: Path, line_end: str, final_line_end: bool) -> None:
    body = line_end.join([HEADING, "", PLAN_LINE]) + (line_end if final_line_end else "")
    text = read_plan(write(tmp_path, "ends.txt", body.encode()))
    assert text.lines == (HEADING, "", PLAN_LINE)


def test_mixed_line_ends_and_kept_characters(tmp_path: Path) -> None:
    # VT (Word's manual line break) and FF (pdftotext's page end) are not line ends.
    body = f"{HEADING}\r\n\r\n{PLAN_LINE}\ra\vb\x0cc\n"
    text = read_plan(write(tmp_path, "mixed.txt", body.encode()))
    assert text.lines == (HEADING, "", PLAN_LINE, "a\vb\x0cc")


def test_white_space_kept_as_written_a_tab_line_is_an_empty_table_cell(tmp_path: Path) -> None:
    body = f"\u3000\u3000{PLAN_LINE} \t\n\u00a0（一）健全机制\u3000\n\t\n"
    text = read_plan(write(tmp_path, "spaces.txt", body.encode()))
    assert text.lines == (f"\u3000\u3000{PLAN_LINE} \t", "\u00a0（一）健全机制\u3000", "\t")


def test_full_width_and_half_width_punctuation_kept(tmp_path: Path) -> None:
    line = "（二）抽检合格率≥98%，4.5批次/千人(2020年底前)"
    assert read_plan(write(tmp_path, "punct.txt", line.encode())).lines == (line,)


def test_line_numbers_are_one_based(tmp_path: Path) -> None:
    text = read_plan(write(tmp_path, "numbers.txt", f"{HEADING}\n{PLAN_LINE}\n".encode()))
    assert text.line(2) == PLAN_LINE
    for outside in (0, -1, 3):
        with pytest.raises(IndexError, match=f"lines 1-2, not line {outside}"):
            text.line(outside)


def test_path_may_be_a_string(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.txt", PLAN_LINE.encode())
    text = read_plan(str(path))
    assert isinstance(text, PlanText)
    assert text.path == path


@pytest.mark.parametrize("plan", BUNDLED_PLANS, ids=lambda plan: plan.stem)
def test_bundled_plans_read_as_utf8_with_wc_line_count(plan: Path) -> None:
    data = plan.read_bytes()
    text = read_plan(plan)
    assert text.encoding == "utf-8"
    # `wc -l` counts LF bytes; a last line without one is a line too.
    assert len(text.lines) == data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    assert text.lines == tuple(data.decode().split("\n")[: len(text.lines)])
    assert any("食品安全" in line for line in text.lines)


def test_all_five_bundled_plans_found() -> None:
    assert {plan.stem for plan in BUNDLED_PLANS} >= {
        "jiaojiang-2020-reform-tasks",
        "jizhou-2020-supervision-plan",
        "tiantai-2019-work-points",
        "wenzhou-2018-duty-table",
        "yueqing-2022-demo-city-plan",
    }


# --- the path -----------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "蓟州区2020年计划.txt"
    error = refused(path)
    assert error.reason == "no such file"
    assert_names(error, path, line=None)


def test_directory(tmp_path: Path) -> None:
    path = tmp_path / "plans"
    path.mkdir()
    error = refused(path)
    assert error.reason == "is a directory, not a plan file"
    assert_names(error, path, line=None)


def test_pipe_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "plan-pipe.txt"
    os.mkfifo(path)
    error = refused(path)  # opening it would block until a writer came
    assert error.reason.startswith("is not a regular file")
    assert_names(error, path, line=None)


def test_unreadable_file_gives_os_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 does not stop root (these tests may run as root), so the OS refusal is simulated.
    path = write(tmp_path, "locked.txt", PLAN_LINE.encode())

    def deny(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", deny)
    error = refused(path)
    assert error.reason == "cannot read: Permission denied"
    assert_names(error, path, line=None)


# --- size and emptiness -----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n", b"\xef\xbb\xbf", "\u3000\u3000\r\n".encode()])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "empty.txt", data)
    error = refused(path)
    assert error.reason == "file is empty"
    assert_names(error, path, line=None)


def test_larger_than_max_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", (PLAN_LINE + "\n").encode() * 100)
    error = refused(path, max_bytes=2_000)
    assert error.reason == "file is 7,600 bytes, larger than 0.002 MB"
    assert_names(error, path, line=None)
    assert read_plan(path, max_bytes=7_600).lines[-1] == PLAN_LINE


def test_default_limit_is_20_mb(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(20_000_001)  # sparse: no 20 MB actually written
    error = refused(path)
    assert error.reason == "file is 20,000,001 bytes, larger than 20 MB"


def test_line_longer_than_max_line_chars(tmp_path: Path) -> None:
    path = write(tmp_path, "long.txt", f"{HEADING}\n{PLAN_LINE}\n{PLAN_LINE * 3}\n".encode())
    error = refused(path, max_line_chars=50)
    assert error.reason == "line is 75 characters long; a plan line is at most 50"
    assert_names(error, path, line=3)


def test_ten_megabyte_single_line_fails_fast(tmp_path: Path) -> None:
    path = write(tmp_path, "one-line.txt", PLAN_LINE.encode() * 133_333)  # 10 MB, no line end
    started = time.perf_counter()
    error = refused(path)
    elapsed = time.perf_counter() - started
    assert error.reason == "line is 3333325 characters long; a plan line is at most 200000"
    assert_names(error, path, line=1)
    assert elapsed < 5.0  # a bound against hanging, not a benchmark


def test_ten_megabyte_gbk_single_line_fails_fast(tmp_path: Path) -> None:
    path = write(tmp_path, "one-line-gbk.txt", PLAN_LINE.encode("gbk") * 200_000)  # 10 MB
    started = time.perf_counter()
    error = refused(path)
    assert time.perf_counter() - started < 5.0  # a bound against hanging, not a benchmark
    assert error.reason == "line is 5000000 characters long; a plan line is at most 200000"
    assert_names(error, path, line=1)


def test_ten_megabyte_plan_reads_fast(tmp_path: Path) -> None:
    path = write(tmp_path, "ten-mb.txt", f"{HEADING}\r\n{PLAN_LINE}\r\n".encode() * 90_000)
    started = time.perf_counter()
    text = read_plan(path)
    assert time.perf_counter() - started < 5.0  # a bound against hanging, not a benchmark
    assert len(text.lines) == 180_000
    assert text.line(180_000) == PLAN_LINE


# --- archives, documents, binary ----------------------------------------------------------------------------


def zip_bytes(tmp_path: Path) -> bytes:
    archive = tmp_path / "made.zip"
    with zipfile.ZipFile(archive, "w") as document:
        document.writestr("word/document.xml", f"<w:t>{PLAN_LINE}</w:t>")
    return archive.read_bytes()


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("计划.docx", zip_bytes, "is a zip archive (.docx/.xlsx are zip too): save the plan as plain text"),
        ("plan.txt.gz", lambda _: gzip.compress(PLAN_LINE.encode()), "is gzip-compressed"),
        ("plan.txt.xz", lambda _: lzma.compress(PLAN_LINE.encode()), "is xz-compressed"),
        ("plan.txt.bz2", lambda _: bz2.compress(PLAN_LINE.encode()), "is bzip2-compressed"),
        ("plan.7z", lambda _: b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24), "is a 7z archive"),
        ("plan.rar", lambda _: b"Rar!\x1a\x07\x01\x00" + bytes(16), "is a RAR archive"),
        ("plan.pdf", lambda _: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is a PDF document"),
        ("plan.doc", lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "is an old binary Office"),
        ("plan.rtf", lambda _: rb"{\rtf1\ansi\ansicpg936 \'c7\'f8}", "is an RTF document"),
    ],
)
def test_archives_and_documents(
    tmp_path: Path, name: str, make: Callable[[Path], bytes], reason: str
) -> None:
    path = write(tmp_path, name, make(tmp_path))
    error = refused(path)
    assert error.reason.startswith(reason)
    assert error.reason.endswith(": save the plan as plain text")
    assert_names(error, path, line=None)


def test_text_starting_with_bzh_is_not_bzip2(tmp_path: Path) -> None:
    line = f"BZh9 {PLAN_LINE}"
    assert read_plan(write(tmp_path, "bzh.txt", line.encode())).lines == (line,)


def test_nul_byte_is_binary_and_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.txt", f"{HEADING}\r\n{PLAN_LINE}\r\n职责\x00分工\r\n".encode())
    error = refused(path)
    assert error.reason == "binary data, not text (NUL byte)"
    assert_names(error, path, line=3)


def test_many_control_bytes_are_binary(tmp_path: Path) -> None:
    path = write(tmp_path, "controls.txt", f"{HEADING}\n{PLAN_LINE}\n".encode() + b"\x01\x02\x1b\x7f" * 40)
    error = refused(path)
    assert error.reason == "binary data, not text (160 control bytes)"
    assert_names(error, path, line=3)


def test_a_stray_control_byte_is_kept(tmp_path: Path) -> None:
    text = read_plan(write(tmp_path, "stray.txt", f"{PLAN_LINE}\x1b\n".encode()))
    assert text.lines == (f"{PLAN_LINE}\x1b",)


# --- encodings that are refused ---------------------------------------------------------------------------


def test_latin1_text_is_not_utf8_or_gb18030(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.txt", "Plan\nCafé résumé naïve façade\n".encode("latin-1") * 10)
    error = refused(path)
    assert error.reason == "not UTF-8 or GB18030 text (byte 0xE9)"
    assert_names(error, path, line=2)


def test_stray_byte_in_utf8_plan_names_its_line(tmp_path: Path) -> None:
    data = f"{PLAN_LINE}\n".encode() * 10 + "责任单位".encode() + b"\xb7\n" + f"{PLAN_LINE}\n".encode()
    path = write(tmp_path, "stray-byte.txt", data)
    error = refused(path)
    assert error.reason == "not UTF-8 or GB18030 text (byte 0xB7)"
    assert_names(error, path, line=11)


def test_stray_byte_in_gbk_plan_names_its_line(tmp_path: Path) -> None:
    data = f"{PLAN_LINE}\r\n".encode("gbk") * 10 + b"\xff\r\n" + f"{PLAN_LINE}\r\n".encode("gbk")
    path = write(tmp_path, "stray-byte-gbk.txt", data)
    error = refused(path)
    assert error.reason == "not UTF-8 or GB18030 text (byte 0xFF)"
    assert_names(error, path, line=11)


def test_invalid_utf8_after_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "bom-bad.txt", b"\xef\xbb\xbf" + f"{HEADING}\n".encode() + b"\xc0\xaf\n")
    error = refused(path)
    assert error.reason == "not UTF-8 or GB18030 text (byte 0xC0)"
    assert_names(error, path, line=2)


def test_utf16_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "unicode.txt", PLAN_LINE.encode("utf-16"))
    error = refused(path)
    assert error.reason.startswith("not UTF-8 or GB18030 text: it is UTF-16")
    assert_names(error, path, line=1)


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("cut.txt", f"{HEADING}\n{PLAN_LINE}".encode()[:-1], 2),
        ("cut-after-newline.txt", f"{HEADING}\n{PLAN_LINE}\n".encode() + "责".encode()[:2], 3),
        ("cut-bom.txt", b"\xef\xbb\xbf" + f"{HEADING}\r\n{PLAN_LINE}".encode()[:-2], 2),
        ("cut-gbk.txt", f"{HEADING}\r\n{PLAN_LINE}\r\n{PLAN_LINE}".encode("gbk")[:-1], 3),
    ],
)
def test_truncated_inside_a_character(tmp_path: Path, name: str, data: bytes, line: int) -> None:
    path = write(tmp_path, name, data)
    error = refused(path)
    assert error.reason == "file ends in the middle of a character (truncated?)"
    assert_names(error, path, line=line)


def test_no_chinese_text(tmp_path: Path) -> None:
    path = write(tmp_path, "english.txt", "Food safety work plan\r\n1. Inspections（，。）\r\n".encode())
    error = refused(path)
    assert error.reason == "no Chinese text: not a plan"
    assert_names(error, path, line=None)
