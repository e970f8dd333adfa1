"""The review workflow of catalogues: every transition from every status by every role, and the
rules around it (supersession, drafts kept to their department, deadlines, comments, versions)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from accounts import permissions as perms
from audit.models import AuditAction, AuditEvent
from basis import permissions as basis_perms
from basis import services
from basis.models import BasisCatalogue, CatalogueEvent, ManagementCategory
from organisations.models import SubjectKind
from workflow.review import ReviewStatus, WorkflowError

from .factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions

S = ReviewStatus
ROLES = ["editor_a", "editor_b", "head_a", "city_reviewer", "county_reviewer", "establishment", "sysadmin", "secadmin", "auditadmin"]

# Written out here rather than read from workflow.review, so that a change there shows up.
SOURCES = {
    "submit": {S.DRAFT, S.RETURNED},
    "start_review": {S.SUBMITTED},
    "return": {S.UNDER_REVIEW},
    "approve": {S.UNDER_REVIEW},
    "publish": {S.APPROVED},
}
TARGET = {
    "submit": S.SUBMITTED,
    "start_review": S.UNDER_REVIEW,
    "return": S.RETURNED,
    "approve": S.APPROVED,
    "publish": S.PUBLISHED,
}
# For a catalogue of city department A: its own department submits; the city's legal-affairs
# office decides. The county office, the establishment office and the administrators never do.
ACTORS = {
    "submit": {"editor_a", "head_a"},
    "start_review": {"city_reviewer"},
    "return": {"city_reviewer"},
    "approve": {"city_reviewer"},
    "publish": {"city_reviewer"},
}
CALLS = {
    "submit": lambda actor, c: services.catalogue_submit(actor=actor, catalogue=c),
    "start_review": lambda actor, c: services.catalogue_start_review(actor=actor, catalogue=c),
    "return": lambda actor, c: services.catalogue_return(actor=actor, catalogue=c, comment="请补充第十二条的具体职责"),
    "approve": lambda actor, c: services.catalogue_approve(actor=actor, catalogue=c),
    "publish": lambda actor, c: services.catalogue_publish(actor=actor, catalogue=c),
}


def audit_events(catalogue, action):
    return AuditEvent.objects.filter(action=action, object_type="basis.basiscatalogue", object_id=str(catalogue.pk))


def catalogue_in(department, status):
    catalogue = CatalogueFactory(department=department, status=status)
    EntryFactory(catalogue=catalogue, provisions="第一条")
    return catalogue


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("transition", list(CALLS))
def test_transition_matrix(city, users, transition, status, role):
    catalogue = catalogue_in(city.dept_a, status)
    actor = getattr(users, role)

    if role not in ACTORS[transition]:
        with pytest.raises(PermissionDenied):
            CALLS[transition](actor, catalogue)
        assert audit_events(catalogue, AuditAction.PERMISSION_DENIED).count() == 1
    elif status not in SOURCES[transition]:
        with pytest.raises(WorkflowError) as refused:
            CALLS[transition](actor, catalogue)
        # The reason names the state the catalogue is in.
        assert str(S(status).label) in str(refused.value)
    else:
        result = CALLS[transition](actor, catalogue)
        catalogue.refresh_from_db()
        assert result.status == catalogue.status == TARGET[transition]
        assert list(CatalogueEvent.objects.filter(catalogue=catalogue).values_list("actor", "from_status", "to_status")) == [
            (actor.pk, status, TARGET[transition])
        ]
        assert audit_events(catalogue, AuditAction.TRANSITION).count() == 1
        return

    catalogue.refresh_from_db()
    assert catalogue.status == status
    assert not CatalogueEvent.objects.filter(catalogue=catalogue).exists()
    assert not audit_events(catalogue, AuditAction.TRANSITION).exists()


@pytest.mark.parametrize(
    "reviewer, department, allowed",
    [
        ("county_reviewer", "dept_x1", True),
        ("city_reviewer", "dept_x1", False),  # the city oversees counties but does not review them
        ("county_reviewer", "dept_y1", False),
        ("city_reviewer", "dept_b", True),
    ],
)
def test_the_competent_office_reviews(city, users, reviewer, department, allowed):
    catalogue = catalogue_in(getattr(city, department), S.SUBMITTED)

    if allowed:
        services.catalogue_start_review(actor=getattr(users, reviewer), catalogue=catalogue)
        catalogue.refresh_from_db()
        assert catalogue.status == S.UNDER_REVIEW
    else:
        with pytest.raises(PermissionDenied):
            services.catalogue_start_review(actor=getattr(users, reviewer), catalogue=catalogue)


def test_publish_supersedes_the_previous_published_version(city, users):
    v1 = catalogue_in(city.dept_a, S.PUBLISHED)
    v2 = catalogue_in(city.dept_a, S.APPROVED)

    services.catalogue_publish(actor=users.city_reviewer, catalogue=v2)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (S.SUPERSEDED, S.PUBLISHED)
    assert v2.published_at is not None
    assert list(CatalogueEvent.objects.filter(catalogue=v1).values_list("from_status", "to_status")) == [
        (S.PUBLISHED, S.SUPERSEDED)
    ]
    assert audit_events(v1, AuditAction.TRANSITION).count() == 1
    assert audit_events(v2, AuditAction.TRANSITION).count() == 1
    assert BasisCatalogue.objects.filter(department=city.dept_a, status=S.PUBLISHED).get() == v2


def test_publication_is_announced_once_after_commit(city, users, django_capture_on_commit_callbacks):
    """What follows a publication (the disclosure documents) hears of it only once the
    publication has committed, and once."""
    from workflow.review import version_published

    heard = []

    def receiver(sender, version, **kwargs):
        heard.append((sender, version.pk, version.status))

    version_published.connect(receiver)
    try:
        catalogue = catalogue_in(city.dept_a, S.APPROVED)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.catalogue_publish(actor=users.city_reviewer, catalogue=catalogue)
        assert heard == []
        for callback in callbacks:
            callback()
        assert heard == [(BasisCatalogue, catalogue.pk, S.PUBLISHED)]
    finally:
        version_published.disconnect(receiver)


def test_submitting_an_empty_catalogue_is_refused(city, users):
    catalogue = CatalogueFactory(department=city.dept_a, status=S.DRAFT)

    with pytest.raises(WorkflowError):
        services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)
    catalogue.refresh_from_db()
    assert catalogue.status == S.DRAFT


# -- Drafts are the department's own ------------------------------------------------------------


@pytest.mark.parametrize(
    "role, sees_draft, sees_published",
    [
        ("editor_a", True, True),
        ("head_a", True, True),
        ("editor_b", False, False),
        ("city_reviewer", False, True),
        ("establishment", False, True),
        ("county_reviewer", False, False),
        ("sysadmin", False, False),
        ("secadmin", False, False),
        ("auditadmin", False, False),
    ],
)
def test_who_sees_a_draft_and_a_published_version(city, users, role, sees_draft, sees_published):
    published = catalogue_in(city.dept_a, S.PUBLISHED)
    draft = catalogue_in(city.dept_a, S.DRAFT)
    visible = basis_perms.catalogues_visible_to(getattr(users, role))

    assert visible.filter(pk=draft.pk).exists() is sees_draft
    assert visible.filter(pk=published.pk).exists() is sees_published


def test_an_editor_cannot_read_or_change_another_departments_draft(city, users):
    draft = catalogue_in(city.dept_a, S.DRAFT)
    entry = draft.entries.get()
    data = services.EntryData(
        instrument=entry.instrument,
        category=ManagementCategory.SOLE,
        lead_department=city.dept_b,
        provisions=[],
        joint_departments=[],
        assisting_departments=[],
    )

    with pytest.raises(Http404):
        perms.get_visible_or_404(users.editor_b, basis_perms.catalogues_visible_to(users.editor_b), pk=draft.pk)
    attempts = [
        lambda: services.entry_create(actor=users.editor_b, catalogue=draft, data=data),
        lambda: services.entry_update(actor=users.editor_b, entry=entry, data=data),
        lambda: services.entry_delete(actor=users.editor_b, entry=entry),
        lambda: services.entries_replace(actor=users.editor_b, catalogue=draft, rows=[data]),
        lambda: services.catalogue_submit(actor=users.editor_b, catalogue=draft),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()

    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert list(draft.entries.values_list("pk", "lead_department")) == [(entry.pk, city.dept_a.pk)]
    # The read through the scoped list and every write are on record.
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=users.editor_b).count() == 1 + len(attempts)


def test_a_refused_transition_is_on_record(city, users):
    catalogue = catalogue_in(city.dept_a, S.SUBMITTED)

    with pytest.raises(PermissionDenied):
        services.catalogue_start_review(actor=users.editor_b, catalogue=catalogue)

    assert audit_events(catalogue, AuditAction.PERMISSION_DENIED).count() == 1


# -- Deadlines and comments -------------------------------------------------------------------


@pytest.mark.parametrize("due, late", [(timedelta(days=-1), True), (timedelta(days=1), False), (None, False)])
def test_late_submission_is_accepted_and_marked(city, users, due, late):
    if due is not None:
        services.deadline_set(actor=users.city_reviewer, jurisdiction=city.city, due_at=timezone.now() + due)
    catalogue = catalogue_in(city.dept_a, S.DRAFT)

    services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)

    catalogue.refresh_from_db()
    assert catalogue.status == S.SUBMITTED
    assert catalogue.is_late is late
    assert catalogue.submitted_at is not None


def test_a_county_deadline_does_not_apply_to_city_departments(city, users):
    services.deadline_set(actor=users.county_reviewer, jurisdiction=city.county_x, due_at=timezone.now() - timedelta(days=1))
    catalogue = catalogue_in(city.dept_a, S.DRAFT)

    services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)

    catalogue.refresh_from_db()
    assert catalogue.is_late is False


@pytest.mark.parametrize("comment", ["", "   "])
def test_return_requires_a_comment(city, users, comment):
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)

    with pytest.raises(WorkflowError):
        services.catalogue_return(actor=users.city_reviewer, catalogue=catalogue, comment=comment)
    catalogue.refresh_from_db()
    assert catalogue.status == S.UNDER_REVIEW


def test_a_comment_on_an_entry_is_reason_enough_to_return(city, users):
    catalogue = CatalogueFactory(department=city.dept_a, status=S.SUBMITTED)
    entry = EntryFactory(catalogue=catalogue)
    services.catalogue_start_review(actor=users.city_reviewer, catalogue=catalogue)
    services.comment_add(actor=users.establishment, catalogue=catalogue, entry=entry, body="该职责属于机构编制事项，请核对三定方案")

    services.catalogue_return(actor=users.city_reviewer, catalogue=catalogue, comment="")

    catalogue.refresh_from_db()
    assert catalogue.status == S.RETURNED


# -- Versions ---------------------------------------------------------------------------------


def _fields(entry):
    return (
        entry.position,
        entry.instrument_id,
        entry.category,
        entry.lead_department_id,
        entry.rights_and_duties,
        entry.subject_kind,
        entry.principal_id,
        sorted(p.pk for p in entry.provisions.all()),
        sorted(o.pk for o in entry.joint_departments.all()),
        sorted(o.pk for o in entry.assisting_departments.all()),
    )


def test_catalogue_start_copies_the_latest_published_version(city, users):
    old = CatalogueFactory(department=city.dept_a, status=S.SUPERSEDED)
    EntryFactory(catalogue=old)
    published = CatalogueFactory(department=city.dept_a, status=S.PUBLISHED)
    law = InstrumentFactory()
    EntryFactory(catalogue=published, instrument=law, provisions="第一条、第二条第一款", category=ManagementCategory.JOINT, joint_departments=[city.dept_b])
    EntryFactory(catalogue=published, instrument=law, provisions="第三条", category=ManagementCategory.COORDINATED, assisting_departments=[city.dept_b, city.dept_x1])
    EntryFactory(catalogue=published, subject_kind=SubjectKind.ENTRUSTED, principal=city.dept_b)

    draft = services.catalogue_start(actor=users.editor_a, department=city.dept_a)

    assert (draft.version, draft.status, draft.based_on) == (3, S.DRAFT, published)
    assert [_fields(e) for e in draft.entries.order_by("position")] == [_fields(e) for e in published.entries.order_by("position")]
    assert not set(draft.entries.values_list("pk", flat=True)) & set(published.entries.values_list("pk", flat=True))
    assert list(CatalogueEvent.objects.filter(catalogue=draft).values_list("from_status", "to_status")) == [("", S.DRAFT)]
    assert audit_events(draft, AuditAction.CREATE).count() == 1
    # The published version is untouched.
    published.refresh_from_db()
    assert published.status == S.PUBLISHED and published.entries.count() == 3


def test_a_first_version_starts_empty(city, users):
    draft = services.catalogue_start(actor=users.editor_a, department=city.dept_a)

    assert (draft.version, draft.based_on, draft.entries.count()) == (1, None, 0)


@pytest.mark.parametrize("open_status", [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED, S.APPROVED])
def test_only_one_open_version(city, users, open_status):
    catalogue_in(city.dept_a, S.PUBLISHED)
    catalogue_in(city.dept_a, open_status)

    with pytest.raises(WorkflowError):
        services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    # The database holds the line too.
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogueFactory(department=city.dept_a, status=S.DRAFT)


@pytest.mark.parametrize("role", ["head_a", "editor_b", "city_reviewer", "establishment", "sysadmin"])
def test_only_the_departments_editor_starts_a_version(city, users, role):
    with pytest.raises(PermissionDenied):
        services.catalogue_start(actor=getattr(users, role), department=city.dept_a)
    assert not BasisCatalogue.objects.exists()


def test_provisions_must_belong_to_the_entrys_instrument(city, users):
    draft = services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    law, other = InstrumentFactory(), InstrumentFactory()
    data = services.EntryData(
        instrument=law,
        category=ManagementCategory.SOLE,
        lead_department=city.dept_a,
        provisions=provisions(other, "第一条"),
        joint_departments=[],
        assisting_departments=[],
    )

    with pytest.raises(WorkflowError):
        services.entry_create(actor=users.editor_a, catalogue=draft, data=data)
