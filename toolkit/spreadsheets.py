"""The one guard for every spreadsheet the application writes (CSV and .xlsx injection, OWASP).

Text that a user typed, or that an anonymous caller put on the record (a failed login records the
user name), must not become a live formula in the reader's Excel. Text that starts with one of
``= + - @``, with a tab or a line break, or with whitespace before one of those (and the
full-width forms a Chinese input method types) is neutralised:

- in .xlsx it is written as a text cell (data type ``s``, never ``f``) with Excel's own quote
  prefix (the style flag Excel sets when one types ``'=…``): it shows and imports unchanged, and
  stays text when edited in Excel;
- in CSV, which has no cell types, it gets a leading single quote.

Real numbers, dates and booleans are not text and pass unchanged (a negative amount stays a number).
"""

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")


def is_formula_like(value) -> bool:
    """Whether a spreadsheet program could read the text ``value`` as a formula."""
    if not isinstance(value, str) or not value:
        return False
    return value[0] in FORMULA_TRIGGERS or value.lstrip()[:1] in FORMULA_TRIGGERS


def xlsx_cell(sheet, value):
    """``value`` as it may go into ``sheet.append``: unchanged if harmless, else a text cell.

    Also drops the control characters .xlsx cannot hold (openpyxl would refuse the whole file)."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_row(sheet, values) -> list:
    """A row of values for ``sheet.append``, each through ``xlsx_cell``."""
    return [xlsx_cell(sheet, value) for value in values]


def csv_value(value):
    """``value`` as it may go to ``csv.writer``: formula-like text gets a leading single quote."""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_row(values) -> list:
    """A row for ``csv.writer.writerow``, each value through ``csv_value``."""
    return [csv_value(value) for value in values]
