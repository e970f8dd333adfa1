"""Import of a department's catalogue from a spreadsheet, in two steps: ``parse_catalogue_upload``
reads and validates the file into an ``ImportPreview`` (nothing is saved), and
``import_confirm`` replaces the draft's entries with a clean preview's rows, all or nothing.

Every rejected row is reported with its row number as Excel shows it (the header is row 1 unless
title rows precede it), the column header as the file writes it, and the reason. Lookups of
instruments, articles and departments are loaded once per file, so a 10,000-row file costs a
handful of queries.
"""

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

from organisations.models import (
    Organisation,
    OrganisationKind,
    SubjectKind,
    SuccessionKind,
)
from organisations.selectors import current_successors
from workflow.review import WorkflowError

from .. import services
from ..models import InstrumentStatus, LegalInstrument, ManagementCategory, Provision
from ..numbering import parse_provisions, provision_label
from ..upload_guard import XLSX, UploadRefused, inspect_upload, max_rows, xml_refusal
from . import columns as col
from .dates import ImpossibleDate, parse_sheet_date

MAX_COLUMNS = 64
# Department files often open with a title row or two ("XX局行政执法依据目录") above the header.
HEADER_SEARCH_ROWS = 10
# Keeps each IN (...) list well inside every database's limit on query parameters.
LOOKUP_CHUNK = 500
PREVIEW_FORMAT = 2

_LIST_SEPARATORS = re.compile(r"[、，,；;/\s]+")
_NATIONAL_PREFIX = "中华人民共和国"
# 实施依据 as the 权责清单 writes it: the instrument in book-title marks, then its articles.
_CITED = re.compile(r"《([^》]+)》\s*(.*)", re.S)


class ImportRefused(WorkflowError):
    """A confirm that cannot go ahead (the preview has errors, or is for another catalogue)."""

    status_code = 400


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    # For an instrument missing from the registry: what the row says of it, to propose it.
    propose: dict | None = None


@dataclass
class ImportRow:
    """One valid row, by ids: what ``services.EntryData`` needs once the ids are looked up.
    Provisions are (article, paragraph, item) of ``instrument``, 0 where absent."""

    row: int
    instrument: int
    provisions: list[tuple[int, int, int]]
    category: str
    lead_department: int
    joint_departments: list[int] = field(default_factory=list)
    assisting_departments: list[int] = field(default_factory=list)
    rights_and_duties: str = ""
    subject_kind: str = SubjectKind.STATUTORY_ORGAN.value
    principal: int | None = None


