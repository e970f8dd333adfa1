"""Disclosure documents (公示): the PDFs the worker renders from published data.

What a department discloses is its latest PUBLISHED basis catalogue, breakdown of powers and
responsibility set, and its officers holding a valid certificate (name, post, certificate number
and nothing else). A draft, submitted or approved version never reaches a document: every query
below filters on ``ReviewStatus.PUBLISHED``.

The content is gathered once into plain values (``department_content``, ``compilation_content``);
its hash names the document, so the same content is never rendered twice, and the very same
values feed the templates. ``disclosure_services.request_render`` finds or makes the row for the
current hash and enqueues the task after commit; ``render`` (run by the task) claims the row with
a conditional update, so that a second delivery of the task finds nothing to do.
"""

import hashlib
import json
import logging
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError
from django.db.models import F, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from authority.models import (
    Breakdown,
    OfficerPost,
    PostAssignment,
    PowerItem,
    ProcedureStep,
    valid_certificates,
)
from basis.models import BasisCatalogue, CatalogueEntry, Provision
from organisations.models import Organisation, OrganisationKind
from toolkit.errors import DomainError
from workflow.review import ReviewStatus

from .models import (
    DisclosureDocument,
    DocumentKind,
    DocumentStatus,
    EnforcementStandard,
    Responsibility,
    ResponsibilitySet,
    StandardBand,
)

logger = logging.getLogger(__name__)

# Part of every content hash: raise it when a template or the print stylesheet changes in a way
# that should re-render the documents already made.
TEMPLATE_VERSION = "2026-12-02.2"

# fontconfig pattern of the CJK font embedded in the PDFs; DISCLOSURE_FONT_FILE (a path) in
# settings overrides the lookup.
DEFAULT_FONT_PATTERN = "Noto Sans CJK SC:lang=zh"

# A render that has said "rendering" for longer than this is taken to have died with its worker
# (acks_late redelivers the task): it may be claimed again, or retried from the office. Longer
# than any render, shorter than the broker's visibility timeout (settings).
STALE_RENDER = timedelta(seconds=getattr(settings, "DISCLOSURE_STALE_RENDER_SECONDS", 600))

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "disclosure-print.css"
TEMPLATES = {
    DocumentKind.BOOKLET: "disclosure/booklet.html",
    DocumentKind.BULLETIN: "disclosure/bulletin.html",
    DocumentKind.COMPILATION: "disclosure/compilation.html",
}
DEPARTMENT_KINDS = (DocumentKind.BOOKLET, DocumentKind.BULLETIN)


class DisclosureError(DomainError):
    """A render or a request refused for a reason the user can read and act on."""


def site_url() -> str:
    """The portal's address (settings.SITE_URL), printed on the bulletin sheet and in its QR code."""
    return settings.SITE_URL.rstrip("/")


def portal_url(department: Organisation) -> str:
    return f"{site_url()}/departments/{department.code}/"


# The address SITE_URL has when nobody set it: fine on a developer's machine, wrong on every
# printed sheet (its QR code would send a citizen's phone to itself).
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "0.0.0.0", "[::1]")


def site_url_is_local(url: str | None = None) -> bool:
    """True when SITE_URL (or ``url``) names this machine rather than the public site."""
    from urllib.parse import urlsplit

    host = (urlsplit(url if url is not None else settings.SITE_URL).hostname or "").lower()
    return not host or host in {h.strip("[]") for h in LOCAL_HOSTS} or host.endswith(".localhost")


# -- The font subsetter -----------------------------------------------------------------------

SUBSETTER_LIBRARY = "libharfbuzz-subset.so.0"
SUBSETTER_PACKAGE = "libharfbuzz-subset0"


def harfbuzz_subsetter_available() -> bool:
    """Whether WeasyPrint subsets the embedded CJK font with HarfBuzz (fast) rather than with
    fontTools (about 10 s more per document, and ~500 lines of glyph lists in the log).

    The same test WeasyPrint makes (weasyprint.pdf.fonts.Font.subset): its ``harfbuzz_subset``
    library handle loaded, and HarfBuzz at least 4.1.0. Read at call time, so a process that
    forces the fontTools path (bench/bench_disclosure.py --subsetter fonttools) is told the
    truth. Where WeasyPrint cannot be imported at all, the shared library is looked up with
    ctypes."""
    try:
        from weasyprint.pdf import fonts
    except (ImportError, OSError):
        import ctypes

        try:
            ctypes.CDLL(SUBSETTER_LIBRARY)
        except OSError:
            return False
        return True
    return bool(fonts.harfbuzz_subset) and bool(fonts.harfbuzz.hb_version_atleast(4, 1, 0))


