"""Reconsideration (行政复议) and litigation (行政诉讼) outcomes per department: entered one by
one or imported from a spreadsheet (parsed to a preview first; a sheet with any bad row is
refused whole, row by row, and nothing of it is saved)."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import guarded
from audit.models import AuditAction
from audit.services import event_record
from authority.models import PowerKind
from organisations.models import Organisation, OrganisationKind

from . import permissions as appraisal_perms
from .models import CaseOutcome, Outcome, Proceeding
from .services import AppraisalError

COLUMNS = ("department_code", "proceeding", "case_number", "decided_on", "outcome", "power_code", "power_kind")
HEADERS = ("部门编码", "程序", "案号", "决定日期", "结果", "职权编码", "职权类别")


# The words a sheet uses, whatever the interface language (with the codes and the labels).
PROCEEDING_WORDS = {"行政复议": Proceeding.RECONSIDERATION, "复议": Proceeding.RECONSIDERATION,
                    "行政诉讼": Proceeding.LITIGATION, "诉讼": Proceeding.LITIGATION}
OUTCOME_WORDS = {
    "维持": Outcome.UPHELD, "驳回": Outcome.UPHELD, "撤销": Outcome.ANNULLED, "变更": Outcome.CHANGED,
    "确认违法": Outcome.CONFIRMED_UNLAWFUL, "责令履行": Outcome.ORDERED_TO_ACT, "责令履职": Outcome.ORDERED_TO_ACT,
    "撤回": Outcome.WITHDRAWN, "和解": Outcome.WITHDRAWN, "撤诉": Outcome.WITHDRAWN, "终止": Outcome.WITHDRAWN,
}


def _label_map(choices, words) -> dict[str, str]:
    mapping = dict(words)
    for value, label in choices:
        mapping[value] = value
        mapping[str(label)] = value
    return mapping


@dataclass
class Preview:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _raw_rows(upload) -> list[list]:
    from openpyxl import load_workbook

    if upload.kind == "csv":
        return [row for row in csv.reader(io.StringIO(upload.text))]
    workbook = load_workbook(io.BytesIO(upload.data), read_only=True, data_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def outcomes_preview(*, jurisdiction: Organisation, upload) -> Preview:
    """Parse ``upload`` (an ``inspect_upload`` result) into rows and row-level messages."""
    preview = Preview()
    raw = [r for r in _raw_rows(upload) if any(v not in (None, "") for v in r)]
    if not raw:
        preview.errors.append(_("The sheet has no rows."))
        return preview
    header = [str(v or "").strip() for v in raw[0]]
    expected = list(HEADERS)
    if header[: len(expected)] != expected and header[: len(expected)] != list(COLUMNS):
        preview.errors.append(_("The first row must be the headers: %(headers)s.") % {"headers": "、".join(HEADERS)})
        return preview
    if any(h for h in header[len(expected):]):
        preview.errors.append(_("Columns after %(last)s are not read; remove them.") % {"last": HEADERS[-1]})
    departments = {
        d.code: d for d in Organisation.objects.filter(jurisdiction=jurisdiction, kind=OrganisationKind.DEPARTMENT, office_function="")
    }
    kinds = {k.code: k for k in PowerKind.objects.all()} | {k.name: k for k in PowerKind.objects.all()}
    proceedings, outcomes = _label_map(Proceeding.choices, PROCEEDING_WORDS), _label_map(Outcome.choices, OUTCOME_WORDS)
    today = timezone.localdate()
    seen = set()
    for number, values in enumerate(raw[1:], start=2):
        values = [("" if v is None else v) for v in list(values) + [""] * len(COLUMNS)][: len(COLUMNS)]
        cells = dict(zip(COLUMNS, values))
        text = {k: str(v).strip() for k, v in cells.items() if not isinstance(v, (datetime.date, datetime.datetime))}
        problems = []
        department = departments.get(text.get("department_code", ""))
        if department is None:
            problems.append(_("unknown department code “%(code)s”") % {"code": text.get("department_code", "")})
        proceeding = proceedings.get(text.get("proceeding", ""))
        if proceeding is None:
            problems.append(_("the proceeding must be 行政复议 or 行政诉讼"))
        outcome = outcomes.get(text.get("outcome", ""))
        if outcome is None:
            problems.append(_("unknown outcome “%(value)s”") % {"value": text.get("outcome", "")})
        decided = _parse_date(cells["decided_on"])
        if decided is None:
            problems.append(_("the date “%(value)s” is not a date (YYYY-MM-DD)") % {"value": cells["decided_on"]})
        elif decided > today or decided.year < 1990:
            problems.append(_("the date %(value)s is impossible") % {"value": decided.isoformat()})
        if not text.get("case_number"):
            problems.append(_("the case number is missing"))
        kind = None
        if text.get("power_kind"):
            kind = kinds.get(text["power_kind"])
            if kind is None:
                problems.append(_("unknown power kind “%(value)s”") % {"value": text["power_kind"]})
        key = (text.get("department_code"), proceeding, text.get("case_number"))
        if key in seen:
            problems.append(_("the same case appears twice"))
        seen.add(key)
        if problems:
            preview.errors.append(_("Row %(row)s: %(problems)s.") % {"row": number, "problems": "；".join(problems)})
            continue
        preview.rows.append({
            "row": number, "department": department, "proceeding": proceeding, "case_number": text["case_number"],
            "decided_on": decided, "outcome": outcome, "power_code": text.get("power_code", ""), "power_kind": kind,
        })
    return preview


def _office_check(actor, *, jurisdiction, **_kw):
    return appraisal_perms.can_manage_appraisal(actor, jurisdiction), jurisdiction


@guarded(_office_check)
def outcomes_import(*, actor, jurisdiction: Organisation, upload) -> int:
    """Save every row of a valid sheet; a sheet with any error saves nothing."""
    preview = outcomes_preview(jurisdiction=jurisdiction, upload=upload)
    if preview.errors:
        raise AppraisalError("\n".join(preview.errors))
    existing = set(CaseOutcome.objects.filter(department__jurisdiction=jurisdiction).values_list("department_id", "proceeding", "case_number"))
    clashes = [r for r in preview.rows if (r["department"].pk, r["proceeding"], r["case_number"]) in existing]
    if clashes:
        raise AppraisalError(" ".join(_("Row %(row)s: case %(number)s is recorded already.") % {"row": r["row"], "number": r["case_number"]} for r in clashes))
    CaseOutcome.objects.bulk_create([
        CaseOutcome(department=r["department"], proceeding=r["proceeding"], case_number=r["case_number"], decided_on=r["decided_on"],
                    outcome=r["outcome"], power_code=r["power_code"], power_kind=r["power_kind"], entered_by=actor)
        for r in preview.rows
    ])
    event_record(action=AuditAction.IMPORT, actor=actor, obj=jurisdiction, message=_("Reconsideration and litigation outcomes imported"),
                 detail={"file": upload.name, "rows": len(preview.rows)})
    return len(preview.rows)


@guarded(lambda actor, *, department, **kw: (appraisal_perms.can_manage_appraisal(actor, department.jurisdiction), department))
def outcome_create(*, actor, department: Organisation, proceeding: str, case_number: str, decided_on: datetime.date,
                   outcome: str, power_code: str = "", power_kind: PowerKind | None = None) -> CaseOutcome:
    if decided_on > timezone.localdate():
        raise AppraisalError(_("The decision date cannot be in the future."))
    if CaseOutcome.objects.filter(department=department, proceeding=proceeding, case_number=case_number.strip()).exists():
        raise AppraisalError(_("This case is recorded already."))
    record = CaseOutcome.objects.create(department=department, proceeding=proceeding, case_number=case_number.strip(), decided_on=decided_on,
                                        outcome=outcome, power_code=power_code.strip(), power_kind=power_kind, entered_by=actor)
    event_record(action=AuditAction.CREATE, actor=actor, obj=record, message=_("Outcome recorded"))
    return record


def reversal_by_kind(outcomes) -> list[dict]:
    """Reversal rate per power kind of ``outcomes`` (the same rule as the indicator)."""
    from .indicators import q2, reversal_counts

    groups: dict = {}
    for o in outcomes:
        groups.setdefault(o.power_kind.name if o.power_kind_id else _("Power kind not known"), []).append(o)
    rows = []
    for name, members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        reversed_count, decided = reversal_counts(members)
        rows.append({"kind": name, "reversed": reversed_count, "decided": decided,
                     "rate": q2(100 * reversed_count / decided) if decided else None})
    return rows

