"""Export of a catalogue, and of the office's city-wide compilation (汇编), to .xlsx in exactly the
import shape: the header in row 1, the same columns and words, so that an export imports again
into the same entries.

The workbook is written in openpyxl's streaming (write-only) mode from chunks of plain values:
each chunk of entries costs one fetch plus one query per many-to-many field, whatever its size,
and no more than one chunk is held in memory.
"""

import io
from itertools import islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from toolkit.spreadsheets import xlsx_row

from ..models import CatalogueEntry
from ..numbering import provision_label
from . import columns as col

CHUNK = 2000
_ORDER = ("catalogue__department__path", "catalogue__version", "position", "pk")
_VALUES = (
    "pk",
    "position",
    "instrument__name",
    "instrument__issuing_organ",
    "instrument__document_number",
    "instrument__effective_on",
    "category",
    "lead_department__name",
    "rights_and_duties",
    "subject_kind",
    "principal__name",
    "catalogue__department__name",
)
_WIDTHS = {
    col.DEPARTMENT: 24,
    col.POSITION: 6,
    col.INSTRUMENT: 36,
    col.ISSUING_ORGAN: 20,
    col.DOCUMENT_NUMBER: 20,
    col.EFFECTIVE_ON: 12,
    col.PROVISIONS: 30,
    col.CATEGORY: 10,
    col.LEAD: 24,
    col.JOINT: 24,
    col.ASSISTING: 24,
    col.RIGHTS: 50,
    col.SUBJECT_KIND: 14,
    col.PRINCIPAL: 20,
}


def catalogue_to_xlsx(catalogue) -> bytes:
    """One catalogue version, in the shape ``parse_catalogue_upload`` reads."""
    stream = io.BytesIO()
    _write(CatalogueEntry.objects.filter(catalogue=catalogue), col.CATALOGUE_FIELDS, "执法依据目录", stream)
    return stream.getvalue()


def compilation_to_xlsx(catalogues) -> bytes:
    """The compilation (汇编) of the given catalogues (a queryset, already scoped and filtered
    by the caller): one sheet, the department first, then a catalogue's columns."""
    stream = io.BytesIO()
    compilation_write(catalogues, stream)
    return stream.getvalue()


def compilation_write(catalogues, stream) -> None:
    """As ``compilation_to_xlsx``, written to a binary file object (a temporary file, for a
    compilation too large to hold twice in memory)."""
    entries = CatalogueEntry.objects.filter(catalogue__in=catalogues.order_by().values("pk"))
    _write(entries, (col.DEPARTMENT, *col.CATALOGUE_FIELDS), "执法依据汇编", stream)


def _write(entries, fields: tuple[str, ...], title: str, stream) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, name in enumerate(fields, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[name]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in fields:
        cell = WriteOnlyCell(sheet, value=col.header_for(name))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in _rows(entries):
        # Text a department typed is text: the shared guard keeps "=…" from becoming a formula.
        sheet.append(xlsx_row(sheet, (values[name] for name in fields)))
    workbook.save(stream)


def _rows(entries):
    iterator = entries.order_by(*_ORDER).values_list(*_VALUES).iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        ids = [row[0] for row in chunk]
        provisions = _provision_labels(ids)
        joint = _department_names("joint_departments", ids)
        assisting = _department_names("assisting_departments", ids)
        for (
            pk,
            position,
            instrument,
            issuing_organ,
            document_number,
            effective_on,
            category,
            lead,
            rights,
            subject_kind,
            principal,
            department,
        ) in chunk:
            yield {
                col.DEPARTMENT: department,
                col.POSITION: position,
                col.INSTRUMENT: instrument,
                col.ISSUING_ORGAN: issuing_organ,
                col.DOCUMENT_NUMBER: document_number,
                col.EFFECTIVE_ON: effective_on,
                col.PROVISIONS: "、".join(provisions.get(pk, ())),
                col.CATEGORY: col.CATEGORY_WORDS.get(category, category),
                col.LEAD: lead,
                col.JOINT: "、".join(joint.get(pk, ())),
                col.ASSISTING: "、".join(assisting.get(pk, ())),
                col.RIGHTS: rights,
                col.SUBJECT_KIND: col.SUBJECT_KIND_WORDS.get(subject_kind, subject_kind),
                col.PRINCIPAL: principal or "",
            }


def _provision_labels(ids: list[int]) -> dict[int, list[str]]:
    field = CatalogueEntry._meta.get_field("provisions")
    entry, provision = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows = (
        field.remote_field.through.objects.filter(**{f"{entry}_id__in": ids})
        .order_by(f"{provision}__article", f"{provision}__paragraph", f"{provision}__item")
        .values_list(f"{entry}_id", f"{provision}__article", f"{provision}__paragraph", f"{provision}__item")
    )
    labels: dict[int, list[str]] = {}
    for pk, article, paragraph, item in rows:
        labels.setdefault(pk, []).append(provision_label(article, paragraph, item))
    return labels


def _department_names(name: str, ids: list[int]) -> dict[int, list[str]]:
    field = CatalogueEntry._meta.get_field(name)
    entry, organisation = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows = (
        field.remote_field.through.objects.filter(**{f"{entry}_id__in": ids})
        .order_by(f"{organisation}__path")
        .values_list(f"{entry}_id", f"{organisation}__name")
    )
    names: dict[int, list[str]] = {}
    for pk, department in rows:
        names.setdefault(pk, []).append(department)
    return names
