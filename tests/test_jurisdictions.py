"""The GB/T 2260 division table and how plan wording resolves to a jurisdiction code."""

from __future__ import annotations

import importlib.resources

import pytest

from dutygraph.loaders.jurisdictions import DivisionTable, division_table
from dutygraph.loaders.records import Jurisdiction, JurisdictionLevel


@pytest.fixture(scope="module")
def table() -> DivisionTable:
    return DivisionTable.load()


def codes(jurisdictions: tuple[Jurisdiction, ...]) -> list[str]:
    return [j.code for j in jurisdictions]


# The jurisdictions of the bundled plans and their parents.
@pytest.mark.parametrize(
    ("code", "name", "level", "parent_code"),
    [
        ("331002", "椒江区", "district", "331000"),
        ("330382", "乐清市", "county-level-city", "330300"),
        ("330300", "温州市", "prefecture-city", "330000"),
        ("120119", "蓟州区", "district", "120000"),
        ("331023", "天台县", "county", "331000"),
        ("330381", "瑞安市", "county-level-city", "330300"),
        ("330324", "永嘉县", "county", "330300"),
        ("330326", "平阳县", "county", "330300"),
        ("330328", "文成县", "county", "330300"),
        ("331000", "台州市", "prefecture-city", "330000"),
        ("330000", "浙江省", "province", None),
        ("120000", "天津市", "municipality", None),
    ],
)
def test_bundled_plan_jurisdictions(
    table: DivisionTable, code: str, name: str, level: JurisdictionLevel, parent_code: str | None
) -> None:
    assert table.by_code(code) == Jurisdiction(code, name, level, parent_code)


def test_unknown_code_raises_key_error(table: DivisionTable) -> None:
    with pytest.raises(KeyError, match="999999"):
        table.by_code("999999")


def test_load_is_one_shared_table() -> None:
    assert DivisionTable.load() is DivisionTable.load() is division_table()


def test_tsv_covers_china_and_every_parent_exists() -> None:
    tsv = importlib.resources.files("dutygraph.data") / "divisions" / "gb2260.tsv"
    lines = tsv.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code\tname\tlevel\tparent_code"
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) > 3000
    known = {row[0] for row in rows}
    assert all(parent in known for *_, parent in rows if parent)
    # Province-level rows are the only roots; the pseudo-rows of the official list are not divisions.
    assert {row[1] for row in rows if not row[3]} >= {"北京市", "天津市", "浙江省", "新疆维吾尔自治区"}
    assert all(len(row[0]) == 6 and row[0].endswith("0000") for row in rows if not row[3])
    assert not {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"} & {row[1] for row in rows}


def test_levels_follow_the_name_ending(table: DivisionTable) -> None:
    assert table.by_code("110000").level == "municipality"
    assert table.by_code("429021").level == "county"  # 神农架林区, a forestry area
    assert table.by_code("520203").level == "county"  # 六枝特区
    assert table.by_code("610103").level == "district"  # 碑林区 is a district named 碑林
    assert table.by_code("150784").level == "county-level-city"  # 额尔古纳市
    assert table.by_code("152921").level == "county"  # 阿拉善左旗


def test_parents_nearest_first(table: DivisionTable) -> None:
    assert codes(table.parents(table.by_code("331002"))) == ["331000", "330000"]
    assert codes(table.parents(table.by_code("330382"))) == ["330300", "330000"]
    # Districts of a municipality hang under it directly, not under the pseudo-row 市辖区.
    assert codes(table.parents(table.by_code("120119"))) == ["120000"]
    # Counties directly under a province (省直辖县级行政区划): 仙桃市.
    assert codes(table.parents(table.by_code("429004"))) == ["420000"]
    assert table.parents(table.by_code("330000")) == ()


def test_children(table: DivisionTable) -> None:
    wenzhou = table.children(table.by_code("330300"))
    assert {"鹿城区", "瑞安市", "乐清市", "永嘉县", "平阳县", "文成县"} <= {j.name for j in wenzhou}
    assert all(j.parent_code == "330300" for j in wenzhou)
    assert "120119" in codes(table.children(table.by_code("120000")))
    assert table.children(table.by_code("331023")) == ()


@pytest.mark.parametrize(
    ("code", "full", "short"),
    [
        ("331002", "台州市椒江区", "椒江"),
        ("120119", "天津市蓟州区", "蓟州"),
        ("330382", "乐清市", "乐清"),
        ("331023", "天台县", "天台"),
        ("330324", "永嘉县", "永嘉"),
        ("330300", "温州市", "温州"),
        ("330000", "浙江省", "浙江"),
        ("120000", "天津市", "天津"),
        ("140302", "阳泉市城区", "城区"),  # would shrink to one character
        ("350427", "沙县", "沙县"),
        ("331127", "景宁畲族自治县", "景宁"),
        ("532530", "金平苗族瑶族傣族自治县", "金平"),
        ("622926", "东乡族自治县", "东乡"),
        ("652300", "昌吉回族自治州", "昌吉"),
        ("450000", "广西壮族自治区", "广西"),
        ("150000", "内蒙古自治区", "内蒙古"),
        ("310115", "上海市浦东新区", "浦东"),
        ("610103", "西安市碑林区", "碑林"),
    ],
)
def test_full_and_short_names(table: DivisionTable, code: str, full: str, short: str) -> None:
    jurisdiction = table.by_code(code)
    assert table.full_name(jurisdiction) == full
    assert table.short_name(jurisdiction) == short


def test_full_names_identify_one_division(table: DivisionTable) -> None:
    full_names = [table.full_name(j) for j in table]
    assert len(full_names) == len(set(full_names)) == len(table)
    for jurisdiction in (table.by_code(code) for code in ("331002", "110105", "220104", "140302")):
        assert table.lookup(table.full_name(jurisdiction)) == (jurisdiction,)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("台州市椒江区", "331002"),
        ("天津市蓟州区", "120119"),
        ("乐清市", "330382"),
        ("椒江区", "331002"),
        ("瑞安", "330381"),
        ("椒江", "331002"),
        ("天台", "331023"),
        ("浙江省台州市椒江区", "331002"),
        ("温州瑞安", "330381"),
        ("景宁县", "331127"),
        ("恩施州", "422800"),
    ],
)
def test_lookup_best_candidate(table: DivisionTable, written: str, code: str) -> None:
    assert table.lookup(written)[0].code == code


