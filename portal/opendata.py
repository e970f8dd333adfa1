"""Bulk open data (issue 13): per government (the city, each county), every published catalogue,
breakdown and responsibility set, and the register of valid enforcement certificates, as CSV,
.xlsx and JSON files.

The worker rebuilds a government's files when one of its departments publishes a version or a
certificate changes (``receivers.py`` asks through the outbox; ``tasks.build_open_data`` runs
``open_data_build``), and once a day for the certificates that run out by date. Rows come from
published versions only, like every public page; the certificate register has valid
certificates and only what the portal already shows of them (number, holder's name, unit,
validity, status). Every spreadsheet cell goes through the formula guard
(``toolkit.spreadsheets``).

The column names are stable machine names; the data dictionary page (``COLUMNS``) says what
each holds. The licence line is ``LICENCE``, the one place it is written.
"""

import csv
import datetime
import hashlib
import io
import json
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from authority.models import PostAssignment, PowerItem, valid_certificates
from basis.models import CatalogueEntry
from organisations.models import Organisation
from responsibility.models import Responsibility
from toolkit.spreadsheets import csv_row, xlsx_row
from workflow.review import ReviewStatus

from .models import DataFormat, Dataset, OpenDataFile, OpenDataRequest
from .selectors import PUBLIC_GOVERNMENT_KINDS, holder_label, public_departments

logger = logging.getLogger(__name__)

PUBLISHED = ReviewStatus.PUBLISHED

# The licence line of every dataset, on the open-data pages and inside each JSON and .xlsx file.
LICENCE = _(
    "These data are disclosed under the Regulations of the People's Republic of China on the "
    "Disclosure of Government Information; they may be used freely, with the source acknowledged."
)

TEXT, INTEGER, DATE, BOOLEAN = _("text"), _("integer"), _("date (YYYY-MM-DD)"), _("yes/no")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str


_DEPARTMENT = (
    Column("department_code", TEXT, _("Code of the enforcement department")),
    Column("department_name", TEXT, _("Name of the enforcement department")),
)

COLUMNS = {
    Dataset.CATALOGUE: (
        *_DEPARTMENT,
        Column("catalogue_version", INTEGER, _("Version number of the published catalogue")),
        Column("published_on", DATE, _("Date the catalogue was published")),
        Column("position", INTEGER, _("Number of the entry in the catalogue")),
        Column("instrument", TEXT, _("Name of the law, regulation or rule")),
        Column("provisions", TEXT, _("Provisions enforced, separated by 、; empty means the whole instrument")),
        Column("category", TEXT, _("Management category (sole, joint or coordinated)")),
        Column("lead_department", TEXT, _("Lead department")),
        Column("joint_departments", TEXT, _("Joint departments, separated by 、")),
        Column("assisting_departments", TEXT, _("Assisting departments, separated by 、")),
        Column("rights_and_duties", TEXT, _("Statutory rights and duties")),
    ),
    Dataset.BREAKDOWN: (
        *_DEPARTMENT,
        Column("breakdown_version", INTEGER, _("Version number of the published breakdown")),
        Column("published_on", DATE, _("Date the breakdown was published")),
        Column("position", INTEGER, _("Number of the power in the breakdown")),
        Column("power_code", TEXT, _("Code of the power")),
        Column("power_name", TEXT, _("Name of the power")),
        Column("kind", TEXT, _("Kind of power (e.g. administrative penalty)")),
        Column("basis", TEXT, _("Legal basis: instrument and provision, separated by ；")),
        Column("enforcing_organ", TEXT, _("Organ that exercises the power in its own name")),
        Column("handling_agency", TEXT, _("Internal agency that handles the power")),
        Column("forwards_only", BOOLEAN, _("Whether the department only receives and forwards the matter")),
        Column("posts", TEXT, _("Posts that handle the power, with their role, separated by ；")),
        Column("accountability_grounds", TEXT, _("Circumstances in which responsibility is pursued")),
    ),
    Dataset.RESPONSIBILITIES: (
        *_DEPARTMENT,
        Column("set_version", INTEGER, _("Version number of the published responsibility list")),
        Column("published_on", DATE, _("Date the responsibility list was published")),
        Column("position", INTEGER, _("Number of the responsibility in the list")),
        Column("level", TEXT, _("Level of the holder: department, agency or post")),
        Column("holder", TEXT, _("Department, agency or post that holds the responsibility")),
        Column("kind", TEXT, _("Kind of responsibility")),
        Column("power_code", TEXT, _("Code of the power concerned; empty for a general responsibility")),
        Column("stage", TEXT, _("Stage of the procedure concerned")),
        Column("content", TEXT, _("Content of the responsibility")),
    ),
    Dataset.CERTIFICATES: (
        Column("certificate_number", TEXT, _("Number of the enforcement certificate")),
        Column("name", TEXT, _("Name of the holder")),
        Column("unit", TEXT, _("Department the holder works for")),
        Column("valid_from", DATE, _("First day of validity")),
        Column("valid_until", DATE, _("Last day of validity")),
        Column("status", TEXT, _("Status of the certificate (only valid certificates are listed)")),
    ),
}

