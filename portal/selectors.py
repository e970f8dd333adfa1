"""Everything the public portal reads, and only from published versions.

A department's catalogue, breakdown and responsibility set each have at most one published
version; drafts, submitted, approved, returned and superseded versions never reach a public page.
Officers appear only while they hold a valid certificate, and then only by name, post and
certificate number. Disclosure documents are public once READY.

Each function runs a fixed number of queries whatever the size of the department: the
``*_state`` functions fetch, in one query, which versions are published and when the data last
changed (which the pages use for Last-Modified and ETag before they render anything), and the
section functions read one section from those version ids.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from authority.models import (
    Breakdown,
    Certificate,
    Officer,
    OfficerPost,
    Post,
    PostAssignment,
    PowerItem,
    ProcedureStep,
    valid_certificates,
)
from basis.models import BasisCatalogue, CatalogueEntry
from basis.selectors_public import published_catalogues, published_entries_search  # noqa: F401 (the portal's reads)
from organisations.models import Organisation, OrganisationKind
from responsibility.models import (
    DisclosureDocument,
    DocumentKind,
    DocumentStatus,
    EnforcementStandard,
    HolderLevel,
    Responsibility,
    ResponsibilitySet,
    StandardBand,
)
from toolkit.prepared import PreparedQuery
from workflow.review import ReviewStatus

PUBLISHED = ReviewStatus.PUBLISHED
PUBLIC_GOVERNMENT_KINDS = (OrganisationKind.CITY, OrganisationKind.COUNTY)
DEPARTMENT_DOCUMENT_KINDS = (DocumentKind.BOOKLET, DocumentKind.BULLETIN)
GOVERNMENT_DOCUMENT_KINDS = (DocumentKind.COMPILATION,)
VERSIONED = (BasisCatalogue, Breakdown, ResponsibilitySet)


def _latest(values):
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _digest(*parts) -> str:
    return hashlib.sha256("|".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:32]


def _newest(queryset: QuerySet, column: str) -> Subquery:
    """The newest value of ``column`` in ``queryset`` as a subquery (a MAX an index can serve)."""
    return Subquery(queryset.filter(**{f"{column}__isnull": False}).order_by(F(column).desc()).values(column)[:1])


def _newest_of_few(queryset: QuerySet, column: str, output_field) -> Subquery:
    """The newest value of ``column`` among the few rows ``queryset`` finds through an index of
    its own (a department's subtree by path, a government's departments): a MAX over them. The
    ORDER BY … LIMIT 1 of ``_newest`` let the planner walk the column's index from the newest
    row of the whole table, filtering as it went: 58,689 organisations read for one department
    page at ×10 (12 ms). A plain MAX is rewritten by PostgreSQL into that same walk; over
    COALESCE(column, column) it is not, and the planner reads the few rows by their own index."""
    newest = Func(Coalesce(F(column), F(column)), function="MAX", output_field=output_field)
    return Subquery(queryset.order_by().annotate(newest=newest).values("newest")[:1])


def _under_outer_path(prefix: str = "") -> Q:
    """The organisation (at ``prefix``, e.g. "agency__") lies under the outer query's path, as a
    range an index can serve: a LIKE whose pattern comes from the outer row cannot use one.
    Tree paths are made of 0-9 and A-Z, which all sort before "~"."""
    return Q(**{f"{prefix}path__gte": OuterRef("path"), f"{prefix}path__lte": Concat(OuterRef("path"), Value("~"))})


def _published(model, **outer) -> QuerySet:
    return model.objects.filter(status=PUBLISHED, **outer).order_by("-version")


# -- Governments ------------------------------------------------------------------------------


def public_departments() -> QuerySet[Organisation]:
    """Enforcement departments (entrusted and authorised bodies included), not the offices."""
    return Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT, is_active=True, office_function="")


def governments() -> QuerySet[Organisation]:
    """The city and its counties (every city and county of a province), each with its number of
    departments and of departments that have published their catalogue."""
    departments = public_departments().filter(jurisdiction=OuterRef("pk")).order_by().values("jurisdiction")
    count = departments.annotate(n=Count("pk")).values("n")
    published = (
        departments.filter(Exists(_published(BasisCatalogue, department=OuterRef("pk"))))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Organisation.objects.filter(kind__in=PUBLIC_GOVERNMENT_KINDS, is_active=True)
        .annotate(department_count=Subquery(count), published_count=Subquery(published))
        .order_by("path")
    )


@dataclass(frozen=True)
class SiteState:
    """When anything public last changed, for the pages that show the whole province."""

    published_at: datetime.datetime | None
    organisations_at: datetime.datetime | None

    @property
    def data_as_of(self):
        return self.published_at

    @property
    def last_modified(self):
        return _latest([self.published_at, self.organisations_at])

    def etag(self, *extra) -> str:
        return _digest("site", self.published_at, self.organisations_at, *extra)


def _site_state_query() -> QuerySet[Organisation]:
    # One row carrying four uncorrelated subqueries, each the newest value an index gives: the
    # portal's every page asks this, and four round trips cost more than the answers.
    newest = {
        f"at_{index}": _newest(model.objects.filter(status=PUBLISHED), "published_at")
        for index, model in enumerate(VERSIONED)
    }
    return (
        Organisation.objects.order_by()
        .annotate(**newest, organisations_at=_newest(Organisation.objects.all(), "updated_at"))
        .values_list(*newest, "organisations_at")[:1]
    )


_SITE_STATE = PreparedQuery(_site_state_query)


def site_state() -> SiteState:
    row = _SITE_STATE.first()
    if row is None:  # no organisation at all: nothing is published either
        return SiteState(published_at=None, organisations_at=None)
    *newest, organisations_at = row
    return SiteState(published_at=_latest(newest), organisations_at=organisations_at)


@dataclass(frozen=True)
class GovernmentState:
    government: Organisation

    @property
    def data_as_of(self):
        g = self.government
        return _latest([g.catalogues_at, g.breakdowns_at, g.responsibility_sets_at])

    @property
    def last_modified(self):
        g = self.government
        return _latest([self.data_as_of, g.departments_at, g.documents_at])

    def etag(self, *extra) -> str:
        g = self.government
        return _digest(
            "government", g.pk, g.catalogues_at, g.breakdowns_at, g.responsibility_sets_at,
            g.departments_at, g.documents_at, *extra,
        )


def government_state(code: str) -> GovernmentState | None:
    """The government with the code (city or county) and when its public data last changed."""
    within = {"department__jurisdiction": OuterRef("pk")}
    government = (
        Organisation.objects.filter(code=code, kind__in=PUBLIC_GOVERNMENT_KINDS, is_active=True)
        .annotate(
            catalogues_at=_newest(BasisCatalogue.objects.filter(status=PUBLISHED, **within), "published_at"),
            breakdowns_at=_newest(Breakdown.objects.filter(status=PUBLISHED, **within), "published_at"),
            responsibility_sets_at=_newest(ResponsibilitySet.objects.filter(status=PUBLISHED, **within), "published_at"),
            departments_at=_newest_of_few(
                Organisation.objects.filter(jurisdiction=OuterRef("pk")), "updated_at", DateTimeField()
            ),
            documents_at=_newest(
                DisclosureDocument.objects.filter(organisation=OuterRef("pk"), status=DocumentStatus.READY), "finished_at"
            ),
        )
        .first()
    )
    return GovernmentState(government) if government else None


def government_departments(government: Organisation, query: str = "") -> QuerySet[Organisation]:
    """The departments under a government, with what each has published."""
    mine = {"department": OuterRef("pk")}
    departments = public_departments().filter(jurisdiction=government)
    if query.strip():
        departments = departments.filter(name__contains=query.strip())
    return (
        departments
        .annotate(
            has_catalogue=Exists(_published(BasisCatalogue, **mine)),
            has_breakdown=Exists(_published(Breakdown, **mine)),
            has_responsibilities=Exists(_published(ResponsibilitySet, **mine)),
        )
        .order_by("path")
    )


# -- A department -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentState:
    """A department, the ids of its published versions and when each was published."""

    department: Organisation

    @property
    def catalogue_id(self):
        return self.department.catalogue_id

    @property
    def breakdown_id(self):
        return self.department.breakdown_id

    @property
    def responsibility_set_id(self):
        return self.department.responsibility_set_id

    @property
    def data_as_of(self):
        """The latest publication shown, and the latest change to the valid officers."""
        d = self.department
        return _latest([d.catalogue_at, d.breakdown_at, d.responsibility_set_at, self.officers_at])

    @property
    def officers_at(self):
        d = self.department
        return _latest([d.officers_at, d.officer_history_at, d.placements_at])

    @property
    def last_modified(self):
        d = self.department
        return _latest([self.data_as_of, d.documents_at, d.posts_at, d.organisations_at])

    def etag(self, *extra) -> str:
        d = self.department
        return _digest(
            "department", d.pk, d.organisations_at, d.catalogue_id, d.catalogue_at, d.breakdown_id, d.breakdown_at,
            d.responsibility_set_id, d.responsibility_set_at, self.officers_at, d.posts_at, d.documents_at,
            # A certificate that runs out today leaves the list of valid officers without any
            # row changing.
            timezone.localdate(), *extra,
        )


def _department_state_query(code: str) -> QuerySet[Organisation]:
    mine = {"department": OuterRef("pk")}
    return (
        public_departments()
        .filter(code=code)
        .select_related("jurisdiction", "principal")
        .annotate(
            catalogue_id=Subquery(_published(BasisCatalogue, **mine).values("pk")[:1]),
            catalogue_at=Subquery(_published(BasisCatalogue, **mine).values("published_at")[:1]),
            breakdown_id=Subquery(_published(Breakdown, **mine).values("pk")[:1]),
            breakdown_at=Subquery(_published(Breakdown, **mine).values("published_at")[:1]),
            responsibility_set_id=Subquery(_published(ResponsibilitySet, **mine).values("pk")[:1]),
            responsibility_set_at=Subquery(_published(ResponsibilitySet, **mine).values("published_at")[:1]),
            officers_at=_newest(Certificate.objects.filter(officer__department=OuterRef("pk")), "updated_at"),
            # Standing records without a timestamp of their own: their history has one.
            officer_history_at=_newest(Officer.history.model.objects.filter(department_id=OuterRef("pk")), "history_date"),
            placements_at=_newest(
                OfficerPost.history.model.objects.filter(officer__department_id=OuterRef("pk")), "history_date"
            ),
            posts_at=_newest(Post.history.model.objects.filter(_under_outer_path("agency__")), "history_date"),
            organisations_at=_newest_of_few(
                Organisation.objects.filter(_under_outer_path()), "updated_at", DateTimeField()
            ),
            documents_at=_newest(
                DisclosureDocument.objects.filter(organisation=OuterRef("pk"), status=DocumentStatus.READY), "finished_at"
            ),
        )
        .order_by("pk")[:1]
    )


# Every public department page asks this before it renders (for its ETag): compiled once per
# connection, since compiling its eleven subqueries took longer than PostgreSQL takes to run them.
_DEPARTMENT_STATE = PreparedQuery(_department_state_query, str)


def department_state(code: str) -> DepartmentState | None:
    department = _DEPARTMENT_STATE.first(code)
    return DepartmentState(department) if department else None


def agencies_of(department: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            path__startswith=department.path, depth=department.depth + 1, kind=OrganisationKind.AGENCY, is_active=True
        ).order_by("path")
    )


def catalogue_entries(state: DepartmentState) -> QuerySet[CatalogueEntry]:
    return (
        CatalogueEntry.objects.filter(catalogue_id=state.catalogue_id)
        .select_related("instrument", "lead_department")
        .prefetch_related("provisions", "joint_departments", "assisting_departments")
        .order_by("position", "id")
    )


def published_catalogue(state: DepartmentState) -> BasisCatalogue | None:
    if state.catalogue_id is None:
        return None
    return BasisCatalogue.objects.get(pk=state.catalogue_id)


def _valid_officer_certificates(department_ids) -> QuerySet[Certificate]:
    return valid_certificates().filter(officer__department_id__in=department_ids, officer__is_active=True)


def _published_posts(breakdown_id) -> QuerySet[Post]:
    # The ids are read first: as a subquery, PostgreSQL walks every post of the province.
    ids = PostAssignment.objects.filter(power__breakdown_id=breakdown_id).order_by().values_list("post_id", flat=True)
    return Post.objects.filter(pk__in=list(ids.distinct()))


@dataclass
class Overview:
    agencies: list
    counts: dict
    documents: dict = field(default_factory=dict)


def _count(queryset: QuerySet, group: str, counted: str = "pk", distinct: bool = False) -> Coalesce:
    """The number of rows (or distinct ``counted`` values) of ``queryset`` as a subquery, all
    its rows sharing the value of ``group``."""
    rows = queryset.order_by().values(group).annotate(n=Count(counted, distinct=distinct)).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


OVERVIEW_COUNTS = ("entries", "powers", "posts", "officers", "responsibilities", "standards")


def _overview_counts_query(department_id: int, catalogue_id: int, breakdown_id: int, set_id: int, today: datetime.date):
    """The six counts of the overview in one query (0 for a version not published: no id is 0)."""
    return (
        Organisation.objects.filter(pk=department_id)
        .annotate(
            n_entries=_count(CatalogueEntry.objects.filter(catalogue_id=catalogue_id), "catalogue_id"),
            n_powers=_count(PowerItem.objects.filter(breakdown_id=breakdown_id), "breakdown_id"),
            n_posts=_count(
                PostAssignment.objects.filter(power__breakdown_id=breakdown_id), "power__breakdown_id", "post_id", True
            ),
            n_officers=_count(
                valid_certificates(today).filter(officer__department_id=department_id, officer__is_active=True),
                "officer__department_id", "officer_id", True,
            ),
            n_responsibilities=_count(Responsibility.objects.filter(responsibility_set_id=set_id), "responsibility_set_id"),
            n_standards=_count(EnforcementStandard.objects.filter(responsibility_set_id=set_id), "responsibility_set_id"),
        )
        .values_list(*(f"n_{name}" for name in OVERVIEW_COUNTS))
    )


_OVERVIEW_COUNTS = PreparedQuery(_overview_counts_query, int, int, int, int, datetime.date)


def department_overview(state: DepartmentState) -> Overview:
    """What the department's first page shows: its agencies, how much it has published in each
    section, and its disclosure documents."""
    department = state.department
    counts = _OVERVIEW_COUNTS.first(
        department.pk, state.catalogue_id or 0, state.breakdown_id or 0, state.responsibility_set_id or 0,
        timezone.localdate(),
    )
    return Overview(
        agencies=agencies_of(department),
        counts=dict(zip(OVERVIEW_COUNTS, counts)),
        documents=documents_of(department, DEPARTMENT_DOCUMENT_KINDS),
    )


def department_powers(state: DepartmentState, query: str = "") -> QuerySet[PowerItem]:
    powers = (
        PowerItem.objects.filter(breakdown_id=state.breakdown_id)
        .select_related("kind", "enforcing_organ", "handling_agency")
        .prefetch_related("provisions__instrument")
        .order_by("position", "id")
    )
    query = query.strip()
    if query:
        powers = powers.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return powers


@dataclass
class PowerDetail:
    power: PowerItem
    steps: list
    assignments: list
    responsibilities: list
    standards: list


def power_detail(state: DepartmentState, code: str) -> PowerDetail | None:
    if state.breakdown_id is None:
        return None
    power = (
        PowerItem.objects.filter(breakdown_id=state.breakdown_id, code=code)
        .select_related("kind", "enforcing_organ", "handling_agency")
        .prefetch_related("provisions__instrument")
        .first()
    )
    if power is None:
        return None
    steps = list(
        ProcedureStep.objects.filter(power=power).select_related("stage", "post__agency").order_by("order")
    )
    assignments = list(
        PostAssignment.objects.filter(power=power).select_related("post__agency").order_by("role", "post__name")
    )
    responsibilities, standards = [], []
    if state.responsibility_set_id:
        responsibilities = list(
            _responsibilities(state).filter(power_code=code).order_by(
                F("stage__order").asc(nulls_first=True), "position", "id"
            )
        )
        standards = list(department_standards(state).filter(power_code=code))
    return PowerDetail(power, steps, assignments, responsibilities, standards)


def department_posts(state: DepartmentState) -> QuerySet[Post]:
    """The posts that handle the published breakdown's powers (``powers_of_posts`` gives what
    each handles)."""
    if state.breakdown_id is None:
        return Post.objects.none()
    return _published_posts(state.breakdown_id).select_related("agency").order_by("agency__path", "name", "id")


def powers_of_posts(state: DepartmentState, post_ids) -> dict[int, list[tuple[str, str, str]]]:
    """For each post, the published powers it handles as (code, name, role), in the order of the
    breakdown. Plain tuples: a post may handle hundreds of powers."""
    handled = defaultdict(list)
    rows = (
        PostAssignment.objects.filter(power__breakdown_id=state.breakdown_id, post_id__in=list(post_ids))
        .order_by("power__position", "power_id", "role")
        .values_list("post_id", "power__code", "power__name", "role")
    )
    for post_id, code, name, role in rows:
        handled[post_id].append((code, name, role))
    return handled


def department_officers(state: DepartmentState, query: str = "") -> QuerySet[Certificate]:
    """Valid certificates of the department's active officers, each with only what the public
    may see: the certificate number, the holder's name and (``current_placements``) the posts he
    holds today. The officer's ID number, gender and the like are not even read."""
    today = timezone.localdate()
    placements = (
        OfficerPost.objects.filter(since__lte=today)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .select_related("post")
        .only("officer_id", "post__name", "post__agency_id")
    )
    certificates = _valid_officer_certificates([state.department.pk])
    query = query.strip()
    if query:
        certificates = certificates.filter(Q(officer__name__contains=query) | Q(number__iexact=query))
    return (
        certificates.select_related("officer")
        .only("number", "officer__name", "officer__id")
        .prefetch_related(Prefetch("officer__placements", queryset=placements, to_attr="current_placements"))
        .order_by("officer__name", "number")
    )


