"""The office's list of cross-department findings in its jurisdiction: filtering the checks'
answer (already cached, so nothing here queries the database) and its .xlsx export."""

import io
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from toolkit.spreadsheets import xlsx_row

from .checks import Finding, FindingKind, Ref


@dataclass
class FindingFilter:
    kind: str = ""
    department: int | None = None
    instrument: int | None = None

    @classmethod
    def from_query(cls, query) -> "FindingFilter":
        """Parsed from a GET query; anything unreadable is ignored rather than refused."""

        def number(name):
            value = query.get(name, "").strip()
            return int(value) if value.isdigit() else None

        kind = query.get("kind", "")
        return cls(kind=kind if kind in FindingKind.values else "", department=number("department"), instrument=number("instrument"))

    def keeps(self, finding: Finding, *, with_kind: bool = True) -> bool:
        return (
            (not with_kind or not self.kind or finding.kind == self.kind)
            and (self.department is None or self.department in finding.department_ids)
            and (self.instrument is None or finding.instrument_id == self.instrument)
        )


@dataclass
class FindingReport:
    findings: list[Finding]
    # Per kind, under the department and instrument filters (so that each reads as "if I
    # chose this kind, I would see so many").
    counts: list[tuple[str, str, int]]
    departments: list[Ref]
    instruments: list[Ref]


def finding_report(found: list[Finding], chosen: FindingFilter) -> FindingReport:
    counts = Counter(f.kind for f in found if chosen.keeps(f, with_kind=False))
    departments = {d for f in found for d in f.departments}
    instruments = {f.instrument for f in found}
    return FindingReport(
        findings=[f for f in found if chosen.keeps(f)],
        counts=[(value, str(label), counts.get(value, 0)) for value, label in FindingKind.choices],
        departments=sorted(departments, key=lambda d: (d.name, d.id)),
        instruments=sorted(instruments, key=lambda i: (i.name, i.id)),
    )


def findings_to_xlsx(found: list[Finding]) -> bytes:
    """One row per finding; every text cell goes through the formula guard, since names and
    messages come from departments' own spreadsheets."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Findings"))
    header = [_("Problem"), _("Instrument"), _("Provisions"), _("Departments"), _("Detail"), _("Entries")]
    bold = Font(bold=True)
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    sep = _(", ")
    for finding in found:
        sheet.append(
            xlsx_row(
                sheet,
                [
                    finding.kind_label,
                    finding.instrument_name,
                    sep.join(finding.provisions) or _("whole instrument"),
                    sep.join(finding.department_names),
                    finding.message,
                    sep.join(str(pk) for pk in finding.entry_ids),
                ],
            )
        )
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
