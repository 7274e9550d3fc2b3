"""Punctuation and spacing as plans write them: full-width and half-width forms, stray spaces from PDF copies.

Loaders match on `fold()`ed text (one form of each mark) but keep the wording as printed for `as_written`.
"""

from __future__ import annotations

import re

# Half-width → full-width for the marks that structure plan text; digits and Latin letters go the other way.
_TO_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ";": "；", ",": "，", "!": "！", "?": "？"})
_FULLWIDTH_ALNUM = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH_ALNUM.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH_ALNUM.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH_ALNUM.update({"％": "%", "／": "/", "．": ".", "　": " ", "\u00a0": " ", "﹪": "%"})
_TO_HALF = str.maketrans(_FULLWIDTH_ALNUM)

_SPACE_BETWEEN_CJK = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """One form of each mark: full-width brackets and clause marks, half-width digits, %, / and dots.

    >>> fold("区市场监管局(牵头) 63％ ４.5批次／千人")
    '区市场监管局（牵头） 63% 4.5批次/千人'
    """
    return text.translate(_TO_HALF).translate(_TO_FULL)


def squeeze(text: str) -> str:
    """Collapse white space; drop spaces next to Chinese characters (PDF copies put them between words).

    >>> squeeze("到 2023 年底，排放量比 2020 年下降 2%")
    '到2023年底，排放量比2020年下降2%'
    >>> squeeze("导入 HACCP 或 ISO22000 体系")
    '导入HACCP或ISO22000体系'
    """
    text = _SPACES.sub(" ", text.replace("\u3000", " ").replace("\u00a0", " ")).strip()
    return _SPACE_BETWEEN_CJK.sub("", text)


def normalise(text: str) -> str:
    """`fold` then `squeeze`: the form every rule in `loaders/` matches against.

    >>> normalise(" 区卫健局 、区市场监管局按职责分工负责 ")
    '区卫健局、区市场监管局按职责分工负责'
    """
    return squeeze(fold(text))


def strip_brackets(text: str) -> str:
    """Remove parenthesised asides, nested or unbalanced, e.g. 区纪委（区监委） → 区纪委.

    >>> strip_brackets("各街道（镇））党委")
    '各街道党委'
    """
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "（":
            depth += 1
        elif ch == "）":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def split_outside_brackets(text: str, separators: str) -> list[str]:
    """Split on any of `separators` that is not inside （…）.

    >>> split_outside_brackets("各县（市、区）政府、功能区管委会，市市场监管局", "、，")
    ['各县（市、区）政府', '功能区管委会', '市市场监管局']
    """
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "（":
            depth += 1
        elif ch == "）":
            depth = max(depth - 1, 0)
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def first_sentence(text: str) -> str:
    """The text up to its first full stop (。；), without the stop — a prose item's own short name.

    >>> first_sentence("落实食品安全责任制。贯彻《规定》，制定举措。")
    '落实食品安全责任制'
    """
    match = re.search(r"[。]", text)
    return (text[: match.start()] if match else text).strip()