CONTENT_TYPES = {
    DataFormat.CSV: "text/csv; charset=utf-8",
    DataFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DataFormat.JSON: "application/json; charset=utf-8",
}


def public_governments():
    return Organisation.objects.filter(kind__in=PUBLIC_GOVERNMENT_KINDS, is_active=True).order_by("path")


def _departments(government):
    return public_departments().filter(jurisdiction=government).values("pk")


def _date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


# -- The rows: straight from the published records -------------------------------------------


def catalogue_rows(government) -> list[list]:
    entries = (
        CatalogueEntry.objects.filter(catalogue__status=PUBLISHED, catalogue__department__in=_departments(government))
        .select_related("instrument", "lead_department", "catalogue__department")
        .prefetch_related("provisions", "joint_departments", "assisting_departments")
        .order_by("catalogue__department__path", "position", "id")
    )
    return [
        [
            e.catalogue.department.code,
            e.catalogue.department.name,
            e.catalogue.version,
            _date(e.catalogue.published_at),
            e.position,
            e.instrument.name,
            "、".join(p.label for p in e.provisions.all()),
            e.get_category_display(),
            e.lead_department.name if e.lead_department_id else "",
            "、".join(d.name for d in e.joint_departments.all()),
            "、".join(d.name for d in e.assisting_departments.all()),
            e.rights_and_duties,
        ]
        for e in entries
    ]


def breakdown_rows(government) -> list[list]:
    powers = (
        PowerItem.objects.filter(breakdown__status=PUBLISHED, breakdown__department__in=_departments(government))
        .select_related("kind", "enforcing_organ", "handling_agency", "breakdown__department")
        .prefetch_related("provisions__instrument")
        .order_by("breakdown__department__path", "position", "id")
    )
    powers = list(powers)
    posts = {}
    assignments = (
        PostAssignment.objects.filter(power__in=[p.pk for p in powers])
        .select_related("post__agency")
        .order_by("power_id", "role", "post__name", "id")
    )
    for a in assignments:
        posts.setdefault(a.power_id, []).append(f"{a.post.agency.name}·{a.post.name}（{a.get_role_display()}）")
    return [
        [
            p.breakdown.department.code,
            p.breakdown.department.name,
            p.breakdown.version,
            _date(p.breakdown.published_at),
            p.position,
            p.code,
            p.name,
            p.kind.name,
            "；".join(f"{prov.instrument.name}{prov.label}" for prov in p.provisions.all()),
            p.enforcing_organ.name,
            p.handling_agency.name if p.handling_agency_id else "",
            p.forwards_only,
            "；".join(posts.get(p.pk, [])),
            p.accountability_grounds,
        ]
        for p in powers
    ]


def responsibility_rows(government) -> list[list]:
    items = (
        Responsibility.objects.filter(
            responsibility_set__status=PUBLISHED, responsibility_set__department__in=_departments(government)
        )
        .select_related("kind", "stage", "agency", "post__agency", "responsibility_set__department")
        .order_by("responsibility_set__department__path", "position", "id")
    )
    return [
        [
            r.responsibility_set.department.code,
            r.responsibility_set.department.name,
            r.responsibility_set.version,
            _date(r.responsibility_set.published_at),
            r.position,
            r.get_level_display(),
            holder_label(r, r.responsibility_set.department),
            r.kind.name,
            r.power_code,
            r.stage.name if r.stage_id else "",
            r.content,
        ]
        for r in items
    ]


def certificate_rows(government) -> list[list]:
    """Valid certificates of the active officers of the government's departments: number, name,
    unit, validity and status, nothing else (not even read: ``only``)."""
    certificates = (
        valid_certificates()
        .filter(officer__is_active=True, officer__department__in=_departments(government))
        .select_related("officer", "officer__department")
        .only("number", "valid_from", "valid_until", "status", "officer__name", "officer__department__name")
        .order_by("officer__department__path", "officer__name", "number")
    )
    return [
        [c.number, c.officer.name, c.officer.department.name, c.valid_from, c.valid_until, c.get_status_display()]
        for c in certificates
    ]


ROWS = {
    Dataset.CATALOGUE: catalogue_rows,
    Dataset.BREAKDOWN: breakdown_rows,
    Dataset.RESPONSIBILITIES: responsibility_rows,
    Dataset.CERTIFICATES: certificate_rows,
}


# -- The files ---------------------------------------------------------------------------------