def subsetter_warning() -> str:
    """What the status page and the worker's start-up log say when the subsetter is missing."""
    return _(
        "%(library)s is missing: every PDF takes about 10 seconds longer (fontTools subsets the font). "
        "Install it with: apt-get install %(package)s"
    ) % {"library": SUBSETTER_LIBRARY, "package": SUBSETTER_PACKAGE}


# -- Content ----------------------------------------------------------------------------------


def _published(model, department: Organisation):
    return model.objects.filter(department=department, status=ReviewStatus.PUBLISHED).order_by("-version").first()


def _provision_text(provision: Provision) -> str:
    return f"{provision.instrument.name}{provision.label}"


def _version_of(version) -> dict | None:
    if version is None:
        return None
    return {"id": version.pk, "version": version.version, "published_at": version.published_at.isoformat() if version.published_at else ""}


def _catalogue_entries(catalogues):
    """Entries of the given catalogues, in order, streamed with their provisions (one query per
    chunk, whatever the number of entries)."""
    return (
        CatalogueEntry.objects.filter(catalogue__in=catalogues)
        .select_related("instrument", "lead_department", "catalogue")
        .prefetch_related(
            Prefetch("provisions", queryset=Provision.objects.select_related("instrument").order_by("article", "paragraph", "item")),
            "joint_departments",
        )
        .order_by("catalogue__department__path", "position", "id")
        .iterator(chunk_size=2000)
    )


def _entry_values(entry: CatalogueEntry) -> dict:
    return {
        "position": entry.position,
        "instrument": entry.instrument.name,
        "document_number": entry.instrument.document_number,
        "provisions": "、".join(p.label for p in entry.provisions.all()),
        "category": str(entry.get_category_display()),
        "lead": entry.lead_department.name,
        "joint": "、".join(d.name for d in entry.joint_departments.all()),
        "rights_and_duties": entry.rights_and_duties,
    }


def _step_values(step: ProcedureStep) -> dict:
    return {
        "order": step.order,
        "stage": step.stage.name,
        "post": str(step.post) if step.post_id else "",
        "time_limit": str(step.time_limit_label),
    }


def _position_ranges(positions: list[int]) -> str:
    """1, 2, 3, 5, 7, 8 → "1–3、5、7–8": the powers a shared procedure applies to."""
    ranges: list[list[int]] = []
    for position in sorted(positions):
        if ranges and position == ranges[-1][1] + 1:
            ranges[-1][1] = position
        else:
            ranges.append([position, position])
    return "、".join(str(first) if first == last else f"{first}–{last}" for first, last in ranges)


def _procedure_values(powers: list[dict], steps_of: list[list[dict]]) -> list[dict]:
    """The flowcharts the booklet prints: one per distinct procedure (the same numbered steps,
    posts and time limits), in the order of the first power that follows it, with the powers it applies
    to. A department's powers mostly share a few procedures; printing the same chart for each
    of them would make the booklet longer and no clearer."""
    procedures: dict[str, dict] = {}
    for power, steps in zip(powers, steps_of, strict=True):
        if not steps:
            continue
        key = json.dumps([[s["order"], s["stage"], s["post"], s["time_limit"]] for s in steps], ensure_ascii=False)
        procedure = procedures.setdefault(key, {"steps": steps, "powers": []})
        procedure["powers"].append({"position": power["position"], "name": power["name"]})
    values = list(procedures.values())
    for procedure in values:
        procedure["applies_to"] = _position_ranges([p["position"] for p in procedure["powers"]])
    return values


