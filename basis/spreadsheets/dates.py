"""Dates as departments write them in a sheet: 2021-04-29, 2021年4月29日, 2021/4/29, 2021.4.29, an
Excel date cell, or the serial number Excel keeps when the cell lost its date format."""

import re
import unicodedata
from datetime import date, timedelta

_FULL = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_YEAR_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?|(\d{4})\s*年?")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)
# Serials of 1927 to 2173: a five-digit number in a date column is a date that lost its format.
_SERIAL_RANGE = (10_000, 99_999)


class ImpossibleDate(ValueError):
    """A date that does not exist (2024-13-45, 2021年2月30日) or text that is no date."""


def parse_sheet_date(text: str) -> date | None:
    """The date in a cell; None when it gives only a year or a month (nothing to compare).
    Raises ``ImpossibleDate`` for a date that does not exist or text that is no date."""
    text = unicodedata.normalize("NFKC", text).strip()
    if match := _FULL.fullmatch(text):
        year, month, day = (int(group) for group in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise ImpossibleDate(text) from None
    if _SERIAL.fullmatch(text) and _SERIAL_RANGE[0] <= float(text) <= _SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + timedelta(days=int(float(text)))
    if match := _YEAR_MONTH.fullmatch(text):
        month = match.group(2)
        if month is not None and not 1 <= int(month) <= 12:
            raise ImpossibleDate(text)
        return None
    raise ImpossibleDate(text)
