"""Power items to and from the 权责清单 spreadsheet counties already publish: 职权名称, 职权类型,
职权编码, 实施主体, 实施依据, 承办机构, 审核转报, 责任事项, 追责情形.

The headers and the Chinese words in cells are a file format, not interface text: they are not
translated, so an export made in any interface language imports again anywhere. The upload
checks (kind of file by its bytes, zip-bomb and XML limits) are the basis import's.
"""

import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook

from basis.numbering import parse_chinese_number
from basis.spreadsheets.columns import normalise_header
from basis.spreadsheets.importing import csv_rows, xlsx_rows
from basis.upload_guard import XLSX, UploadRefused, inspect_upload
from organisations.models import Organisation, OrganisationKind
from toolkit.spreadsheets import xlsx_row

from .forms import parse_basis
from .models import Breakdown, PowerKind, ProcedureStage, TimeUnit
from .services import PowerData, StepData, current_catalogue_instruments

NAME, KIND, CODE, ORGAN, BASIS, AGENCY, FORWARDS, DUTIES, GROUNDS = (
    "name", "kind", "code", "enforcing_organ", "basis", "handling_agency", "forwards_only", "duties", "grounds",
)
POSITION = "position"  # the export's running number: read, and left aside
HEADERS: dict[str, tuple[str, ...]] = {
    POSITION: ("序号",),
    NAME: ("职权名称", "事项名称", "权力名称", "权责事项名称", "权力事项名称", "职权事项", "项目名称"),
    KIND: ("职权类型", "权力类型", "事项类型", "职权类别", "权力类别", "权责类型", "类型"),
    CODE: ("职权编码", "权力编码", "事项编码", "编码", "权力代码", "事项代码", "职权代码", "基本编码"),
    ORGAN: ("实施主体", "法定主体", "实施机关", "实施主体/法定主体", "行使主体", "执法主体", "实施部门"),
    BASIS: ("实施依据", "设定依据", "法律依据", "依据", "设定和实施依据", "法定依据"),
    AGENCY: ("承办机构", "责任处室", "承办处室", "内设机构", "承办科室", "责任科室"),
    FORWARDS: ("审核转报", "是否审核转报", "是否为审核转报"),
    DUTIES: ("责任事项", "责任事项内容", "责任事项及时限"),
    GROUNDS: ("追责情形", "问责情形", "追责事项", "责任追究情形"),
}
_FIELD_BY_HEADER = {normalise_header(name): f for f, names in HEADERS.items() for name in names}
REQUIRED = (NAME, KIND, CODE, BASIS)
YES = {"是", "Y", "y", "yes", "true", "1", "√"}