def test_lookup_ambiguous_names_returns_all(table: DivisionTable) -> None:
    assert codes(table.lookup("朝阳区")) == ["110105", "220104"]
    assert codes(table.lookup("吉林")) == ["220000", "220200"]  # the province before the city
    # The official name of a county comes before a district whose short name is the same word.
    assert codes(table.lookup("朝阳")) == ["110105", "211300", "211321", "220104"]


def test_lookup_within(table: DivisionTable) -> None:
    wenzhou, jilin_province = table.by_code("330300"), table.by_code("220000")
    assert codes(table.lookup("瑞安", within=wenzhou)) == ["330381"]
    assert codes(table.lookup("朝阳区", within=jilin_province)) == ["220104"]
    assert codes(table.lookup("朝阳区", within=table.by_code("110000"))) == ["110105"]
    assert table.lookup("椒江", within=wenzhou) == ()
    assert codes(table.lookup("温州市", within=wenzhou)) == ["330300"]


def test_lookup_unknown(table: DivisionTable) -> None:
    assert table.lookup("市场") == ()
    assert table.lookup("") == ()
    assert table.lookup("各乡镇（街道）") == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("台州市椒江区食品安全领域改革重点任务清单", "331002"),
        ("蓟州区2020年食品安全监督管理计划", "120119"),
        ("乐清市食品安全示范城市国省联创工作方案", "330382"),
        ("2018年温州市食品安全工作责任分工一览表", "330300"),
        ("2019年天台县食品安全工作要点", "331023"),
        ("天津市蓟州区人民政府办公室关于印发", "120119"),
        ("乐清市人民政府办公室文件", "330382"),
        ("浙江省台州市天台县食品安全委员会", "331023"),
        ("北京市朝阳区食品安全工作要点", "110105"),
        ("长春市朝阳区2021年食品安全工作计划", "220104"),
        ("朝阳区食品安全工作要点（北京市食品安全委员会办公室）", "110105"),  # parent named elsewhere
        ("阳泉市城区食品安全工作要点", "140302"),
        ("恩施州食品安全工作要点", "422800"),
        ("关于印发沙县食品安全工作要点的通知", "350427"),
        ("温州市关于转发天台县食品安全工作要点的通知", "330300"),  # the first place named is the subject
    ],
)
def test_find_in_text(table: DivisionTable, text: str, code: str) -> None:
    found = table.find_in_text(text)
    assert found is not None
    assert found.code == code


@pytest.mark.parametrize(
    "text",
    [
        "朝阳区食品安全工作要点",  # 北京 or 长春: no guess
        "城区食品安全工作要点",  # 城区 is a district in several cities, and a word
        "主城区农贸市场食品安全整治方案",
        "永安市场食品安全整治方案",  # a market, not 永安市
        "市场监管局食品安全工作要点",
        "加强县级食品安全监管能力建设",
        "推进简单县级事项下放",  # 单县 inside a word
        "",
    ],
)
def test_find_in_text_names_nothing(table: DivisionTable, text: str) -> None:
    assert table.find_in_text(text) is None


def test_bad_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="parent 331000"):
        DivisionTable([Jurisdiction("331002", "椒江区", "district", "331000")])
    zhejiang = Jurisdiction("330000", "浙江省", "province")
    with pytest.raises(ValueError, match="twice"):
        DivisionTable([zhejiang, zhejiang])
