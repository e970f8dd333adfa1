"""The shared spreadsheet guard: formula-like text is marked as text, everything else passes."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from toolkit.spreadsheets import csv_row, csv_value, is_formula_like, xlsx_row

DANGEROUS = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1", "\u3000＝1", "＋1", "－1", "＠A1",
             "=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0"]
HARMLESS = ["", "执法依据", "1+1", "a=b", "第十条", "'=already quoted", " 1"]
VALUES = [-1, 0, 3.5, Decimal("-2.50"), True, None, datetime.date(2026, 1, 2), datetime.datetime(2026, 1, 2, 3, 4)]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_recognised(text):
    assert is_formula_like(text)


@pytest.mark.parametrize("value", HARMLESS + VALUES)
def test_other_values_are_not(value):
    assert not is_formula_like(value)


def _roundtrip(values, write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    sheet.append(xlsx_row(sheet, values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return next(load_workbook(buffer).worksheets[0].iter_rows())


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_text_cells_keep_their_text_and_are_never_formulas(write_only):
    cells = _roundtrip(DANGEROUS + HARMLESS[1:], write_only)
    # XML reads a carriage return as a line feed: that is the file format, not the guard.
    assert [cell.value for cell in cells] == [text.replace("\r", "\n") for text in DANGEROUS + HARMLESS[1:]]
    assert all(cell.data_type == "s" for cell in cells)
    assert [bool(cell.quotePrefix) for cell in cells] == [True] * len(DANGEROUS) + [False] * (len(HARMLESS) - 1)


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_numbers_and_dates_stay_numbers_and_dates(write_only):
    cells = _roundtrip([-1, 3.5, datetime.date(2026, 1, 2), datetime.datetime(2026, 1, 2, 3, 4)], write_only)
    assert [cell.data_type for cell in cells] == ["n", "n", "d", "d"]
    assert cells[0].value == -1 and cells[1].value == 3.5 and cells[2].value.date() == datetime.date(2026, 1, 2)


def test_xlsx_drops_characters_a_workbook_cannot_hold():
    assert [cell.value for cell in _roundtrip(["a\x00b\x1b", "\x07=1"], True)] == ["ab", "=1"]


def test_csv_prefixes_a_quote_to_formula_like_text_only():
    stream = io.StringIO()
    csv.writer(stream).writerow(csv_row(["=1+1", "@A1", "-1+1", "\t=1", "执法", -1, 2.5, None]))
    fields = next(csv.reader(io.StringIO(stream.getvalue())))
    assert fields == ["'=1+1", "'@A1", "'-1+1", "'\t=1", "执法", "-1", "2.5", ""]
    assert csv_value(-1) == -1 and csv_value(datetime.date(2026, 1, 2)) == datetime.date(2026, 1, 2)