def _breakdown_values(breakdown: Breakdown | None) -> tuple[list[dict], list[dict]]:
    """(powers, procedures) of the published breakdown."""
    if breakdown is None:
        return [], []
    powers = (
        PowerItem.objects.filter(breakdown=breakdown)
        .select_related("kind", "enforcing_organ", "handling_agency")
        .prefetch_related(
            Prefetch("provisions", queryset=Provision.objects.select_related("instrument").order_by("instrument__name", "article", "paragraph", "item")),
            Prefetch("assignments", queryset=PostAssignment.objects.select_related("post__agency").order_by("role", "post__name")),
            Prefetch("steps", queryset=ProcedureStep.objects.select_related("stage", "post__agency").order_by("order")),
        )
        .order_by("position", "id")
    )
    values, steps_of = [], []
    for power in powers:
        steps_of.append([_step_values(s) for s in power.steps.all()])
        values.append(
            {
                "position": power.position,
                "code": power.code,
                "name": power.name,
                "kind": power.kind.name,
                "enforcing_organ": power.enforcing_organ.name,
                "handling_agency": power.handling_agency.name if power.handling_agency_id else "",
                "forwards_only": power.forwards_only,
                "provisions": [_provision_text(p) for p in power.provisions.all()],
                "posts": [
                    {"post": f"{a.post.agency.name} · {a.post.name}", "role": str(a.get_role_display())}
                    for a in power.assignments.all()
                ],
                "accountability_grounds": power.accountability_grounds,
            }
        )
    return values, _procedure_values(values, steps_of)


def _responsibility_values(responsibility_set: ResponsibilitySet | None) -> tuple[list[dict], list[dict]]:
    if responsibility_set is None:
        return [], []
    responsibilities = [
        {
            "position": r.position,
            "level": str(r.get_level_display()),
            "holder": (r.post and f"{r.post.agency.name} · {r.post.name}") or (r.agency and r.agency.name) or "",
            "kind": r.kind.name,
            "power_code": r.power_code,
            "stage": r.stage.name if r.stage_id else "",
            "content": r.content,
        }
        for r in Responsibility.objects.filter(responsibility_set=responsibility_set)
        .select_related("kind", "agency", "post__agency", "stage")
        .order_by("position", "id")
    ]
    standards = [
        {
            "position": s.position,
            "power_code": s.power_code,
            "title": s.title,
            "note": s.note,
            "bands": [
                {"label": b.label, "circumstances": b.circumstances, "measure": b.measure} for b in s.bands.all()
            ],
        }
        for s in EnforcementStandard.objects.filter(responsibility_set=responsibility_set)
        .prefetch_related(Prefetch("bands", queryset=StandardBand.objects.order_by("order")))
        .order_by("position", "id")
    ]
    return responsibilities, standards


def _officer_values(department: Organisation) -> list[dict]:
    """Officers who may act today, with what the public may read of them: name, current post,
    certificate number. Never the ID number."""
    today = timezone.localdate()
    current_posts = OfficerPost.objects.filter(Q(until__isnull=True) | Q(until__gte=today), since__lte=today).select_related(
        "post__agency"
    )
    certificates = (
        valid_certificates(today)
        .filter(officer__department=department, officer__is_active=True)
        .select_related("officer")
        .prefetch_related(Prefetch("officer__placements", queryset=current_posts, to_attr="current_placements"))
        .order_by("officer__name", "number")
    )
    return [
        {
            "name": c.officer.name,
            "post": "、".join(f"{p.post.agency.name} · {p.post.name}" for p in c.officer.current_placements),
            "certificate": c.number,
        }
        for c in certificates
    ]


