r"""Reading a plan file into text lines: strict decoding, one clear `PlanError` for each kind of bad input.

Plans arrive as UTF-8 (with or without BOM) or as GB18030/GBK from older Windows desktops, with CRLF, CR or LF
line ends. Decoding is always strict: a byte that cannot be read stops the load with the file and line named,
because a silently replaced character can turn 农水局 into an agency nobody can find.

Order of checks (cheapest and most specific first): the path itself, size, archive and document signatures,
binary data, encoding, empty text, line length, Chinese text.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     plan = Path(folder, "tiantai-2019-work-points.txt")
...     _ = plan.write_bytes("2019年天台县食品安全工作要点\n（征求意见稿）\n".encode("utf-8"))
...     read_plan(plan).lines
('2019年天台县食品安全工作要点', '（征求意见稿）')
"""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from dutygraph.errors import PlanError

#: What charset-normalizer may answer for a plan, and the codec we then decode with. GBK and GB2312 are
#: subsets of GB18030, and Windows tools label GB18030 files "GBK"; decoding as GB18030 reads them all.
_CHINESE_CODECS = {
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "big5": "big5",
    "cp950": "cp950",
    "big5hkscs": "big5hkscs",
}

#: charset-normalizer decodes whatever it is given several times; a window this size decides GB18030 vs
#: Big5 as well as the whole file does, in tens of milliseconds instead of seconds.
_DETECTION_WINDOW = 256 * 1024

_SAVE_AS_TEXT = "save the plan as plain text"
_ZIP = "is a zip archive (.docx/.xlsx are zip too)"
#: Leading bytes of the containers and documents people send instead of a text plan.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", _ZIP),
    (b"PK\x05\x06", _ZIP),
    (b"PK\x07\x08", _ZIP),
    (b"\x1f\x8b", "is gzip-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "is a 7z archive"),
    (b"\xfd7zXZ\x00", "is xz-compressed"),
    (b"Rar!\x1a\x07", "is a RAR archive"),
    (b"%PDF-", "is a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is an old binary Office/WPS document (.doc/.xls/.wps)"),
    (b"{\\rtf", "is an RTF document"),
)
#: "BZh" + block size, then the magic of the first block or of an empty stream's end, so that a text
#: starting with the letters "BZh" is not taken for bzip2.
_BZIP2 = re.compile(rb"BZh[1-9](?:\x31\x41\x59\x26\x53\x59|\x17\x72\x45\x38\x50\x90)")

#: C0 controls other than tab, LF, VT, FF, CR. VT and FF are kept as text: Word's manual line break
#: pastes as VT and pdftotext ends each page with FF. No multi-byte character of UTF-8, GB18030 or Big5
#: contains these bytes, so they are counted on the raw bytes.
_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1f\x7f]")
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.fullmatch(bytes([b])))
#: More than one control byte in ten is binary data, not a plan with a stray character.
_CONTROL_SHARE = 0.1

_LINE_END = re.compile(r"\r\n|\r|\n")
#: CJK unified ideographs (basic, extension A, compatibility, extensions B-G).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True)
class PlanText:
    """A plan file as text lines, with the encoding it was read in and the digest of its bytes.

    Line ends (CRLF, CR, LF) are removed and nothing else is changed: a line holding only a tab is an empty
    table cell, so white space is the layouts' to read.

    >>> lines = ("附件", "", "2018年温州市食品安全工作责任分工一览表")
    >>> text = PlanText(Path("wenzhou-2018-duty-table.txt"), "utf-8", lines, sha256="0" * 64)
    >>> text.line(3)
    '2018年温州市食品安全工作责任分工一览表'
    >>> text.line(4)
    Traceback (most recent call last):
    ...
    IndexError: wenzhou-2018-duty-table.txt has lines 1-3, not line 4
    """

    path: Path
    #: "utf-8", "utf-8-sig" (a BOM was removed), "gb18030", or a Big5 codec name.
    encoding: str
    #: Line i (1-based) is lines[i - 1].
    lines: tuple[str, ...] = field(repr=False)
    #: SHA-256 of the raw bytes, BOM included.
    sha256: str

    def line(self, number: int) -> str:
        """The text of 1-based line `number`.

        :raises IndexError: `number` is not a line of the file (0 and negative numbers included).
        """
        if not 1 <= number <= len(self.lines):
            raise IndexError(f"{self.path} has lines 1-{len(self.lines)}, not line {number}")
        return self.lines[number - 1]