_SEGMENT = re.compile(r"(?:^|\n|(?<=[。；;]))\s*(?:\d+|[一二三四五六七八九十]+)[\.、．]\s*")
_TIME_LIMIT = re.compile(r"([0-9]+|[零一二三四五六七八九十百]+)个?(工作日|日|天)")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class PowerImport:
    rows: list[tuple[PowerData, list[StepData]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Headers (as written) of the columns no field reads: listed, never dropped silently.
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.errors


def parse_powers_upload(uploaded_file, *, breakdown: Breakdown) -> PowerImport:
    """Read and check every row; saves nothing. ``UploadRefused`` if the file as a whole is."""
    upload = inspect_upload(uploaded_file)
    lines = xlsx_rows(upload.data) if upload.kind == XLSX else csv_rows(upload.text)
    return _Reader(breakdown).run(lines)


class _Reader:
    def __init__(self, breakdown: Breakdown):
        self.breakdown = breakdown
        department = breakdown.department
        self.department = department
        self.kinds = {k.name: k for k in PowerKind.objects.all()} | {k.code: k for k in PowerKind.objects.all()}
        # 行政监督检查 is how the plan writes the provincial 行政监督.
        if "行政监督" in self.kinds:
            self.kinds.setdefault("行政监督检查", self.kinds["行政监督"])
        subtree = Organisation.objects.filter(path__startswith=department.path)
        self.organs = {o.name: o for o in subtree.exclude(kind=OrganisationKind.AGENCY)}
        self.agencies = {o.name: o for o in subtree.filter(kind=OrganisationKind.AGENCY)}
        self.stages = list(ProcedureStage.objects.order_by("-order"))
        self.allowed = current_catalogue_instruments(department)

    def run(self, lines) -> PowerImport:
        result = PowerImport()
        columns = None
        codes: dict[str, int] = {}
        for number, values in enumerate(lines, start=1):
            if columns is None:
                columns = self._header(values)
                if columns is not None:
                    taken = set(columns.values())
                    result.ignored_columns = [v for i, v in enumerate(values) if v.strip() and i not in taken]
                    missing = [HEADERS[f][0] for f in REQUIRED if f not in columns]
                    if missing:
                        raise UploadRefused(_("The sheet lacks the columns %(columns)s.") % {"columns": "、".join(missing)})
                continue
            record = {f: (values[i] if i < len(values) else "").strip() for f, i in columns.items()}
            if not any(value for name, value in record.items() if name != POSITION):
                continue
            row, errors = self._row(number, record)
            if row and row[0].code in codes:
                errors.append(RowError(number, HEADERS[CODE][0], _("Code %(code)s repeats row %(row)d.") % {"code": row[0].code, "row": codes[row[0].code]}))
            if errors:
                result.errors.extend(errors)
            else:
                codes[row[0].code] = number
                result.rows.append(row)
        if columns is None:
            raise UploadRefused(_("No header row with 职权名称 was found."))
        return result

    @staticmethod
    def _header(values) -> dict | None:
        """Headers compared as the basis import compares them: full- or half-width, spaces and
        line breaks inside, punctuation, a trailing note in brackets."""
        columns = {}
        for index, value in enumerate(values):
            normal = normalise_header(value)
            field_name = _FIELD_BY_HEADER.get(normal) or _FIELD_BY_HEADER.get(
                normalise_header(re.sub(r"[（(][^）)]*[）)]\s*$", "", value))
            )
            if field_name and field_name not in columns:
                columns[field_name] = index
        return columns if NAME in columns else None

    def _row(self, number: int, record: dict):
        errors: list[RowError] = []

        def fail(field_name: str, message: str) -> None:
            errors.append(RowError(number, HEADERS[field_name][0], message))

        for field_name in REQUIRED:
            if not record.get(field_name):
                fail(field_name, _("Required."))
        kind = self.kinds.get(record.get(KIND, ""))
        if record.get(KIND) and kind is None:
            fail(KIND, _("Unknown kind %(kind)s.") % {"kind": record[KIND]})
        organ = self.organs.get(record.get(ORGAN, "")) if record.get(ORGAN) else self.department
        if organ is None:
            fail(ORGAN, _("%(name)s is not %(department)s or an organisation under it.") % {"name": record[ORGAN], "department": self.department.name})
        agency = None
        if record.get(AGENCY):
            agency = self.agencies.get(record[AGENCY])
            if agency is None:
                fail(AGENCY, _("%(name)s is not an internal agency of %(department)s.") % {"name": record[AGENCY], "department": self.department.name})
        provisions = []
        if record.get(BASIS):
            provisions, basis_errors = parse_basis(re.sub(r"[；;]\s*", "\n", record[BASIS]))
            for message in basis_errors:
                fail(BASIS, str(message))
            outside = sorted({p.instrument.name for p in provisions if p.instrument_id not in self.allowed})
            if outside:
                fail(BASIS, _("%(instruments)s is not in the current basis catalogue of %(department)s.") % {
                    "instruments": "、".join(f"《{n}》" for n in outside), "department": self.department.name})
        steps = self._steps(record.get(DUTIES, ""))
        if errors:
            return None, errors
        data = PowerData(
            name=record[NAME], code=record[CODE], kind=kind, enforcing_organ=organ, provisions=provisions,
            handling_agency=agency, forwards_only=record.get(FORWARDS, "") in YES,
            accountability_grounds=record.get(GROUNDS, ""),
        )
        return (data, steps), []

    def _steps(self, text: str) -> list[StepData]:
        """责任事项 as numbered stage duties ("1.立案责任：……十个工作日内予以立案。2.调查责任：……")."""
        steps = []
        for segment in filter(None, (s.strip() for s in _SEGMENT.split(text))):
            head = re.split(r"[：:]", segment, maxsplit=1)[0][:12]
            stage = next((s for s in self.stages if s.name in head), None)
            if stage is None:
                continue
            step = StepData(stage=stage, duty=segment)
            match = _TIME_LIMIT.search(segment)
            if match:
                amount = match.group(1)
                step.time_limit = int(amount) if amount.isdigit() else parse_chinese_number(amount)
                step.time_unit = TimeUnit.WORKING_DAYS if match.group(2) == "工作日" else TimeUnit.CALENDAR_DAYS
            steps.append(step)
        return steps


def breakdown_to_xlsx(breakdown: Breakdown) -> bytes:
    from .selectors import powers_of

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "权责清单"
    sheet.append(xlsx_row(sheet, [HEADERS[POSITION][0]] + [HEADERS[f][0] for f in (NAME, KIND, CODE, ORGAN, BASIS, AGENCY, FORWARDS, DUTIES, GROUNDS)]))
    for power in powers_of(breakdown).select_related("enforcing_organ").prefetch_related("steps__stage"):
        basis: dict[str, list[str]] = {}
        for provision in power.basis:
            basis.setdefault(provision.instrument.name, []).append(provision.label)
        duties = "\n".join(
            f"{step.order}.{step.duty}" if step.duty.startswith(step.stage.name) else f"{step.order}.{step.stage.name}：{step.duty}"
            for step in sorted(power.steps.all(), key=lambda s: s.order)
        )
        sheet.append(xlsx_row(sheet, [
            power.position, power.name, power.kind.name, power.code, power.enforcing_organ.name,
            "；".join(f"《{name}》{'、'.join(labels)}" for name, labels in basis.items()),
            power.handling_agency.name if power.handling_agency else "", "是" if power.forwards_only else "否",
            duties, power.accountability_grounds,
        ]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
