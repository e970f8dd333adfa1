"""What each organisation owes in a campaign, and how far it has got, computed from the real
records (never a checkbox), in bulk: a constant number of queries for any number of organisations.

Who owes what
    A campaign of jurisdiction J covers the organisations of J's subtree that answer to a
    competent office: the enforcement departments that hang directly under a government (their
    authorised and entrusted bodies are covered by their plan), and the governments below J (a
    county answers to the city, a township to its county). Each organisation is governed by the
    campaign of the government it answers to (a department: its jurisdiction; a government: the
    jurisdiction of the government above it) for the same year, or, when that government opened
    none, by the enclosing campaign. Governments owe the plan, the team and the four summaries;
    departments owe every deliverable.

Deliverables and their states (``State``)
    ``not_started``  no record of it at all;
    ``in_progress``  a record exists but nothing is with the office yet: a draft or a returned
                     version/plan/summary, a team without members, one of the two rule kinds,
                     a disclosure document not (all) ready;
    ``submitted``    with the office, awaiting its decision: a catalogue, breakdown or
                     responsibility-set version submitted, under review or approved, none
                     published yet (plans and summaries are done once filed: filing is all the
                     organisation does);
    ``done``         the record reached what the phase asks: a published version; the plan
                     filed or acknowledged; a team with at least one member; the enforcement
                     subject kind set on the organisation; a booklet and a bulletin sheet ready;
                     an appraisal rule and a fault-accountability rule in the register, not
                     repealed; the phase summary filed or acknowledged.
    ``late``         (the status shown) the deadline has passed and the state is still
                     ``not_started`` or ``in_progress``. What was submitted or done after the
                     deadline shows as submitted/done, with ``delivered_late`` set.

"Delivered" means submitted or done; ``delivered_at`` is when it first was: a version's
submission (its publication when it has no submission time), the plan's filing, the summary's
submission, the first time the subject kind was recorded (the organisation's history; its
creation for one that had it from the start), the adoption date of the later of the two rules,
the finishing time of the later of the two documents, and for the team its last change (the
team keeps no earlier date).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.db import models

from organisations.models import GOVERNMENT_KINDS, Organisation, OrganisationKind

from .models import Campaign, Phase, PhaseNumber


class State(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    DONE = "done", _("Done")
    LATE = "late", _("Late")


DELIVERED_STATES = frozenset({State.SUBMITTED, State.DONE})


class Deliverable(models.TextChoices):
    PLAN = "plan", _("Implementation plan filed")
    TEAM = "team", _("Leading group and working team recorded")
    SUMMARY_1 = "summary_1", _("Phase 1 summary")
    CATALOGUE = "catalogue", _("Basis catalogue submitted and published")
    SUBJECT_KIND = "subject_kind", _("Enforcement subject kind confirmed")
    SUMMARY_2 = "summary_2", _("Phase 2 summary")
    BREAKDOWN = "breakdown", _("Authority breakdown published")
    RESPONSIBILITY_SET = "responsibility_set", _("Responsibility set published")
    DISCLOSURE = "disclosure", _("Disclosure documents ready")
    SUMMARY_3 = "summary_3", _("Phase 3 summary")
    RULES = "rules", _("Appraisal and accountability rules registered")
    SUMMARY_4 = "summary_4", _("Phase 4 summary")


PHASE_OF = {
    Deliverable.PLAN: 1, Deliverable.TEAM: 1, Deliverable.SUMMARY_1: 1,
    Deliverable.CATALOGUE: 2, Deliverable.SUBJECT_KIND: 2, Deliverable.SUMMARY_2: 2,
    Deliverable.BREAKDOWN: 3, Deliverable.RESPONSIBILITY_SET: 3, Deliverable.DISCLOSURE: 3, Deliverable.SUMMARY_3: 3,
    Deliverable.RULES: 4, Deliverable.SUMMARY_4: 4,
}
SUMMARY_OF_PHASE = {1: Deliverable.SUMMARY_1, 2: Deliverable.SUMMARY_2, 3: Deliverable.SUMMARY_3, 4: Deliverable.SUMMARY_4}
GOVERNMENT_DELIVERABLES = (
    Deliverable.PLAN, Deliverable.TEAM, Deliverable.SUMMARY_1, Deliverable.SUMMARY_2, Deliverable.SUMMARY_3, Deliverable.SUMMARY_4,
)
DEPARTMENT_DELIVERABLES = tuple(Deliverable)

# Where each deliverable is done (a URL name; the team's page takes the organisation).
_URL_OF = {
    Deliverable.PLAN: "filings:plan_mine",
    Deliverable.SUMMARY_1: "filings:summary_list",
    Deliverable.SUMMARY_2: "filings:summary_list",
    Deliverable.SUMMARY_3: "filings:summary_list",
    Deliverable.SUMMARY_4: "filings:summary_list",
    Deliverable.CATALOGUE: "basis:catalogue_list",
    Deliverable.SUBJECT_KIND: "campaigns:checklist",
    Deliverable.BREAKDOWN: "authority:index",
    Deliverable.RESPONSIBILITY_SET: "responsibility:index",
    Deliverable.DISCLOSURE: "disclosure:list",
    Deliverable.RULES: "responsibility:rule_home",
}


def url_of(deliverable: str, organisation_id: int | None = None) -> str:
    if deliverable == Deliverable.TEAM:
        return reverse("filings:team_detail", args=[organisation_id]) if organisation_id else reverse("filings:plan_list")
    return reverse(_URL_OF.get(deliverable, "campaigns:checklist"))


@dataclass(slots=True)
class Item:
    organisation_id: int
    campaign_id: int
    deliverable: str
    phase: int
    due_at: dt.datetime | None
    state: str
    delivered_at: dt.datetime | None
    status: str = ""
    delivered_late: bool = False

    @property
    def label(self):
        return Deliverable(self.deliverable).label

    @property
    def delivered(self) -> bool:
        return self.state in DELIVERED_STATES

    @property
    def is_late(self) -> bool:
        return self.status == State.LATE

    @property
    def status_label(self):
        return State(self.status).label


@dataclass
class Row:
    organisation: Organisation
    campaign: Campaign
    items: list[Item] = field(default_factory=list)
    _statuses: dict = field(default_factory=dict, repr=False)

    def for_phase(self, phase: int | None) -> list[Item]:
        return [i for i in self.items if phase is None or i.phase == phase]

    def status(self, phase: int | None = None) -> str:
        """The organisation's status over a phase (or all): late if anything is late, else not
        started if nothing has been started, done if all is done, submitted if all is at least
        submitted, else in progress."""
        if phase not in self._statuses:
            self._statuses[phase] = self._status(phase)
        return self._statuses[phase]

    def _status(self, phase: int | None) -> str:
        states = {i.status for i in self.for_phase(phase)}
        if not states:
            return State.DONE
        if State.LATE in states:
            return State.LATE
        if states == {State.NOT_STARTED}:
            return State.NOT_STARTED
        if states == {State.DONE}:
            return State.DONE
        if states <= DELIVERED_STATES:
            return State.SUBMITTED
        return State.IN_PROGRESS


# -- Phases and their dates ---------------------------------------------------------------------


class Dates:
    """The campaigns' phases, read once, with each campaign's effective date per phase (a county
    phase without its own date, or with one later than the city's, takes the city's)."""

    def __init__(self, campaigns: list[Campaign]):
        ids = {c.pk for c in campaigns} | {c.parent_id for c in campaigns if c.parent_id}
        self.campaigns = {c.pk: c for c in campaigns}
        missing = ids - set(self.campaigns)
        if missing:
            self.campaigns.update({c.pk: c for c in Campaign.objects.filter(pk__in=missing)})
        self.phases: dict[int, dict[int, Phase]] = defaultdict(dict)
        self._due: dict[tuple[int, int], dt.datetime | None] = {}
        for phase in Phase.objects.filter(campaign_id__in=list(self.campaigns)):
            self.phases[phase.campaign_id][phase.number] = phase

    def due(self, campaign_id: int, number: int) -> dt.datetime | None:
        key = (campaign_id, number)
        if key not in self._due:
            self._due[key] = self._effective(campaign_id, number)
        return self._due[key]

    def _effective(self, campaign_id: int, number: int) -> dt.datetime | None:
        campaign = self.campaigns.get(campaign_id)
        phase = self.phases[campaign_id].get(number)
        own = phase.due_at if phase else None
        inherited = self.due(campaign.parent_id, number) if campaign and campaign.parent_id else None
        if own is None or (inherited is not None and own > inherited):
            return inherited
        return own

    def phase(self, campaign_id: int, number: int) -> Phase | None:
        return self.phases[campaign_id].get(number)


def effective_dues(campaign: Campaign) -> dict[int, dt.datetime | None]:
    dates = Dates([campaign])
    return {n: dates.due(campaign.pk, n) for n in PhaseNumber.values}


# -- Who a campaign covers ----------------------------------------------------------------------


_ORG_FIELDS = ("id", "path", "depth", "name", "code", "kind", "jurisdiction_id", "subject_kind", "created_at")


def campaign_population(campaign: Campaign, root: Organisation | None = None) -> list[Organisation]:
    """The organisations ``campaign`` covers (see the module's docstring), ordered by path: one
    query. ``root`` narrows it to a subtree (a county inside the city's campaign)."""
    jurisdiction = campaign.jurisdiction
    root = root or jurisdiction
    candidates = list(
        Organisation.objects.filter(path__startswith=root.path, is_active=True)
        .filter(Q(kind__in=list(GOVERNMENT_KINDS)) | Q(kind=OrganisationKind.DEPARTMENT, office_function=""))
        .only(*_ORG_FIELDS).order_by("path")
    )
    steplen = Organisation.steplen
    government_paths = {o.path for o in candidates if o.kind in GOVERNMENT_KINDS} | {jurisdiction.path}
    return [
        o for o in candidates
        if o.pk != jurisdiction.pk
        and (o.kind in GOVERNMENT_KINDS or o.path[:-steplen] in government_paths)
    ]


def _answers_to(organisations: list[Organisation]) -> dict[int, int | None]:
    """Each organisation's reviewing government: a department's jurisdiction; a government's, the
    jurisdiction of the government above it (one query for the parents)."""
    steplen = Organisation.steplen
    parent_paths = {o.path[:-steplen] for o in organisations if o.kind in GOVERNMENT_KINDS and o.depth > 1}
    parents = dict(Organisation.objects.filter(path__in=parent_paths).values_list("path", "jurisdiction_id")) if parent_paths else {}
    return {
        o.pk: (parents.get(o.path[:-steplen]) if o.kind in GOVERNMENT_KINDS else o.jurisdiction_id)
        for o in organisations
    }


# -- The records, read in bulk ------------------------------------------------------------------


def _earliest(values):
    values = [v for v in values if v is not None]
    return min(values) if values else None


def _start_of_day(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _owned(queryset, field: str, ids):
    """``queryset`` narrowed to the organisations: ``ids`` is a list of ids, or a subtree's root
    (``Organisation``), whose path prefix is one indexed condition where a long ``IN`` list of
    thousands of ids would cost more to build than to run."""
    if isinstance(ids, Organisation):
        return queryset.filter(**{f"{field}__path__startswith": ids.path})
    return queryset.filter(**{f"{field}_id__in": ids})


def _versions(model, ids) -> dict[int, tuple[str, dt.datetime | None]]:
    """A reviewed record's state per department (catalogue, breakdown, responsibility set)."""
    from workflow.review import ReviewStatus

    with_office = {ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED}
    published = {ReviewStatus.PUBLISHED, ReviewStatus.SUPERSEDED}
    seen: dict[int, dict] = defaultdict(lambda: {"statuses": set(), "times": []})
    for department_id, status, submitted_at, published_at in _owned(model.objects.all(), "department", ids).values_list(
        "department_id", "status", "submitted_at", "published_at"
    ):
        entry = seen[department_id]
        entry["statuses"].add(status)
        if status in with_office or status in published:
            entry["times"].append(submitted_at or published_at)
    result = {}
    for department_id, entry in seen.items():
        statuses = entry["statuses"]
        if ReviewStatus.PUBLISHED in statuses:
            state = State.DONE
        elif statuses & with_office:
            state = State.SUBMITTED
        else:  # drafts, returned versions (and superseded ones, which cannot be alone)
            state = State.IN_PROGRESS
        result[department_id] = (state, _earliest(entry["times"]) if state in DELIVERED_STATES else None)
    return result


def _disclosure(ids) -> dict[int, tuple[str, dt.datetime | None]]:
    from responsibility.models import DocumentKind, DocumentStatus, DisclosureDocument

    kinds = (DocumentKind.BOOKLET, DocumentKind.BULLETIN)
    ready: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    any_doc = set()
    for organisation_id, kind, status, finished_at in _owned(
        DisclosureDocument.objects.filter(kind__in=kinds), "organisation", ids
    ).values_list("organisation_id", "kind", "status", "finished_at"):
        any_doc.add(organisation_id)
        if status == DocumentStatus.READY:
            first = ready[organisation_id].get(kind)
            ready[organisation_id][kind] = finished_at if first is None or (finished_at and finished_at < first) else first
    result = {}
    for organisation_id in any_doc:
        got = ready.get(organisation_id, {})
        if all(k in got for k in kinds):
            result[organisation_id] = (State.DONE, max((t for t in got.values() if t), default=None))
        else:
            result[organisation_id] = (State.IN_PROGRESS, None)
    return result


def _rules(ids) -> dict[int, tuple[str, dt.datetime | None]]:
    from responsibility.models import SupportingRule, SupportingRuleKind, SupportingRuleStatus

    kinds = (SupportingRuleKind.APPRAISAL, SupportingRuleKind.FAULT_ACCOUNTABILITY)
    adopted: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for department_id, kind, first in (
        _owned(SupportingRule.objects.filter(kind__in=kinds), "department", ids)
        .exclude(status=SupportingRuleStatus.REPEALED)
        .values("department_id", "kind").annotate(first=Min("adopted_on")).values_list("department_id", "kind", "first")
    ):
        adopted[department_id][kind] = first
    result = {}
    for department_id, got in adopted.items():
        if all(k in got for k in kinds):
            result[department_id] = (State.DONE, _start_of_day(max(got.values())))
        else:
            result[department_id] = (State.IN_PROGRESS, None)
    return result


def _subject_kinds(organisations) -> dict[int, tuple[str, dt.datetime | None]]:
    set_ = [o for o in organisations if o.kind == OrganisationKind.DEPARTMENT and o.subject_kind]
    if not set_:
        return {}
    first = dict(
        Organisation.history.model.objects.filter(id__in=[o.pk for o in set_]).exclude(subject_kind="")
        .values("id").annotate(first=Min("history_date")).values_list("id", "first")
    )
    return {o.pk: (State.DONE, first.get(o.pk) or o.created_at) for o in set_}


def _plans(campaign_ids, ids) -> dict[tuple[int, int], tuple[str, dt.datetime | None]]:
    from .models import FilingStatus, ImplementationPlan

    result = {}
    for organisation_id, campaign_id, status, filed_at in _owned(
        ImplementationPlan.objects.filter(campaign_id__in=campaign_ids), "organisation", ids
    ).values_list("organisation_id", "campaign_id", "status", "filed_at"):
        done = status in (FilingStatus.FILED, FilingStatus.ACKNOWLEDGED)
        result[(organisation_id, campaign_id)] = (State.DONE, filed_at) if done else (State.IN_PROGRESS, None)
    return result


def _teams(ids) -> dict[int, tuple[str, dt.datetime | None]]:
    from .models import WorkingTeam

    result = {}
    for organisation_id, members, updated_at in _owned(WorkingTeam.objects.all(), "organisation", ids).annotate(
        n=Count("members")
    ).values_list("organisation_id", "n", "updated_at"):
        result[organisation_id] = (State.DONE, updated_at) if members else (State.IN_PROGRESS, None)
    return result


def _summaries(phase_ids, ids) -> dict[tuple[int, int], tuple[str, dt.datetime | None]]:
    from .models import FilingStatus, PhaseSummary

    result = {}
    for organisation_id, phase_id, status, submitted_at in _owned(
        PhaseSummary.objects.filter(phase_id__in=phase_ids), "organisation", ids
    ).values_list("organisation_id", "phase_id", "status", "submitted_at"):
        done = status in (FilingStatus.FILED, FilingStatus.ACKNOWLEDGED)
        result[(organisation_id, phase_id)] = (State.DONE, submitted_at) if done else (State.IN_PROGRESS, None)
    return result


# -- Evaluation ---------------------------------------------------------------------------------


class Records:
    """Every record the deliverables read, for a set of organisations and campaigns: eleven
    queries, whatever their number."""

    def __init__(self, organisations: list[Organisation], dates: Dates, root: Organisation | None = None):
        """``root``: the organisations are (part of) its subtree; the records are read by path
        prefix rather than by a list of ids."""
        ids = [o.pk for o in organisations]
        departments = [o.pk for o in organisations if o.kind == OrganisationKind.DEPARTMENT]
        if root is not None:
            ids = root if ids else []
            departments = root if departments else []
        from authority.models import Breakdown
        from basis.models import BasisCatalogue
        from responsibility.models import ResponsibilitySet

        self.catalogues = _versions(BasisCatalogue, departments) if departments else {}
        self.breakdowns = _versions(Breakdown, departments) if departments else {}
        self.sets = _versions(ResponsibilitySet, departments) if departments else {}
        self.disclosure = _disclosure(departments) if departments else {}
        self.rules = _rules(departments) if departments else {}
        self.subject_kinds = _subject_kinds(organisations)
        self.plans = _plans(list(dates.campaigns), ids) if ids else {}
        self.teams = _teams(ids) if ids else {}
        phase_ids = [p.pk for by_number in dates.phases.values() for p in by_number.values()]
        self.summaries = _summaries(phase_ids, ids) if ids and phase_ids else {}
        self._by_department = {
            Deliverable.CATALOGUE: self.catalogues,
            Deliverable.SUBJECT_KIND: self.subject_kinds,
            Deliverable.BREAKDOWN: self.breakdowns,
            Deliverable.RESPONSIBILITY_SET: self.sets,
            Deliverable.DISCLOSURE: self.disclosure,
            Deliverable.RULES: self.rules,
        }

    def state(self, organisation: Organisation, campaign_id: int, deliverable: str, dates: Dates):
        pk = organisation.pk
        if deliverable == Deliverable.PLAN:
            return self.plans.get((pk, campaign_id))
        if deliverable == Deliverable.TEAM:
            return self.teams.get(pk)
        if deliverable in SUMMARY_OF_PHASE.values():
            phase = dates.phase(campaign_id, PHASE_OF[deliverable])
            return self.summaries.get((pk, phase.pk)) if phase else None
        return self._by_department[deliverable].get(pk)


def evaluate(organisation: Organisation, campaign_id: int, records: Records, dates: Dates, now) -> list[Item]:
    """The organisation's items for one campaign, with their status as of ``now``."""
    deliverables = GOVERNMENT_DELIVERABLES if organisation.kind in GOVERNMENT_KINDS else DEPARTMENT_DELIVERABLES
    items = []
    for deliverable in deliverables:
        phase = PHASE_OF[deliverable]
        due_at = dates.due(campaign_id, phase)
        state, delivered_at = records.state(organisation, campaign_id, deliverable, dates) or (State.NOT_STARTED, None)
        delivered = state in DELIVERED_STATES
        overdue = due_at is not None and now > due_at
        items.append(Item(
            organisation.pk, campaign_id, deliverable, phase, due_at, state, delivered_at,
            status=State.LATE if overdue and not delivered else state,
            delivered_late=bool(delivered and due_at and delivered_at and delivered_at > due_at),
        ))
    return items


class Progress:
    """A campaign's progress over the organisations it covers (or a subtree of them)."""

    def __init__(self, campaign: Campaign, *, root: Organisation | None = None, now=None):
        self.campaign = campaign
        self.now = now or timezone.now()
        organisations = campaign_population(campaign, root)
        inner = list(
            Campaign.objects.filter(year=campaign.year, jurisdiction__path__startswith=campaign.jurisdiction.path)
        )
        by_jurisdiction = {c.jurisdiction_id: c for c in inner}
        by_jurisdiction.setdefault(campaign.jurisdiction_id, campaign)
        self.dates = Dates(inner + [campaign])
        answers_to = _answers_to(organisations)
        records = Records(organisations, self.dates, root=root or campaign.jurisdiction)
        self.rows = []
        for organisation in organisations:
            governing = by_jurisdiction.get(answers_to.get(organisation.pk), campaign)
            self.rows.append(Row(organisation, governing, evaluate(organisation, governing.pk, records, self.dates, self.now)))

    @cached_property
    def items(self) -> list[Item]:
        return [item for row in self.rows for item in row.items]

    def rows_filtered(self, *, phase: int | None = None, status: str = "", q: str = "") -> list[Row]:
        """The rows the page lists: the organisation's status over the phase is ``status``, and
        its name or code contains ``q``."""
        q = q.strip().lower()
        return [
            row for row in self.rows
            if (not status or row.status(phase) == status)
            and (not q or q in row.organisation.name.lower() or q in row.organisation.code.lower())
        ]

    def counts(self, phase: int | None = None) -> dict[str, int]:
        """Organisations by their status over ``phase`` (or over the campaign)."""
        result = {s: 0 for s in State.values}
        for row in self.rows:
            result[row.status(phase)] += 1
        return result

    def item_counts(self) -> dict[int, dict[str, int]]:
        """Deliverables by phase and status."""
        result = {n: {s: 0 for s in State.values} for n in PhaseNumber.values}
        for item in self.items:
            result[item.phase][item.status] += 1
        return result

    def delivered_per_day(self) -> dict[int, list[tuple[dt.date, int]]]:
        """For each phase, the cumulative number of deliverables delivered, day by day (local
        dates), from the delivery times of the records."""
        per_phase: dict[int, dict[dt.date, int]] = {n: defaultdict(int) for n in PhaseNumber.values}
        for item in self.items:
            if item.delivered and item.delivered_at:
                per_phase[item.phase][timezone.localdate(item.delivered_at)] += 1
        result = {}
        for number, days in per_phase.items():
            total, series = 0, []
            for day in sorted(days):
                total += days[day]
                series.append((day, total))
            result[number] = series
        return result


def organisation_items(organisation: Organisation, *, year: int | None = None, now=None) -> tuple[Campaign | None, list[Item]]:
    """One organisation's checklist for the year's campaign governing it (its reviewing
    government's, else the enclosing one): a constant number of queries."""
    now = now or timezone.now()
    year = year or timezone.localdate(now).year
    answers_to = _answers_to([organisation]).get(organisation.pk)
    if answers_to is None:
        return None, []
    government = Organisation.objects.filter(pk=answers_to).only("path").first()
    if government is None:
        return None, []
    ancestor_paths = [government.path[: i * Organisation.steplen] for i in range(1, government.depth + 1)]
    campaigns = list(
        Campaign.objects.filter(year=year, jurisdiction__path__in=ancestor_paths).select_related("jurisdiction")
        .order_by("-jurisdiction__depth")
    )
    if not campaigns:
        return None, []
    campaign = campaigns[0]
    dates = Dates(campaigns)
    records = Records([organisation], dates)
    return campaign, evaluate(organisation, campaign.pk, records, dates, now)