def read_plan(path: Path | str, *, max_bytes: int = 20_000_000, max_line_chars: int = 200_000) -> PlanText:
    r"""Read a plan file as UTF-8, UTF-8 with BOM or (detected) GB18030/GBK text, split into lines.

    Strict UTF-8 is tried first; only when it fails is charset-normalizer asked, and its answer is taken only
    when it names a Chinese encoding that decodes the whole file cleanly.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     plan = Path(folder, "jiaojiang-2020-reform-tasks.txt")
    ...     plan_text = "一、加强食品安全监管\r\n区市场监管局牵头，区农水局、区卫健局按职责分工负责\r\n"
    ...     _ = plan.write_bytes(plan_text.encode("gbk"))
    ...     text = read_plan(plan)
    >>> text.encoding, len(text.lines)
    ('gb18030', 2)
    >>> text.line(2)
    '区市场监管局牵头，区农水局、区卫健局按职责分工负责'
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = Path(folder, "plan.docx").write_bytes(b"PK\x03\x04" + bytes(40))
    ...     try:
    ...         read_plan(Path(folder, "plan.docx"))
    ...     except PlanError as error:
    ...         print(error.reason)
    is a zip archive (.docx/.xlsx are zip too): save the plan as plain text

    :param path: the plan file.
    :param max_bytes: larger files are refused before they are read.
    :param max_line_chars: a longer line means the file is not a plan (or lost its line ends).
    :raises PlanError: the path is missing, a directory or unreadable; the file is empty, too large, an
        archive/PDF/Office document, binary, neither UTF-8 nor a Chinese encoding, cut off inside a character,
        has an overlong line, or contains no Chinese text. The message names the file and, where there is
        one, the line.
    :raises ValueError: `max_bytes` or `max_line_chars` is not positive.
    """
    if max_bytes < 1 or max_line_chars < 1:
        raise ValueError(f"max_bytes and max_line_chars must be positive, not {max_bytes}, {max_line_chars}")
    path = Path(path)
    data = _read_bytes(path, max_bytes=max_bytes)
    if not data.strip():
        raise PlanError(path, "file is empty")
    _refuse_containers(path, data)
    _refuse_binary(path, data)
    text, encoding = _decode(path, data)
    if not text.strip():
        raise PlanError(path, "file is empty")
    lines = _split_lines(text)
    too_long = next((number for number, line in enumerate(lines, 1) if len(line) > max_line_chars), None)
    if too_long is not None:
        raise PlanError(
            path,
            f"line is {len(lines[too_long - 1])} characters long; a plan line is at most {max_line_chars}",
            line=too_long,
        )
    if _HAN.search(text) is None:
        raise PlanError(path, "no Chinese text: not a plan")
    return PlanText(path=path, encoding=encoding, lines=lines, sha256=hashlib.sha256(data).hexdigest())


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The file's bytes, after the checks that need no content (exists, kind of file, size)."""
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise PlanError(path, "is a directory, not a plan file")
        # Opening a FIFO would block until a writer appears; a device could be endless.
        if not stat.S_ISREG(status.st_mode):
            raise PlanError(path, "is not a regular file (a device, pipe or socket)")
        if status.st_size > max_bytes:
            raise PlanError(path, _too_large(status.st_size, max_bytes))
        with path.open("rb") as handle:
            # One byte more than allowed tells a file that grew since stat() from one that did not.
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise PlanError(path, "no such file") from None
    except OSError as error:
        raise PlanError(path, f"cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise PlanError(path, _too_large(len(data), max_bytes))
    return data


def _too_large(size: int, max_bytes: int) -> str:
    return f"file is {size:,} bytes, larger than {max_bytes / 1_000_000:g} MB"


def _refuse_containers(path: Path, data: bytes) -> None:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise PlanError(path, f"{what}: {_SAVE_AS_TEXT}")
    if _BZIP2.match(data):
        raise PlanError(path, f"is bzip2-compressed: {_SAVE_AS_TEXT}")
    # Notepad's "Unicode" is UTF-16; its NUL bytes would otherwise be reported as binary data.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PlanError(path, "not UTF-8 or GB18030 text: it is UTF-16 ('Unicode'); save it as UTF-8", line=1)


def _refuse_binary(path: Path, data: bytes) -> None:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise PlanError(path, "binary data, not text (NUL byte)", line=_line_at(data, nul))
    first = _CONTROL.search(data)
    if first is None:
        return
    controls = len(data.translate(None, delete=_NOT_CONTROL))
    if controls > _CONTROL_SHARE * len(data):
        raise PlanError(
            path, f"binary data, not text ({controls:,} control bytes)", line=_line_at(data, first.start())
        )


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Strict UTF-8 (BOM removed), else a Chinese encoding charset-normalizer finds; else `PlanError`."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            bad = len(codecs.BOM_UTF8) + error.start
            if _is_incomplete_tail(data[bad:], "utf-8"):
                raise PlanError(path, _TRUNCATED, line=_line_at(data, bad)) from None
            raise PlanError(path, _not_text(data, bad), line=_line_at(data, bad)) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_bad = error.start
    if _is_incomplete_tail(data[utf8_bad:], "utf-8"):
        raise PlanError(path, _TRUNCATED, line=_line_at(data, utf8_bad))

    codec = _detect_chinese_codec(data, utf8_bad)
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as error:
            if _is_incomplete_tail(data[error.start :], codec):
                raise PlanError(path, _TRUNCATED, line=_line_at(data, error.start)) from None
        else:
            # GB18030 has a BOM of its own (84 31 95 33); it decodes to U+FEFF.
            return text.removeprefix("\ufeff"), codec
    # Each reading decodes cleanly up to its first bad byte; the one that reads further is the more likely
    # encoding of the file, so its bad byte is the damage worth pointing at: a UTF-8 plan with one stray
    # byte is named at that byte, a GBK plan with one at its byte, not at its first Chinese character.
    bad = max(utf8_bad, _first_bad_byte(data, "gb18030"))
    raise PlanError(path, _not_text(data, bad), line=_line_at(data, bad))


_TRUNCATED = "file ends in the middle of a character (truncated?)"


def _not_text(data: bytes, bad: int) -> str:
    return f"not UTF-8 or GB18030 text (byte 0x{data[bad]:02X})"


def _first_bad_byte(data: bytes, codec: str) -> int:
    """Offset of the first byte `codec` cannot decode; -1 when it decodes everything."""
    try:
        data.decode(codec)
    except UnicodeDecodeError as error:
        return error.start
    return -1


def _is_incomplete_tail(tail: bytes, codec: str) -> bool:
    """Whether `tail` (the bytes from the first decoding error to the end) is the start of a character."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        decoded = decoder.decode(tail, final=False)
    except UnicodeDecodeError:
        return False
    pending, _ = decoder.getstate()
    return decoded == "" and pending == tail


def _detect_chinese_codec(data: bytes, first_bad: int) -> str | None:
    """The codec to decode with when charset-normalizer names a Chinese encoding, else None.

    It is shown a window starting at the line of the first byte that is not UTF-8 (everything before is
    UTF-8, mostly ASCII, and tells nothing), cut so as not to end inside a character: charset-normalizer
    drops an encoding whose decoding of the window fails, and a window cut mid-character would fail.
    """
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 plans need it

    line_start = max(data.rfind(b"\n", 0, first_bad), data.rfind(b"\r", 0, first_bad)) + 1
    window = data[line_start : line_start + _DETECTION_WINDOW]
    # GB18030 and Big5 share character boundaries (lead byte >= 0x81, then one trail byte, or GB18030's
    # four-byte form), so GB18030's incremental decoder finds where the last whole character ends.
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        decoder.decode(window, final=False)
    except UnicodeDecodeError:
        pass  # not GB18030 anyway; let charset-normalizer judge the window as it is
    else:
        pending, _ = decoder.getstate()
        window = window[: len(window) - len(pending)]
    best = from_bytes(window).best()
    if best is None:
        return None
    return _CHINESE_CODECS.get(best.encoding)


def _line_at(data: bytes, offset: int) -> int:
    r"""1-based line of the byte at `offset`: LF, CR and CRLF each end a line, as in `_split_lines`.

    Neither byte occurs inside a multi-byte character of UTF-8, GB18030 or Big5, so raw bytes can be counted.

    >>> _line_at("附件\r\n\r\n2018年".encode("gb18030"), 8)
    3
    """
    return data.count(b"\n", 0, offset) + data.count(b"\r", 0, offset) - data.count(b"\r\n", 0, offset) + 1


def _split_lines(text: str) -> tuple[str, ...]:
    r"""Lines without their ends; a final line end does not start another (empty) line.

    `str.splitlines` is not used: it also splits at VT, FF, U+2028 and others, which would shift line numbers
    away from what editors and `wc -l` show.

    >>> _split_lines("附件\r\n\r\t2018年温州市\t\n")
    ('附件', '', '\t2018年温州市\t')
    """
    parts = _LINE_END.split(text)
    if parts[-1] == "":
        parts.pop()
    return tuple(parts)