def _responsibilities(state: DepartmentState) -> QuerySet[Responsibility]:
    return Responsibility.objects.filter(responsibility_set_id=state.responsibility_set_id).select_related(
        "kind", "stage", "agency", "post__agency"
    )


def department_responsibilities(state: DepartmentState) -> QuerySet[Responsibility]:
    """Ordered by holder: the department, then its agencies, then its posts."""
    if state.responsibility_set_id is None:
        return Responsibility.objects.none()
    return _responsibilities(state).annotate(
        holder_order=Case(
            When(level=HolderLevel.DEPARTMENT, then=Value(0)),
            When(level=HolderLevel.AGENCY, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("holder_order", "agency__path", "post__agency__path", "post__name", "position", "id")


def department_standards(state: DepartmentState) -> QuerySet[EnforcementStandard]:
    if state.responsibility_set_id is None:
        return EnforcementStandard.objects.none()
    return (
        EnforcementStandard.objects.filter(responsibility_set_id=state.responsibility_set_id)
        .prefetch_related(Prefetch("bands", queryset=StandardBand.objects.order_by("order")))
        .order_by("position", "id")
    )


def power_names(state: DepartmentState, codes) -> dict[str, str]:
    """Names of the published breakdown's powers by code (responsibilities and standards cite
    powers by code, so that they outlive a breakdown version)."""
    codes = {c for c in codes if c}
    if not codes or state.breakdown_id is None:
        return {}
    return dict(PowerItem.objects.filter(breakdown_id=state.breakdown_id, code__in=codes).values_list("code", "name"))


def holder_label(responsibility: Responsibility, department: Organisation) -> str:
    if responsibility.level == HolderLevel.POST and responsibility.post_id:
        return str(responsibility.post)
    if responsibility.level == HolderLevel.AGENCY and responsibility.agency_id:
        return responsibility.agency.name
    return department.name


# -- Disclosure documents ---------------------------------------------------------------------


@dataclass
class DocumentVersions:
    kind: str
    label: str
    latest: DisclosureDocument
    older: list


def documents_of(organisation: Organisation, kinds) -> dict[str, DocumentVersions]:
    """The READY documents of an organisation by kind: the latest and the older versions."""
    grouped = defaultdict(list)
    for document in DisclosureDocument.objects.filter(
        organisation=organisation, kind__in=list(kinds), status=DocumentStatus.READY
    ).order_by("kind", "-version").defer("error"):
        grouped[document.kind].append(document)
    return {
        kind: DocumentVersions(kind, DocumentKind(kind).label, docs[0], docs[1:])
        for kind in kinds
        if (docs := grouped.get(kind))
    }


def ready_document(organisation: Organisation, kind: str, version: int | None = None) -> DisclosureDocument | None:
    """The latest READY document of the kind (or the given version, if READY). Never a queued,
    rendering or failed one."""
    documents = DisclosureDocument.objects.filter(organisation=organisation, kind=kind, status=DocumentStatus.READY)
    if version is not None:
        documents = documents.filter(version=version)
    return documents.exclude(file="").order_by("-version").first()


# -- Search -----------------------------------------------------------------------------------


def published_powers_search(query: str) -> QuerySet[PowerItem]:
    """Powers of published breakdowns whose name or code contains the query."""
    query = query.strip()
    lookup = "icontains" if any(c.isascii() and c.isalpha() for c in query) else "contains"
    return (
        PowerItem.objects.filter(breakdown__in=Breakdown.objects.filter(status=PUBLISHED).values("pk"))
        .filter(Q(**{f"name__{lookup}": query}) | Q(code__icontains=query))
        .select_related("kind", "breakdown__department")
        .order_by("breakdown_id", "position", "id")
    )


# -- The whole dossier (open data) ------------------------------------------------------------


def department_dossier(state: DepartmentState) -> dict:
    """Everything public about one department as plain data, for the open-data JSON: the same
    published versions the pages show, in a fixed number of queries."""
    department = state.department
    powers = []
    if state.breakdown_id:
        powers = list(
            department_powers(state).prefetch_related(
                Prefetch("assignments", queryset=PostAssignment.objects.select_related("post__agency").order_by("role", "post__name")),
                Prefetch("steps", queryset=ProcedureStep.objects.select_related("stage", "post__agency").order_by("order")),
            )
        )
    entries = list(catalogue_entries(state)) if state.catalogue_id else []
    responsibilities = list(department_responsibilities(state))
    standards = list(department_standards(state))
    names = {p.code: p.name for p in powers}
    catalogue = published_catalogue(state)
    breakdown = Breakdown.objects.filter(pk=state.breakdown_id).first() if state.breakdown_id else None
    rset = ResponsibilitySet.objects.filter(pk=state.responsibility_set_id).first() if state.responsibility_set_id else None

    def version(v):
        return {"version": v.version, "published_at": v.published_at} if v else None

    return {
        "department": {
            "code": department.code,
            "name": department.name,
            "subject_kind": department.subject_kind,
            "government": department.jurisdiction.code if department.jurisdiction else None,
        },
        "data_as_of": state.data_as_of,
        "agencies": [{"code": a.code, "name": a.name} for a in agencies_of(department)],
        "catalogue": version(catalogue) and {
            **version(catalogue),
            "entries": [
                {
                    "position": e.position,
                    "instrument": e.instrument.name,
                    "provisions": [p.label for p in e.provisions.all()],
                    "category": e.category,
                    "lead_department": e.lead_department.name if e.lead_department_id else None,
                    "joint_departments": [d.name for d in e.joint_departments.all()],
                    "assisting_departments": [d.name for d in e.assisting_departments.all()],
                    "rights_and_duties": e.rights_and_duties,
                }
                for e in entries
            ],
        },
        "breakdown": version(breakdown) and {
            **version(breakdown),
            "powers": [
                {
                    "code": p.code,
                    "name": p.name,
                    "kind": p.kind.code,
                    "kind_name": p.kind.name,
                    "enforcing_organ": p.enforcing_organ.name,
                    "basis": [f"{prov.instrument.name}{prov.label}" for prov in p.provisions.all()],
                    "handling_agency": p.handling_agency.name if p.handling_agency_id else None,
                    "forwards_only": p.forwards_only,
                    "accountability_grounds": p.accountability_grounds,
                    "posts": [{"post": a.post.name, "agency": a.post.agency.name, "role": a.role} for a in p.assignments.all()],
                    "steps": [
                        {
                            "order": s.order,
                            "stage": s.stage.name,
                            "post": s.post.name if s.post_id else None,
                            "duty": s.duty,
                            "time_limit": s.time_limit,
                            "time_unit": s.time_unit if s.time_limit is not None else None,
                        }
                        for s in p.steps.all()
                    ],
                }
                for p in powers
            ],
        },
        "responsibility_set": version(rset) and {
            **version(rset),
            "responsibilities": [
                {
                    "level": r.level,
                    "holder": holder_label(r, department),
                    "kind": r.kind.name,
                    "power_code": r.power_code or None,
                    "power_name": names.get(r.power_code),
                    "stage": r.stage.name if r.stage_id else None,
                    "content": r.content,
                }
                for r in responsibilities
            ],
            "standards": [
                {
                    "power_code": s.power_code,
                    "power_name": names.get(s.power_code),
                    "title": s.title,
                    "note": s.note,
                    "bands": [
                        {"label": b.label, "circumstances": b.circumstances, "measure": b.measure} for b in s.bands.all()
                    ],
                }
                for s in standards
            ],
        },
        # Name, posts held today and certificate number: nothing else about an officer.
        "officers": [
            {
                "name": c.officer.name,
                "posts": [pl.post.name for pl in c.officer.current_placements],
                "certificate_number": c.number,
            }
            for c in department_officers(state)
        ],
        "documents": [
            {
                "kind": kind,
                "latest_version": group.latest.version,
                "versions": [d.version for d in [group.latest, *group.older]],
                "data_as_of": group.latest.data_as_of,
            }
            for kind, group in documents_of(department, DEPARTMENT_DOCUMENT_KINDS).items()
        ],
    }