def department_content(department: Organisation, kind: str = DocumentKind.BOOKLET) -> dict:
    """Everything the department's booklet (or bulletin sheet) prints, as plain values."""
    catalogue = _published(BasisCatalogue, department)
    breakdown = _published(Breakdown, department)
    responsibility_set = _published(ResponsibilitySet, department)
    powers, procedures = _breakdown_values(breakdown)
    base = {
        "template_version": TEMPLATE_VERSION,
        "kind": str(kind),
        "department": {"code": department.code, "name": department.name, "short_name": department.short_name},
        "portal_url": portal_url(department),
        "catalogue": _version_of(catalogue),
        "breakdown": _version_of(breakdown),
        "responsibility_set": _version_of(responsibility_set),
    }
    if kind == DocumentKind.BULLETIN:
        # The sheet on the notice board: the essentials, the rest is one scan away.
        kinds: dict[str, int] = {}
        for power in powers:
            kinds[power["kind"]] = kinds.get(power["kind"], 0) + 1
        return {
            **base,
            "complaint_phone": department.complaint_phone,
            "supervision_phone": department.supervision_phone,
            "powers": [{"code": p["code"], "name": p["name"], "kind": p["kind"]} for p in powers],
            "sheet": bulletin_layout([p["name"] for p in powers]),
            "power_kinds": sorted(kinds.items()),
            "officers": len(_officer_values(department)),
            "entries": CatalogueEntry.objects.filter(catalogue=catalogue).count() if catalogue else 0,
        }
    responsibilities, standards = _responsibility_values(responsibility_set)
    return {
        **base,
        "entries": [_entry_values(e) for e in _catalogue_entries([catalogue])] if catalogue else [],
        "powers": powers,
        "procedures": procedures,
        "responsibilities": responsibilities,
        "standards": standards,
        "officers": _officer_values(department),
    }


# The A3 sheet (297 × 420 mm, 18 mm margins): what its list of powers may fill between the
# heading and the footer (QR code, telephones), and the list's width; its two columns share that
# width with the numbers' indent (1.6 em) and the gap between them (2.4 em, where the second
# column's numbers stand): disclosure-print.css.
SHEET_LIST_HEIGHT_MM = 200.0
SHEET_LIST_WIDTH_MM = 261.0
SHEET_FONT_SIZES_PT = (32, 30, 28, 26, 24, 22, 20, 18, 16, 15, 14, 13, 12, 11)
PT_MM = 0.3528