@dataclass
class ImportPreview:
    department: int
    rows: list[ImportRow]
    errors: list[RowError]
    file_name: str = ""
    # [index, header as written] of each column that maps to no field: shown, never dropped silently.
    ignored_columns: list[list] = field(default_factory=list)
    # [header as written, field, index] of each column read.
    columns: list[list] = field(default_factory=list)
    # Column index (as text) → field, as the editor mapped unknown columns by hand.
    overrides: dict[str, str] = field(default_factory=dict)
    header_row: int = 1
    warnings: list[RowError] = field(default_factory=list)
    # Rejected rows as the file wrote them: {row, cells, messages, instrument_name}.
    rejected: list[dict] = field(default_factory=list)
    # Dates of the sheet that differ from the registry's: {row, instrument, field, sheet_date, registry_date}.
    date_checks: list[dict] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def has_header_errors(self) -> bool:
        return any(error.row == self.header_row for error in self.errors)

    @property
    def can_keep_rejected(self) -> bool:
        """Row errors only, and some rows valid: the valid rows may go in now, the others onto
        the catalogue's to-fix list."""
        return bool(self.errors) and bool(self.rows) and not self.has_header_errors

    @property
    def ignored_headers(self) -> list[str]:
        return [header for _index, header in self.ignored_columns]

    def to_json(self) -> str:
        """The preview as ids and plain values, to keep between the preview and the confirm
        request. Keep it on the server (the session): it is trusted when confirmed."""
        data = {
            "format": PREVIEW_FORMAT,
            "department": self.department,
            "file_name": self.file_name,
            "ignored_columns": self.ignored_columns,
            "columns": self.columns,
            "overrides": self.overrides,
            "header_row": self.header_row,
            "warnings": [vars(warning) for warning in self.warnings],
            "rejected": self.rejected,
            "date_checks": self.date_checks,
            # vars() rather than asdict(), which deep-copies every value: ten times slower here.
            "rows": [vars(row) for row in self.rows],
            "errors": [vars(error) for error in self.errors],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "ImportPreview":
        try:
            data = json.loads(text)
            if data.pop("format") != PREVIEW_FORMAT:
                raise ValueError("unknown preview format")
            rows = [
                ImportRow(**{**row, "provisions": [tuple(p) for p in row["provisions"]]})
                for row in data.pop("rows")
            ]
            errors = [RowError(**error) for error in data.pop("errors")]
            warnings = [RowError(**warning) for warning in data.pop("warnings")]
            return cls(rows=rows, errors=errors, warnings=warnings, **data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError("not a stored import preview") from exc

    def entry_data(self) -> list[services.EntryData]:
        """The rows with their objects, for showing the preview. A paragraph or item that the
        registry does not list yet (only its article) is an unsaved Provision here; confirming
        adds it."""
        return _entry_data(self, create_missing=False)


# -- Parsing ----------------------------------------------------------------------------------


def parse_catalogue_upload(
    uploaded_file, *, department: Organisation, overrides: dict[str, str] | None = None
) -> ImportPreview:
    """Read and validate an uploaded .xlsx or .csv catalogue for ``department``. Raises
    ``UploadRefused`` when the file as a whole is refused; row-level problems are in
    ``preview.errors``. ``overrides`` maps columns (index as text) the editor chose by hand to
    fields. Saves nothing."""
    upload = inspect_upload(uploaded_file)
    lines = xlsx_rows(upload.data) if upload.kind == XLSX else csv_rows(upload.text)
    overrides = {
        str(index): name for index, name in (overrides or {}).items() if name in col.MAPPABLE_FIELDS
    }
    sheet = _Sheet.read(lines, overrides)
    preview = _Validator(department, sheet).run()
    preview.file_name = upload.name
    preview.overrides = overrides
    return preview


def xlsx_rows(data: bytes):
    """The first worksheet's rows as lists of cell texts, read within the upload guard's limits
    (refuses a damaged workbook and XML entity tricks with a message for the user). Shared by
    every spreadsheet import."""
    damaged = _("The workbook could not be read; it may be damaged. Open it in Excel and save it again.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (InvalidFileException, ParseError, zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError) as exc:
        # openpyxl wraps what the parser raised in a ValueError of its own.
        if isinstance(exc, DefusedXmlException) or isinstance(exc.__cause__, DefusedXmlException):
            raise UploadRefused(xml_refusal()) from None
        raise UploadRefused(damaged) from None
    try:
        if not workbook.worksheets:
            raise UploadRefused(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        # The stored dimension is not trusted: "A1:XFD1048576" would make openpyxl pad every
        # row to 16,384 cells and the sheet to a million rows.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell_text(value) for value in values]
    except DefusedXmlException:
        raise UploadRefused(xml_refusal()) from None
    except (ParseError, zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError):
        raise UploadRefused(damaged) from None
    finally:
        workbook.close()


def csv_rows(text: str):
    """A decoded CSV (comma or tab separated) as lists of cell texts, like ``xlsx_rows``."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield [_cell_text(value) for value in values[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise UploadRefused(_("The CSV file could not be read: %(error)s") % {"error": exc}) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class _Sheet:
    header_row: int
    columns: dict  # field → (index, header as written)
    ignored: list[list]  # [index, header as written]
    errors: list[RowError]
    records: list[tuple[int, dict, list]]  # (row number, field → text, the row's cells)

    @classmethod
    def read(cls, lines, overrides: dict[str, str] | None = None) -> "_Sheet":
        sheet = None
        limit = max_rows()
        for number, values in enumerate(lines, start=1):
            if sheet is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                known = [f for f in (col.field_for_header(value) for value in values if value) if f]
                # A title reading just "执法依据" is no header: a header names more than one column.
                # Without a known instrument column it takes three, so the editor can map it.
                if (col.INSTRUMENT in known and len(known) > 1) or len(known) >= 3:
                    sheet = cls._from_header(number, values, overrides or {})
                continue
            record = {
                name: values[index] if index < len(values) else ""
                for name, (index, _header) in sheet.columns.items()
            }
            # Templates come with 序号 filled in down the page, and end with notes (填表人…) in
            # columns of their own: a row with nothing in the entry's columns is no entry.
            if not any(record[name] for name in record if name not in col.IGNORED_FIELDS):
                continue
            if len(sheet.records) >= limit:
                raise UploadRefused(
                    _("The file has more than %(limit)d rows. Split it into smaller files.") % {"limit": limit}
                )
            sheet.records.append((number, record, values))
        if sheet is None:
            raise UploadRefused(
                _(
                    "No header row was found: one of the first %(rows)d rows must name the columns, "
                    "for example 法律法规名称, 条款, 管理类别, 主要执行部门."
                )
                % {"rows": HEADER_SEARCH_ROWS}
            )
        if not sheet.records:
            raise UploadRefused(_("The file has a header row but no entries."))
        return sheet

    @classmethod
    def _from_header(cls, number: int, values: list[str], overrides: dict[str, str]) -> "_Sheet":
        columns, ignored, errors = {}, [], []
        for index, header in enumerate(values):
            if not header:
                continue
            field_name = overrides.get(str(index)) or col.field_for_header(header)
            if field_name is None:
                ignored.append([index, header])
            elif field_name in columns:
                errors.append(
                    RowError(
                        number,
                        header,
                        _("Column “%(other)s” already gives this; keep one of the two.")
                        % {"other": columns[field_name][1]},
                    )
                )
            else:
                columns[field_name] = (index, header)
        for field_name in col.REQUIRED_FIELDS:
            if field_name not in columns:
                message = _("This required column is missing.")
                if ignored:
                    message = _(
                        "This required column is missing. If one of the columns not read is it, choose "
                        "“%(header)s” for that column below."
                    ) % {"header": col.header_for(field_name)}
                errors.append(RowError(number, col.header_for(field_name), message))
        return cls(header_row=number, columns=columns, ignored=ignored, errors=errors, records=[])

    @property
    def headers(self) -> dict[int, str]:
        found = {index: header for index, header in self.ignored}
        found.update({index: header for index, header in self.columns.values()})
        return found


# -- Validation -------------------------------------------------------------------------------


class _Validator:
    def __init__(self, department: Organisation, sheet: _Sheet):
        self.department = department
        self.sheet = sheet
        self.default_subject_kind = department.subject_kind or SubjectKind.STATUTORY_ORGAN.value
        self.instruments = _instrument_index()
        self.departments = _DepartmentIndex(department)
        self.articles: set[tuple[int, int]] = set()

    def run(self) -> ImportPreview:
        resolved = {}
        for number, record, _values in self.sheet.records:
            _split_cited(record)
            resolved[number] = self._instrument(record)
        self.articles = _articles_of({pk for pk, _message in resolved.values() if pk})
        rows, errors = [], list(self.sheet.errors)
        self.warnings: list[RowError] = []
        self.date_checks: list[dict] = []
        rejected = []
        seen: dict[tuple, int] = {}
        for number, record, values in self.sheet.records:
            row, row_errors = self._row(number, record, resolved[number])
            if row is not None:
                key = (row.instrument, tuple(sorted(row.provisions)))
                if key in seen:
                    row_errors.append(
                        self._error(
                            number,
                            col.INSTRUMENT,
                            _("Same instrument and provisions as row %(row)d.") % {"row": seen[key]},
                        )
                    )
                else:
                    seen[key] = number
            if row_errors:
                errors.extend(row_errors)
                rejected.append(self._rejected(number, record, values, row_errors))
            elif row is not None:
                rows.append(row)
        order = {name: index for name, (index, _header) in self.sheet.columns.items()}
        by_header = {header: order[name] for name, (_index, header) in self.sheet.columns.items()}
        errors.sort(key=lambda error: (error.row, by_header.get(error.column, MAX_COLUMNS)))
        return ImportPreview(
            department=self.department.pk,
            rows=rows,
            errors=errors,
            ignored_columns=self.sheet.ignored,
            columns=[
                [header, name, index] for name, (index, header) in sorted(self.sheet.columns.items(), key=lambda c: c[1][0])
            ],
            header_row=self.sheet.header_row,
            warnings=self.warnings,
            rejected=rejected,
            date_checks=self.date_checks,
        )

    def _rejected(self, number: int, record: dict, values: list, row_errors: list[RowError]) -> dict:
        headers = self.sheet.headers
        return {
            "row": number,
            "cells": {headers[i]: value for i, value in enumerate(values) if value and i in headers},
            "messages": [f"{error.column}：{error.message}" for error in row_errors],
            "instrument_name": record.get(col.INSTRUMENT, "")[:200],
        }

    def _header(self, field_name: str) -> str:
        column = self.sheet.columns.get(field_name)
        return column[1] if column else col.header_for(field_name)

    def _error(self, number: int, field_name: str, message: str) -> RowError:
        return RowError(number, self._header(field_name), message)

    def _instrument(self, record: dict) -> tuple[int | None, str]:
        name = record.get(col.INSTRUMENT, "")
        if not name:
            return None, ""
        return self.instruments.find(name, record.get(col.DOCUMENT_NUMBER, ""))

    def _row(self, number: int, record: dict, instrument: tuple) -> tuple[ImportRow | None, list[RowError]]:
        errors: list[RowError] = []

        def fail(field_name: str, message: str) -> None:
            errors.append(self._error(number, field_name, message))

        required = _("This cell must be filled in.")
        for field_name in col.REQUIRED_FIELDS:
            if field_name in self.sheet.columns and not record.get(field_name):
                fail(field_name, required)

        instrument_id, message = instrument
        if message:
            fail(col.INSTRUMENT, message)
            if instrument_id is None and not self.instruments.is_ambiguous(record.get(col.INSTRUMENT, "")):
                errors[-1] = RowError(errors[-1].row, errors[-1].column, message, propose=self._proposal(record))
        self._dates(number, record, instrument_id, fail)
        provisions = self._provisions(record.get(col.PROVISIONS, ""), instrument_id, fail)

        category = None
        if text := record.get(col.CATEGORY, ""):
            category = col.CATEGORY_SYNONYMS.get(col.word_key(text))
            if category is None:
                fail(
                    col.CATEGORY,
                    _("Unknown management category “%(value)s”: write 单一主管, 共同管理 or 协同管理.")
                    % {"value": text},
                )

        lead = None
        errors_before = len(errors)
        if text := record.get(col.LEAD, ""):
            names = _split_names(text)
            if len(names) > 1:
                fail(col.LEAD, _("Name one lead department; put the others under joint or assisting departments."))
            else:
                lead = self._department(names[0], col.LEAD, fail)
        joint = self._department_list(record.get(col.JOINT, ""), col.JOINT, fail)
        assisting = self._department_list(record.get(col.ASSISTING, ""), col.ASSISTING, fail)
        # With a department not found, the rules about who takes part would only repeat it.
        departments_found = len(errors) == errors_before

        subject_kind = self.default_subject_kind
        if text := record.get(col.SUBJECT_KIND, ""):
            subject_kind = col.SUBJECT_KIND_SYNONYMS.get(col.word_key(text))
            if subject_kind is None:
                fail(
                    col.SUBJECT_KIND,
                    _("Unknown enforcement subject kind “%(value)s”: write 法定行政机关, 法定授权组织 or 受委托组织.")
                    % {"value": text},
                )
        principal = None
        principal_text = record.get(col.PRINCIPAL, "")
        if subject_kind == SubjectKind.ENTRUSTED and not principal_text:
            fail(col.PRINCIPAL, _("An entrusted organisation must name its principal."))
        elif subject_kind and subject_kind != SubjectKind.ENTRUSTED and principal_text:
            fail(col.PRINCIPAL, _("Only an entrusted organisation has a principal."))
        elif principal_text:
            principal = self._department(principal_text, col.PRINCIPAL, fail)

        if category and lead and departments_found:
            self._check_category(category, lead, joint, assisting, fail)

        if errors or instrument_id is None or category is None or lead is None or subject_kind is None:
            return None, errors
        if subject_kind == SubjectKind.ENTRUSTED and principal is None:
            return None, errors
        return (
            ImportRow(
                row=number,
                instrument=instrument_id,
                provisions=provisions,
                category=category,
                lead_department=lead,
                joint_departments=joint,
                assisting_departments=assisting,
                rights_and_duties=record.get(col.RIGHTS, ""),
                subject_kind=subject_kind,
                principal=principal,
            ),
            errors,
        )

    def _proposal(self, record: dict) -> dict:
        """What the row says of an instrument the registry lacks, to propose it prefilled."""
        effective = ""
        try:
            parsed = parse_sheet_date(record.get(col.EFFECTIVE_ON, "")) if record.get(col.EFFECTIVE_ON) else None
            effective = parsed.isoformat() if parsed else ""
        except ImpossibleDate:
            pass
        return {
            "name": _normalise_name(record.get(col.INSTRUMENT, "")),
            "issuing_organ": record.get(col.ISSUING_ORGAN, ""),
            "document_number": record.get(col.DOCUMENT_NUMBER, ""),
            "effective_on": effective,
        }

    def _dates(self, number: int, record: dict, instrument_id: int | None, fail) -> None:
        """Dates are read and checked, never written to the registry: an impossible one is an
        error; one the registry gives otherwise is a warning, and a note for the office."""
        for field_name in col.DATE_FIELDS:
            text = record.get(field_name, "")
            if not text:
                continue
            try:
                found = parse_sheet_date(text)
            except ImpossibleDate:
                fail(
                    field_name,
                    _("“%(value)s” is not a date: write it as 2021年4月29日 or 2021-04-29.") % {"value": text},
                )
                continue
            if found is None or instrument_id is None:
                continue
            registry = self.instruments.dates[instrument_id][col.DATE_FIELDS.index(field_name)]
            if registry == found:
                continue
            self.date_checks.append(
                {
                    "row": number,
                    "instrument": instrument_id,
                    "field": field_name,
                    "sheet_date": found.isoformat(),
                    "registry_date": registry.isoformat() if registry else None,
                }
            )
            values = {
                "instrument": self.instruments.names[instrument_id],
                "sheet": _date_text(found),
                "registry": _date_text(registry) if registry else "",
            }
            if registry is None:
                message = _(
                    "The sheet gives %(sheet)s for %(instrument)s; the registry has no date. The legal-affairs "
                    "office will be told when you confirm."
                ) % values
            else:
                message = _(
                    "The sheet gives %(sheet)s for %(instrument)s, the registry %(registry)s. The registry's date "
                    "is kept; the legal-affairs office will be told when you confirm."
                ) % values
            self.warnings.append(self._error(number, field_name, message))

    def _provisions(self, text: str, instrument_id: int | None, fail) -> list[tuple[int, int, int]]:
        if not text:
            return []
        try:
            references = parse_provisions(text)
        except ValueError:
            fail(col.PROVISIONS, _("Write provisions as 第十条 or 第十二条第二款, separated by 、."))
            return []
        if instrument_id is None:
            return []
        found = []
        for article, paragraph, item in references:
            if (instrument_id, article) not in self.articles:
                fail(
                    col.PROVISIONS,
                    _("%(instrument)s has no %(label)s in the registry.")
                    % {"instrument": self.instruments.names[instrument_id], "label": provision_label(article)},
                )
                continue
            position = (article, paragraph or 0, item or 0)
            if position not in found:
                found.append(position)
        return found

    def _department(self, name: str, field_name: str, fail) -> int | None:
        pk, message = self.departments.find(name)
        if message:
            fail(field_name, message)
        return pk

    def _department_list(self, text: str, field_name: str, fail) -> list[int]:
        found = []
        for name in _split_names(text):
            pk = self._department(name, field_name, fail)
            if pk is not None and pk not in found:
                found.append(pk)
        return found

    def _check_category(self, category, lead, joint, assisting, fail) -> None:
        own = self.department.pk
        name = self.department.name
        if category == ManagementCategory.SOLE:
            if lead != own:
                fail(
                    col.LEAD,
                    _("An entry of sole management (单一主管) must be led by the importing department, %(department)s.")
                    % {"department": name},
                )
            if joint:
                fail(col.JOINT, _("An entry of sole management (单一主管) has no joint departments."))
            return
        if category == ManagementCategory.JOINT and not joint:
            fail(col.JOINT, _("An entry of joint management (共同管理) must name its joint departments."))
        if category == ManagementCategory.COORDINATED and not (joint or assisting):
            fail(
                col.ASSISTING,
                _("An entry of coordinated management (协同管理) must name the departments it works with."),
            )
        if own != lead and own not in joint and own not in assisting:
            fail(
                col.LEAD,
                _("%(department)s must take part in the entry, as lead, joint or assisting department.")
                % {"department": name},
            )


def _date_text(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _split_cited(record: dict) -> None:
    """An instrument cell written as 实施依据 is ("《食品安全法》第十条"): the name, and the articles
    when no column of their own gives them."""
    match = _CITED.fullmatch(record.get(col.INSTRUMENT, "").strip())
    if match and match.group(2).strip():
        record[col.INSTRUMENT] = match.group(1)
        if not record.get(col.PROVISIONS):
            record[col.PROVISIONS] = match.group(2).strip()


def _split_names(text: str) -> list[str]:
    return [name for name in _LIST_SEPARATORS.split(text) if name]


def _normalise_name(name: str) -> str:
    """Instrument names as people write them: in book-title marks, with stray spaces, with
    half- or full-width brackets."""
    name = re.sub(r"\s", "", name).strip("《》〈〉")
    return name.replace("(", "（").replace(")", "）")


class _InstrumentIndex:
    def __init__(self, rows):
        self.by_name: dict[str, list[tuple[int, str, str]]] = {}
        self.names: dict[int, str] = {}
        self.dates: dict[int, tuple] = {}  # (effective_on, promulgated_on), as col.DATE_FIELDS
        for pk, name, status, number, effective_on, promulgated_on in rows:
            self.by_name.setdefault(_normalise_name(name), []).append((pk, status, number))
            self.names[pk] = name
            self.dates[pk] = (effective_on, promulgated_on)
        self._cache: dict[tuple[str, str], tuple[int | None, str]] = {}

    def find(self, name: str, document_number: str) -> tuple[int | None, str]:
        key = (name, document_number)
        if key not in self._cache:
            self._cache[key] = self._find(name, document_number)
        return self._cache[key]

    def _candidates(self, name: str):
        normal = _normalise_name(name)
        candidates = self.by_name.get(normal)
        if candidates is None and not normal.startswith(_NATIONAL_PREFIX):
            # National laws are often written without the country's name: 行政处罚法.
            candidates = self.by_name.get(_NATIONAL_PREFIX + normal)
        return candidates or []

    def is_ambiguous(self, name: str) -> bool:
        return len(self._candidates(name)) > 1

    def _find(self, name: str, document_number: str) -> tuple[int | None, str]:
        candidates = self._candidates(name)
        if not candidates:
            return None, _(
                "“%(name)s” is not in the registry of legal instruments. The legal-affairs office keeps the "
                "registry: propose the instrument to it, or correct the name."
            ) % {"name": name}
        if len(candidates) > 1 and document_number:
            numbered = [c for c in candidates if _normalise_name(c[2]) == _normalise_name(document_number)]
            candidates = numbered or candidates
        if len(candidates) > 1:
            current = [c for c in candidates if c[1] != InstrumentStatus.REPEALED]
            candidates = current or candidates
        if len(candidates) > 1:
            return None, _(
                "Several instruments in the registry are named “%(name)s”; give its document number (文号) too."
            ) % {"name": name}
        return candidates[0][0], ""


def _instrument_index() -> _InstrumentIndex:
    return _InstrumentIndex(
        LegalInstrument.objects.values_list("pk", "name", "status", "document_number", "effective_on", "promulgated_on")
    )


def _articles_of(instrument_ids: set[int]) -> set[tuple[int, int]]:
    articles = set()
    ids = sorted(instrument_ids)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        articles.update(
            Provision.objects.filter(instrument_id__in=ids[start : start + LOOKUP_CHUNK])
            .values_list("instrument_id", "article")
            .distinct()
        )
    return articles


def department_candidates(department: Organisation):
    """The departments an entry of ``department`` may name: the enforcement departments of its
    government's area (a city's includes its counties'), as the entry form offers them."""
    government = department.jurisdiction or department.get_root()
    return Organisation.objects.filter(
        kind=OrganisationKind.DEPARTMENT,
        office_function="",
        is_active=True,
        path__startswith=government.path,
    )


class _DepartmentIndex:
    """Departments by code, by exact name, and by a unique ending of the name among the
    departments of the importer's own government (市场监督管理局 for 陇南市市场监督管理局)."""

    def __init__(self, department: Organisation):
        self.jurisdiction_id = department.jurisdiction_id
        self.government_path = (department.jurisdiction or department.get_root()).path
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, int | None]]] = {}
        self.local: list[tuple[int, str]] = []
        self.names: dict[int, str] = {}
        for pk, code, name, jurisdiction_id in department_candidates(department).values_list(
            "pk", "code", "name", "jurisdiction_id"
        ):
            self.by_code[code] = pk
            self.by_name.setdefault(name, []).append((pk, jurisdiction_id))
            self.names[pk] = name
            if jurisdiction_id == self.jurisdiction_id:
                self.local.append((pk, name))
        self._cache: dict[str, tuple[int | None, str]] = {}

    def find(self, text: str) -> tuple[int | None, str]:
        if text not in self._cache:
            self._cache[text] = self._find(text)
        return self._cache[text]

    def _find(self, text: str) -> tuple[int | None, str]:
        if text in self.by_code:
            return self.by_code[text], ""
        matches = self.by_name.get(text, [])
        if len(matches) > 1:
            # The same name in two areas: the department of the importer's government is meant.
            matches = [match for match in matches if match[1] == self.jurisdiction_id] or matches
        if not matches:
            matches = [(pk, self.jurisdiction_id) for pk, name in self.local if name.endswith(text)]
        if len(matches) == 1:
            return matches[0][0], ""
        if not matches:
            return None, self._ended(text) or _("Unknown department “%(name)s”: write its full name or its code.") % {
                "name": text
            }
        listed = "、".join(sorted(self.names[pk] for pk, _jurisdiction in matches)[:5])
        return None, _("“%(name)s” could be several departments (%(matches)s); write the full name.") % {
            "name": text,
            "matches": listed,
        }


    def _ended(self, text: str) -> str:
        """The message for a department a reform ended (机构改革), naming the one that holds its
        functions now; "" when ``text`` names none. An error, not a silent substitution: the
        entry is a legal statement of who enforces, and a split or a merger can give the
        functions to more than one department, so the clerk writes the successor."""
        ended = Organisation.objects.filter(
            kind=OrganisationKind.DEPARTMENT, is_active=False, path__startswith=self.government_path
        )
        organisation = ended.filter(Q(code=text) | Q(name=text)).order_by("-ended_on").first() or (
            ended.filter(jurisdiction_id=self.jurisdiction_id, name__endswith=text).order_by("-ended_on").first()
        )
        if organisation is None:
            return ""
        successors = current_successors(organisation)
        if not successors:
            return _("%(name)s is no longer active (ended %(date)s); name the department that holds its functions now.") % {
                "name": organisation.name,
                "date": organisation.ended_on or "—",
            }
        latest = organisation.successions.order_by("-effective_on", "-id").first()
        if latest is not None and latest.kind == SuccessionKind.RENAMED and len(successors) == 1:
            return _("%(name)s was renamed %(suggestion)s on %(date)s: write the new name.") % {
                "name": organisation.name,
                "date": organisation.ended_on or "—",
                "suggestion": successors[0].name,
            }
        names = "、".join(successor.name for successor in successors)
        return _("%(name)s was abolished on %(date)s and its functions passed to %(successors)s: write %(suggestion)s instead.") % {
            "name": organisation.name,
            "date": organisation.ended_on or "—",
            "successors": names,
            "suggestion": successors[0].name,
        }


# -- Confirming -------------------------------------------------------------------------------


def import_confirm(*, actor, catalogue, preview: ImportPreview, keep_rejected: bool = False) -> int:
    """Replace ``catalogue``'s entries with the preview's rows (through
    ``services.entries_replace``, which checks the actor and the catalogue's status). Refused
    unless the preview is clean and was made for this catalogue's department; with
    ``keep_rejected``, a preview whose errors are all in rows goes in with its valid rows and
    the rejected ones become the catalogue's to-fix list. The dates that disagree with the
    registry are noted for the office. All in one transaction. Returns the number of entries."""
    if preview.errors and not (keep_rejected and preview.can_keep_rejected):
        raise ImportRefused(_("The file has errors; nothing was saved. Correct them and upload the file again."))
    if not preview.rows:
        raise ImportRefused(_("The file has a header row but no entries."))
    if preview.department != catalogue.department_id:
        raise ImportRefused(_("This preview was made for another department's catalogue."))
    with transaction.atomic():
        rows = _entry_data(preview, create_missing=True)
        count = services.entries_replace(actor=actor, catalogue=catalogue, rows=rows)
        services.pending_rows_replace(
            actor=actor, catalogue=catalogue, rows=preview.rejected if preview.errors else [], file_name=preview.file_name
        )
        services.date_disagreements_record(actor=actor, catalogue=catalogue, checks=preview.date_checks)
        return count


def _entry_data(preview: ImportPreview, *, create_missing: bool) -> list[services.EntryData]:
    stale = ImportRefused(_("The registry or the departments changed since the preview. Upload the file again."))
    instrument_ids = {row.instrument for row in preview.rows}
    instruments = LegalInstrument.objects.in_bulk(instrument_ids)
    department = Organisation.objects.get(pk=preview.department)
    organisation_ids = set()
    for row in preview.rows:
        organisation_ids.update([row.lead_department, *row.joint_departments, *row.assisting_departments])
        if row.principal:
            organisation_ids.add(row.principal)
    organisations = department_candidates(department).in_bulk(organisation_ids)
    if len(instruments) != len(instrument_ids) or len(organisations) != len(organisation_ids):
        raise stale

    provisions = _provisions_of(instrument_ids)
    wanted = {(row.instrument, *position) for row in preview.rows for position in row.provisions}
    articles = {(instrument, article) for instrument, article, _p, _i in provisions}
    missing = wanted - provisions.keys()
    if any((instrument, article) not in articles for instrument, article, _p, _i in missing):
        raise stale
    new = [
        Provision(instrument=instruments[instrument], article=article, paragraph=paragraph, item=item)
        for instrument, article, paragraph, item in sorted(missing)
    ]
    if create_missing and new:
        # A paragraph or item of an article the registry has: a finer address in the same law.
        Provision.objects.bulk_create(new, ignore_conflicts=True)
        provisions = _provisions_of(instrument_ids)
    else:
        provisions.update({(p.instrument_id, p.article, p.paragraph, p.item): p for p in new})

    return [
        services.EntryData(
            instrument=instruments[row.instrument],
            category=row.category,
            lead_department=organisations[row.lead_department],
            provisions=[provisions[(row.instrument, *position)] for position in row.provisions],
            joint_departments=[organisations[pk] for pk in row.joint_departments],
            assisting_departments=[organisations[pk] for pk in row.assisting_departments],
            rights_and_duties=row.rights_and_duties,
            subject_kind=row.subject_kind,
            principal=organisations[row.principal] if row.principal else None,
        )
        for row in preview.rows
    ]


def _provisions_of(instrument_ids: set[int]) -> dict[tuple[int, int, int, int], Provision]:
    found = {}
    ids = sorted(instrument_ids)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        for provision in Provision.objects.filter(instrument_id__in=ids[start : start + LOOKUP_CHUNK]):
            found[(provision.instrument_id, provision.article, provision.paragraph, provision.item)] = provision
    return found
