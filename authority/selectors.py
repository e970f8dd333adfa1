"""Reads of the authority breakdown: current versions, powers with their relations, the
completeness findings (不重不漏) and the public certificate lookup. Each list is built in a
fixed number of queries, whatever its length."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from basis.models import InstrumentStatus
from basis.workflow import OPEN_STATUSES, ReviewStatus
from organisations.models import Organisation

from .models import (
    Breakdown,
    Certificate,
    CertificateStatus,
    OfficerPost,
    PostAssignment,
    PowerItem,
    ProcedureStep,
    valid_certificates,
)


def current_breakdown(department: Organisation, visible: QuerySet | None = None) -> Breakdown | None:
    """The version that is being worked on, or else the published one."""
    queryset = (visible if visible is not None else Breakdown.objects).filter(department=department)
    return (
        queryset.filter(status__in=list(OPEN_STATUSES)).order_by("-version").first()
        or queryset.filter(status=ReviewStatus.PUBLISHED).order_by("-version").first()
    )


def powers_of(breakdown: Breakdown, query: str = "") -> QuerySet[PowerItem]:
    powers = breakdown.powers.select_related("kind", "enforcing_organ", "handling_agency").prefetch_related(
        "provisions__instrument",
        Prefetch("assignments", queryset=PostAssignment.objects.select_related("post__agency")),
    )
    if query:
        powers = powers.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return powers


def steps_of(power: PowerItem) -> list[ProcedureStep]:
    return list(power.steps.select_related("stage", "post__agency").order_by("order"))


# -- Completeness -----------------------------------------------------------------------------


class FindingKind:
    UNASSIGNED_POWER = "unassigned_power"
    POST_WITHOUT_CERTIFIED_OFFICER = "post_without_certified_officer"
    OFFICER_WITHOUT_CERTIFICATE = "officer_without_certificate"
    OFFICER_BEYOND_CERTIFICATE = "officer_beyond_certificate"
    OFFICER_BEYOND_AREA = "officer_beyond_area"
    REPEALED_BASIS = "repealed_basis"


@dataclass(frozen=True)
class Finding:
    kind: str
    department: str
    message: str
    url: str


def _power_url(power_id: int, breakdown_id: int) -> str:
    return reverse("authority:power_edit", args=[breakdown_id, power_id])


def findings_for(breakdowns, today: datetime.date | None = None) -> list[Finding]:
    """The completeness findings of the given breakdowns (a queryset or list of versions)."""
    today = today or timezone.localdate()
    breakdown_ids = [b.pk for b in breakdowns]
    departments = {b.pk: b.department.name for b in Breakdown.objects.filter(pk__in=breakdown_ids).select_related("department")}
    findings: list[Finding] = []

    powers = (
        PowerItem.objects.filter(breakdown_id__in=breakdown_ids)
        .annotate(assigned=Count("assignments"))
        .filter(assigned=0)
        .order_by("breakdown_id", "position")
        .values_list("pk", "breakdown_id", "code", "name")
    )
    for pk, breakdown_id, code, name in powers:
        findings.append(Finding(
            FindingKind.UNASSIGNED_POWER, departments[breakdown_id],
            _("Power %(code)s %(name)s is assigned to no post.") % {"code": code, "name": name},
            _power_url(pk, breakdown_id),
        ))

    repealed = (
        PowerItem.provisions.through.objects.filter(
            poweritem__breakdown_id__in=breakdown_ids, provision__instrument__status=InstrumentStatus.REPEALED
        )
        .order_by("poweritem__breakdown_id", "poweritem__position")
        .values_list("poweritem_id", "poweritem__breakdown_id", "poweritem__name", "provision__instrument__name")
        .distinct()
    )
    for pk, breakdown_id, name, instrument in repealed:
        findings.append(Finding(
            FindingKind.REPEALED_BASIS, departments[breakdown_id],
            _("Power %(name)s cites 《%(instrument)s》, which has been repealed.") % {"name": name, "instrument": instrument},
            _power_url(pk, breakdown_id),
        ))

    # Posts that hold powers, the kinds of those powers, and who sits on them today.
    post_kinds: dict[int, set[int]] = defaultdict(set)
    post_info: dict[int, tuple[str, int]] = {}
    post_paths: dict[int, str] = {}
    for post_id, kind_id, post_name, agency_name, agency_path, breakdown_id in PostAssignment.objects.filter(
        power__breakdown_id__in=breakdown_ids
    ).values_list("post_id", "power__kind_id", "post__name", "post__agency__name", "post__agency__path", "power__breakdown_id"):
        post_kinds[post_id].add(kind_id)
        post_info[post_id] = (f"{agency_name} · {post_name}", breakdown_id)
        post_paths[post_id] = agency_path
    placements = list(
        OfficerPost.objects.filter(post_id__in=post_kinds, since__lte=today)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values_list("officer_id", "post_id", "officer__name")
    )
    officer_ids = {officer_id for officer_id, _post, _name in placements}
    certified_kinds: dict[int, set[int]] = defaultdict(set)
    certified: set[int] = set()
    # The area a certificate covers is its issuing government's territory.
    certified_areas: dict[int, dict[str, str]] = defaultdict(dict)
    for officer_id, kind_id, area_path, area_name in Certificate.kinds.through.objects.filter(
        certificate__in=valid_certificates(today).filter(officer_id__in=officer_ids)
    ).values_list(
        "certificate__officer_id", "powerkind_id", "certificate__issuing_government__path", "certificate__issuing_government__name"
    ):
        certified.add(officer_id)
        certified_kinds[officer_id].add(kind_id)
        certified_areas[officer_id][area_path] = area_name
    kind_names = dict(_kind_names())

    covered: set[int] = set()
    for officer_id, post_id, officer_name in placements:
        post_label, breakdown_id = post_info[post_id]
        department = departments[breakdown_id]
        officer_url = reverse("authority:officer_detail", args=[officer_id])
        if officer_id not in certified:
            findings.append(Finding(
                FindingKind.OFFICER_WITHOUT_CERTIFICATE, department,
                _("%(officer)s holds post %(post)s without a valid certificate.") % {"officer": officer_name, "post": post_label},
                officer_url,
            ))
            continue
        covered.add(post_id)
        beyond = post_kinds[post_id] - certified_kinds[officer_id]
        if beyond:
            findings.append(Finding(
                FindingKind.OFFICER_BEYOND_CERTIFICATE, department,
                _("%(officer)s holds post %(post)s, whose powers include %(kinds)s, beyond the kinds on the certificate.")
                % {"officer": officer_name, "post": post_label, "kinds": "、".join(sorted(kind_names[k] for k in beyond))},
                officer_url,
            ))
        areas = certified_areas[officer_id]
        if not any(post_paths[post_id].startswith(path) for path in areas):
            findings.append(Finding(
                FindingKind.OFFICER_BEYOND_AREA, department,
                _("%(officer)s holds post %(post)s outside the area of the certificate issued by %(government)s.")
                % {"officer": officer_name, "post": post_label, "government": "、".join(sorted(areas.values()))},
                officer_url,
            ))
    for post_id in sorted(set(post_kinds) - covered):
        post_label, breakdown_id = post_info[post_id]
        findings.append(Finding(
            FindingKind.POST_WITHOUT_CERTIFIED_OFFICER, departments[breakdown_id],
            _("Post %(post)s holds powers but no officer with a valid certificate sits on it.") % {"post": post_label},
            reverse("authority:post_list") + f"#post-{post_id}",
        ))
    return findings


def _kind_names():
    from .models import PowerKind

    return PowerKind.objects.values_list("pk", "name")


def current_breakdowns(departments: QuerySet[Organisation], visible: QuerySet) -> list[Breakdown]:
    """Each department's current version among the visible ones (the one in the works, or else
    the published one), in one query."""
    rows = visible.filter(department__in=departments).select_related("department").order_by("department__path", "-version")
    in_progress: dict[int, Breakdown] = {}
    published: dict[int, Breakdown] = {}
    order: list[int] = []
    for breakdown in rows:
        if breakdown.department_id not in order:
            order.append(breakdown.department_id)
        if breakdown.status in OPEN_STATUSES:
            in_progress.setdefault(breakdown.department_id, breakdown)
        elif breakdown.status == ReviewStatus.PUBLISHED:
            published.setdefault(breakdown.department_id, breakdown)
    return [b for d in order if (b := in_progress.get(d) or published.get(d)) is not None]


# -- Certificates -----------------------------------------------------------------------------


def certificates_expiring(certificates: QuerySet[Certificate], within_days: int = 90) -> QuerySet[Certificate]:
    """Valid certificates that expire within the coming days (for the home pages)."""
    today = timezone.localdate()
    return (
        certificates.filter(status=CertificateStatus.VALID, valid_until__gte=today,
                            valid_until__lte=today + datetime.timedelta(days=within_days))
        .select_related("officer", "officer__department")
        .order_by("valid_until")
    )


@dataclass(frozen=True)
class PublicCertificate:
    """What the public verification page may show, and nothing more."""

    number: str
    status: str
    status_label: str
    officer_name: str
    department: str
    issuing_government: str
    area: str
    kinds: list[str]
    valid_until: datetime.date


def certificate_for_verification(number: str) -> PublicCertificate | None:
    certificate = (
        Certificate.objects.filter(number=number.strip())
        .select_related("officer__department", "issuing_government")
        .prefetch_related("kinds")
        .first()
    )
    if certificate is None:
        return None
    status = certificate.current_status()
    return PublicCertificate(
        number=certificate.number,
        status=status,
        status_label=str(CertificateStatus(status).label),
        officer_name=certificate.officer.name,
        department=certificate.officer.department.name,
        issuing_government=certificate.issuing_government.name,
        area=certificate.area,
        kinds=[kind.name for kind in certificate.kinds.all()],
        valid_until=certificate.valid_until,
    )


def certificates_expiring_for(user, within_days: int = 90):
    """For the home pages: the certificates in the user's scope that expire soon (none for a
    role that sees no officers)."""
    from accounts import permissions as perms

    return certificates_expiring(perms.certificates_visible_to(user), within_days)