def _list_height_mm(names: list[str], size_pt: float) -> float:
    """Estimated height of ``names`` as a numbered two-column list at ``size_pt``: every CJK
    character is one em wide, a line is 1.4 em, an item is followed by a third of a line."""
    em = size_pt * PT_MM
    column = (SHEET_LIST_WIDTH_MM - 4 * em) / 2
    per_line = max(1, int(column // em))
    lines = sum(-(-(len(name) + 1) // per_line) for name in names)
    # Two columns, balanced: half the lines each, plus a line for an uneven split.
    return (lines / 2 + 1) * 1.4 * em + len(names) / 2 * 0.35 * em


def bulletin_layout(names: list[str]) -> dict:
    """How the bulletin sheet prints the powers: the largest type at which all of them fill the
    list's space; if even the smallest type cannot hold them all, as many as fit at it (the
    sheet then says the rest are on the portal)."""
    for size in SHEET_FONT_SIZES_PT:
        if _list_height_mm(names, size) <= SHEET_LIST_HEIGHT_MM:
            return {"font_pt": size, "shown": len(names)}
    smallest = SHEET_FONT_SIZES_PT[-1]
    shown = len(names)
    while shown > 0 and _list_height_mm(names[:shown], smallest) > SHEET_LIST_HEIGHT_MM:
        shown -= 1
    return {"font_pt": smallest, "shown": shown}


def compilation_departments(government: Organisation):
    """Departments whose jurisdiction is the government (its own departments and the bodies under
    them; a county's departments are in the county's compilation, not the city's)."""
    return Organisation.objects.filter(jurisdiction=government, kind=OrganisationKind.DEPARTMENT, office_function="")


def compilation_content(government: Organisation) -> dict:
    """All published catalogues of the government's departments (汇编成册), department by
    department; the entries are streamed in chunks, with their provisions prefetched."""
    catalogues = BasisCatalogue.objects.filter(
        department__in=compilation_departments(government), status=ReviewStatus.PUBLISHED
    )
    departments: list[dict] = []
    current = None
    for entry in _catalogue_entries(catalogues):
        if current is None or current["catalogue"]["id"] != entry.catalogue_id:
            department = entry.catalogue.department_id
            current = {"catalogue": _version_of(entry.catalogue), "department_id": department, "entries": []}
            departments.append(current)
        current["entries"].append(_entry_values(entry))
    names = dict(Organisation.objects.filter(pk__in=[d["department_id"] for d in departments]).values_list("pk", "name"))
    codes = dict(Organisation.objects.filter(pk__in=[d["department_id"] for d in departments]).values_list("pk", "code"))
    for item in departments:
        pk = item.pop("department_id")
        item["department"] = {"code": codes[pk], "name": names[pk]}
    return {
        "template_version": TEMPLATE_VERSION,
        "kind": str(DocumentKind.COMPILATION),
        "government": {"code": government.code, "name": government.name},
        "departments": departments,
        "entry_count": sum(len(d["entries"]) for d in departments),
    }


def content_for(organisation: Organisation, kind: str) -> dict:
    if kind == DocumentKind.COMPILATION:
        if not organisation.is_government:
            raise DisclosureError(_("A compilation is made for a government."))
        return compilation_content(organisation)
    if not organisation.is_department:
        raise DisclosureError(_("Booklets and bulletin sheets are made for departments."))
    return department_content(organisation, kind)


def content_digest(content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash(organisation: Organisation, kind: str) -> str:
    """sha256 of the canonical serialisation of what the document would print now."""
    with translation.override(settings.LANGUAGE_CODE):
        return content_digest(content_for(organisation, kind))


def has_published_content(content: dict) -> bool:
    if content["kind"] == DocumentKind.COMPILATION:
        return bool(content["departments"])
    return bool(content["catalogue"] or content["breakdown"] or content["responsibility_set"])


def can_retry(document: DisclosureDocument) -> bool:
    if document.status == DocumentStatus.FAILED:
        return True
    return (
        document.status == DocumentStatus.RENDERING
        and document.started_at is not None
        and document.started_at < timezone.now() - STALE_RENDER
    )


# -- Rendering --------------------------------------------------------------------------------


def cjk_font() -> tuple[str, str]:
    """(file, family) of an installed font that covers Chinese, or DisclosureError."""
    missing = _("no CJK font installed: apt-get install fonts-noto-cjk")
    configured = getattr(settings, "DISCLOSURE_FONT_FILE", "")
    if configured:
        if not Path(configured).is_file():
            raise DisclosureError(f"{missing} ({configured})")
        return configured, ""
    if shutil.which("fc-match") is None:
        raise DisclosureError(missing)
    pattern = getattr(settings, "DISCLOSURE_FONT_PATTERN", DEFAULT_FONT_PATTERN)
    result = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{family[0]}\n%{lang}", pattern], capture_output=True, text=True, timeout=10
    )
    lines = result.stdout.split("\n")
    if result.returncode != 0 or len(lines) < 3:
        raise DisclosureError(missing)
    path, family, langs = lines[0], lines[1], lines[2].split("|")
    # fc-match always answers with something; only a font that covers Chinese will do.
    if not Path(path).is_file() or not any(lang.startswith("zh") for lang in langs):
        raise DisclosureError(missing)
    return path, family


def _url_fetcher(allowed: set[str]):
    """Only data: URIs and the font file: a template can never make the render wait on the
    network or read another file."""
    from weasyprint.urls import URLFetcher

    class Fetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not (url.startswith("data:") or url in allowed):
                raise ValueError(f"external resource refused: {url[:200]}")
            return super().fetch(url, headers)

    return Fetcher(timeout=5, allowed_protocols={"data", "file"}, allow_redirects=False)


def _qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=6, border=2)


def build_html(content: dict, kind: str, *, font_family: str, document: DisclosureDocument | None = None) -> str:
    context = {"c": content, "font_family": font_family, "document": document, "generated_at": timezone.localtime()}
    if kind == DocumentKind.BULLETIN:
        context["qr"] = _qr_data_uri(content["portal_url"])
    return render_to_string(TEMPLATES[kind], context)


def write_pdf(html: str, *, font_file: str, font_family: str = "") -> tuple[bytes, int]:
    """(PDF bytes, page count) of ``html`` with the print stylesheet and the CJK font embedded
    (as a subset, WeasyPrint's default)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_url = Path(font_file).as_uri()
    fonts = FontConfiguration()
    fallback = f', "{font_family}"' if font_family else ""
    face = (
        f'@font-face {{ font-family: "Disclosure CJK"; src: url("{font_url}"); }}\n'
        f'html {{ font-family: "Disclosure CJK"{fallback}, sans-serif; }}\n'
    )
    stylesheets = [
        CSS(string=face, font_config=fonts, url_fetcher=_url_fetcher({font_url})),
        CSS(string=STYLESHEET.read_text(encoding="utf-8"), font_config=fonts),
    ]
    rendered = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_url_fetcher({font_url})).render(
        stylesheets=stylesheets, font_config=fonts, optimize_images=True
    )
    return rendered.write_pdf(), len(rendered.pages)


def _claim(document_id: int) -> bool:
    """Move the row to RENDERING if it is queued (or a dead render): one delivery wins, a second
    one finds nothing to claim."""
    now = timezone.now()
    claimable = Q(status=DocumentStatus.QUEUED) | Q(status=DocumentStatus.RENDERING, started_at__lt=now - STALE_RENDER)
    return bool(
        DisclosureDocument.objects.filter(claimable, pk=document_id).update(
            status=DocumentStatus.RENDERING, attempts=F("attempts") + 1, started_at=now, finished_at=None, error=""
        )
    )


def seconds_until_stale(document_id: int) -> float | None:
    """For a row being rendered: seconds until that render counts as dead and may be claimed.
    None when the row is not being rendered (ready, failed, gone): nothing to wait for."""
    started = (
        DisclosureDocument.objects.filter(pk=document_id, status=DocumentStatus.RENDERING)
        .values_list("started_at", flat=True)
        .first()
    )
    if started is None:
        return None
    return max(0.0, (started + STALE_RENDER - timezone.now()).total_seconds())


def _reason(error: Exception) -> str:
    message = str(error).strip()
    return message if isinstance(error, DisclosureError) and message else f"{type(error).__name__}: {message}"[:2000]


def render(document_id: int) -> DisclosureDocument | None:
    """Render the document: a queued row becomes ready with its file, or failed with the reason.
    Already ready (or being rendered by another delivery): nothing happens. Errors other than a
    lost database are recorded on the row, not raised, so the task is never retried for ever."""
    if not _claim(document_id):
        return None
    document = DisclosureDocument.objects.select_related("organisation").get(pk=document_id)
    started = time.monotonic()
    try:
        with translation.override(settings.LANGUAGE_CODE):
            font_file, font_family = cjk_font()
            # Rendered from the data as it is now: if it changed since the request, a newer
            # request (made by that change's publication) holds the new hash.
            content = content_for(document.organisation, document.kind)
            html = build_html(content, document.kind, font_family=font_family, document=document)
        pdf, pages = write_pdf(html, font_file=font_file, font_family=font_family)
        name = f"{document.organisation.code}-{document.kind}-v{document.version}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
    except (OperationalError, InterfaceError):
        # The database went away: put the row back so that the task's bounded retry claims it.
        try:
            DisclosureDocument.objects.filter(pk=document_id, status=DocumentStatus.RENDERING).update(status=DocumentStatus.QUEUED)
        except (OperationalError, InterfaceError):
            logger.warning("disclosure %s: cannot reset the row after losing the database", document_id)
        raise
    except Exception as error:  # noqa: BLE001 - any failure is shown to the office as a reason
        logger.warning("disclosure %s failed: %s", document_id, error, exc_info=True)
        DisclosureDocument.objects.filter(pk=document_id).update(
            status=DocumentStatus.FAILED, error=_reason(error), finished_at=timezone.now()
        )
        document.refresh_from_db()
        return document
    DisclosureDocument.objects.filter(pk=document_id).update(
        status=DocumentStatus.READY, file=document.file.name, pages=pages, size=len(pdf), finished_at=timezone.now(), error=""
    )
    logger.info("disclosure %s rendered: %d pages in %.1f s", document_id, pages, time.monotonic() - started)
    document.refresh_from_db()
    return document


# -- Reading ----------------------------------------------------------------------------------


def latest_ready(organisation: Organisation, kind: str) -> DisclosureDocument | None:
    """What the public downloads: the latest ready version (older ones stay available)."""
    return (
        DisclosureDocument.objects.filter(organisation=organisation, kind=kind, status=DocumentStatus.READY)
        .order_by("-version")
        .first()
    )


def ready_versions(organisation: Organisation):
    return DisclosureDocument.objects.filter(organisation=organisation, status=DocumentStatus.READY).order_by("kind", "-version")