def _plain(value):
    """A value as CSV and .xlsx show it: dates stay dates (ISO in CSV), booleans are 是/否."""
    if isinstance(value, bool):
        return str(_("yes")) if value else str(_("no"))
    if value is None:
        return ""
    return value


def _csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_row([c.name for c in columns]))
    for row in rows:
        writer.writerow(csv_row([v.isoformat() if isinstance(v, datetime.date) else _plain(v) for v in row]))
    # With a BOM, so that Excel opens the Chinese text as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _xlsx(dataset, government, columns, rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(dataset.label)[:31])
    sheet.append(xlsx_row(sheet, [c.name for c in columns]))
    for row in rows:
        sheet.append(xlsx_row(sheet, [_plain(v) for v in row]))
    about = book.create_sheet(str(_("About")))
    for line in [
        [str(_("Dataset")), str(dataset.label)],
        [str(_("Government")), government.name],
        [str(_("Licence")), str(LICENCE)],
        *[[c.name, f"{c.meaning}（{c.type}）"] for c in columns],
    ]:
        about.append(xlsx_row(about, line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _json(dataset, government, columns, rows) -> bytes:
    data = {
        "dataset": dataset.value,
        "title": str(dataset.label),
        "government": {"code": government.code, "name": government.name},
        "licence": str(LICENCE),
        "columns": [{"name": c.name, "type": str(c.type), "meaning": str(c.meaning)} for c in columns],
        "rows": [
            {c.name: (v.isoformat() if isinstance(v, datetime.date) else v) for c, v in zip(columns, row, strict=True)}
            for row in rows
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def _source_hash(dataset, columns, rows) -> str:
    payload = json.dumps(
        [dataset.value, str(LICENCE), [c.name for c in columns], rows], ensure_ascii=False, default=str
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def open_data_build(*, government: Organisation) -> list[OpenDataFile]:
    """Write the government's files for every dataset and format; a dataset whose rows have not
    changed keeps its files (and so its ETag and Last-Modified). Written in Chinese, whatever the
    language of the request or worker that asked. Returns the files (re)written."""
    written = []
    with translation.override("zh-hans"):
        for dataset in Dataset:
            dataset = Dataset(dataset)
            columns = COLUMNS[dataset]
            rows = ROWS[dataset](government)
            source_hash = _source_hash(dataset, columns, rows)
            existing = {
                f.format: f for f in OpenDataFile.objects.filter(government=government, dataset=dataset)
            }
            if len(existing) == len(DataFormat) and all(f.source_hash == source_hash for f in existing.values()):
                continue
            now = timezone.now()
            contents = {
                DataFormat.CSV: _csv(columns, rows),
                DataFormat.XLSX: _xlsx(dataset, government, columns, rows),
                DataFormat.JSON: _json(dataset, government, columns, rows),
            }
            with transaction.atomic():
                for data_format, content in contents.items():
                    row = existing.get(data_format) or OpenDataFile(
                        government=government, dataset=dataset, format=data_format
                    )
                    old_name = row.file.name if row.pk and row.file else ""
                    row.file.save(f"{government.code}-{dataset.value}.{data_format}", ContentFile(content), save=False)
                    row.sha256 = hashlib.sha256(content).hexdigest()
                    row.source_hash = source_hash
                    row.size = len(content)
                    row.rows = len(rows)
                    row.generated_at = now
                    row.save()
                    written.append(row)
                    if old_name:
                        storage = row.file.storage
                        transaction.on_commit(lambda name=old_name, storage=storage: storage.delete(name))
    return written


# The first key of the advisory lock that serialises the builds of one government (the second is
# the government's id): any fixed number no other lock of this database uses.
BUILD_LOCK_KEY = 0x6F64  # "od"


def open_data_build_requested(*, government: Organisation) -> list[OpenDataFile] | None:
    """Build the government's files if a change asked for it and no build has answered yet;
    None when none had (an earlier build covered the change: nothing is read).

    The builds of one government take turns (an advisory lock held to the commit), and each
    deletes the pending requests before it reads, so it sees every change whose request it
    deleted; a change committed during a build leaves its request for the next. One
    transaction: a build that fails puts its requests back for the next job."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BUILD_LOCK_KEY, government.pk])
        deleted, _ = OpenDataRequest.objects.filter(government=government).delete()
        if not deleted:
            logger.info("open data of %s: already built for its requests", government.code)
            return None
        written = open_data_build(government=government)
    logger.info("open data of %s built for %d requests: %d files written", government.code, deleted, len(written))
    return written


def file_name(data_file: OpenDataFile) -> str:
    """The name a download is saved under: the government's code, the dataset, the format."""
    return f"{data_file.government.code}-{data_file.dataset}.{data_file.format}"
