"""A plan's matrix as files staff open in Excel: CSV (UTF-8 with a byte-order mark, which Excel needs to read
Chinese) and .xlsx. Both hold the same cells (`matrix_table`): one row per task in plan order — key, task,
deadlines — and one column per agency, each cell the agency's role (牵头, 配合, 负责; （推定） when only reasoning
gives it). The .xlsx adds a second sheet counting each agency's tasks by role.

openpyxl is imported inside `matrix_xlsx`, so nothing else pays for it.

>>> from dutygraph.kg.plan_views import _example_store, plan_matrix
>>> table = matrix_table(plan_matrix(_example_store(), "jiaojiang-2020-reform-tasks", inferred=False))
>>> table[0][:4]
['任务编号', '任务', '完成时限', '台州市椒江区市场监督管理局']
>>> table[7][:4]
['jiaojiang-2020-07', '加强和优化食品安全抽检工作。', '2020年底前完成', '牵头']
"""

from __future__ import annotations

import csv
import io

from dutygraph.kg.plan_views import PlanMatrix

__all__ = ["CSV_MEDIA_TYPE", "XLSX_MEDIA_TYPE", "matrix_csv", "matrix_table", "matrix_xlsx"]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_HEADER = ("任务编号", "任务", "完成时限")
_COUNT_HEADER = ("单位", "牵头", "配合", "负责", "参与（推定）", "其中推定", "任务合计")
_BOM = "\ufeff"
# A spreadsheet reads a cell that opens with one of these as a formula; plan text must stay text.
_FORMULA_OPENERS = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """`text` as a spreadsheet shows it without evaluating it (OWASP's advice for CSV injection).

    >>> _inert("=1+1"), _inert("区农水局")
    ("'=1+1", '区农水局')
    """
    return "'" + text if text.startswith(_FORMULA_OPENERS) else text


def matrix_table(matrix: PlanMatrix) -> list[list[str]]:
    """The matrix as rows of text: a header (任务编号, 任务, 完成时限, then the agencies), then one row per task;
    an empty string where an agency has no role on a task."""
    rows = [[*_HEADER, *(column.label for column in matrix.agencies)]]
    for task in matrix.tasks:
        cells = {column.iri: "" for column in matrix.agencies}
        for cell in matrix.cells_of(task.iri):
            cells[cell.agency] = "、".join(filter(None, (cells[cell.agency], cell.label)))
        rows.append([task.key, task.title, task.deadlines, *cells.values()])
    return [[_inert(text) for text in row] for row in rows]


def matrix_csv(matrix: PlanMatrix) -> bytes:
    """The matrix as CSV, UTF-8 with a byte-order mark and CRLF line ends (what Excel opens without asking).

    >>> from dutygraph.kg.plan_views import _example_store, plan_matrix
    >>> data = matrix_csv(plan_matrix(_example_store(), "wenzhou-2018-duty-table"))
    >>> data[:3] == "\\ufeff".encode(), data.decode("utf-8-sig").splitlines()[1].split(",")[0]
    (True, 'wenzhou-2018-01')
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(matrix_table(matrix))
    return (_BOM + out.getvalue()).encode("utf-8")


def matrix_xlsx(matrix: PlanMatrix) -> bytes:
    """The matrix as an Excel workbook: sheet 分工矩阵 holds `matrix_table` (header frozen), sheet 单位统计 each
    agency's counts (leads, assists, responsible, implied, of which inferred, all tasks).

    >>> import io, openpyxl
    >>> from dutygraph.kg.plan_views import _example_store, plan_matrix
    >>> book = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(plan_matrix(_example_store(), "wenzhou-2018-duty-table"))))
    >>> book.sheetnames, book["分工矩阵"].max_row
    (['分工矩阵', '单位统计'], 33)
    """
    # openpyxl ships no type information (nor does the project depend on types-openpyxl).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.worksheets[0])  # the unnamed sheet a new workbook opens with
    sheet = book.create_sheet("分工矩阵")
    table = matrix_table(matrix)
    for row in table:
        sheet.append([text or None for text in row])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 48
    sheet.column_dimensions["C"].width = 18
    for row in sheet.iter_rows(min_row=2, max_col=2, min_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    counts = book.create_sheet("单位统计")
    counts.append(list(_COUNT_HEADER))
    for column in matrix.agencies:
        counts.append(
            [
                _inert(column.label),
                column.leads,
                column.assists,
                column.responsible,
                column.involved,
                column.inferred,
                column.tasks,
            ]
        )
    for cell in counts[1]:
        cell.font = bold
    counts.column_dimensions["A"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
