"""Amendment and repeal of an instrument: every current catalogue citing it is flagged for
revision, its editors are told, and the department starts its next version from the published
one."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from basis import services
from basis.checks import FindingKind, findings
from basis.models import BasisCatalogue, InstrumentStatus, InstrumentStatusChange, ManagementCategory
from workflow.review import ReviewStatus, WorkflowError

from ..factories import UserFactory
from .factories import CatalogueFactory, EntryFactory, InstrumentFactory

S = ReviewStatus


@pytest.fixture
def cited(city, users):
    """An instrument cited by some catalogues, in every state, and the catalogues."""
    law = InstrumentFactory(name="测试市食品安全条例")
    other = InstrumentFactory()
    ns = {
        "a_published": CatalogueFactory(department=city.dept_a, status=S.PUBLISHED),
        "b_submitted": CatalogueFactory(department=city.dept_b, status=S.SUBMITTED),
        "x1_published": CatalogueFactory(department=city.dept_x1, status=S.PUBLISHED),
        "entrusted_draft": CatalogueFactory(department=city.entrusted_a, status=S.DRAFT),
        "y1_superseded": CatalogueFactory(department=city.dept_y1, status=S.SUPERSEDED),
        "y1_published": CatalogueFactory(department=city.dept_y1, status=S.PUBLISHED),
    }
    for key in ("a_published", "b_submitted", "x1_published", "entrusted_draft", "y1_superseded"):
        EntryFactory(catalogue=ns[key], instrument=law, provisions="第三条")
    for catalogue in ns.values():
        EntryFactory(catalogue=catalogue, instrument=other)
    # Everyone who should or should not hear of it has an address.
    for user in (users.editor_a, users.head_a, users.editor_b, users.city_reviewer):
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    UserFactory(username="editor_x1", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_x1, email="editor_x1@example.gov.cn")
    UserFactory(username="editor_y1", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_y1, email="editor_y1@example.gov.cn")
    return law, ns


FLAGGED = {"a_published", "b_submitted", "x1_published", "entrusted_draft"}


@pytest.mark.parametrize("to_status", [InstrumentStatus.AMENDED, InstrumentStatus.REPEALED])
def test_record_status_flags_every_current_catalogue_citing_it(cited, users, to_status, django_capture_on_commit_callbacks):
    law, catalogues = cited

    with django_capture_on_commit_callbacks(execute=True):
        count = services.instrument_record_status(
            actor=users.city_reviewer, instrument=law, to_status=to_status, note="2026年修订第三条"
        )

    assert count == len(FLAGGED)
    for key, catalogue in catalogues.items():
        catalogue.refresh_from_db()
        assert catalogue.needs_revision is (key in FLAGGED), key
        assert ("2026年修订第三条" in catalogue.revision_reason) is (key in FLAGGED), key
    law.refresh_from_db()
    assert law.status == to_status
    change = InstrumentStatusChange.objects.get(instrument=law)
    assert (change.from_status, change.to_status, change.recorded_by) == (InstrumentStatus.IN_FORCE, to_status, users.city_reviewer)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="basis.legalinstrument", object_id=str(law.pk))
    assert sorted(event.detail["flagged_catalogues"]) == sorted(catalogues[key].pk for key in FLAGGED)
    # One message per flagged catalogue, to its department's editors and heads; the entrusted
    # body has no users, so its draft's message goes nowhere.
    assert sorted(sorted(message.to) for message in mail.outbox) == [
        ["editor_a@example.gov.cn", "head_a@example.gov.cn"],
        ["editor_b@example.gov.cn"],
        ["editor_x1@example.gov.cn"],
    ]
    assert all("2026年修订第三条" in message.body for message in mail.outbox)


def test_a_repealed_instrument_shows_in_the_checks(city, cited, users):
    law, catalogues = cited
    services.instrument_record_status(actor=users.city_reviewer, instrument=law, to_status=InstrumentStatus.REPEALED, note="废止")

    repealed = [f for f in findings(scope_path=city.city.path) if f.kind == FindingKind.REPEALED]

    assert sorted(f.catalogue_ids[0] for f in repealed) == sorted(catalogues[key].pk for key in ("a_published", "b_submitted", "x1_published"))


def test_a_new_draft_is_started_from_the_flagged_published_version_and_clears_the_flag(city, cited, users):
    law, catalogues = cited
    services.instrument_record_status(actor=users.city_reviewer, instrument=law, to_status=InstrumentStatus.AMENDED, note="修订")
    published = catalogues["a_published"]

    draft = services.catalogue_start(actor=users.editor_a, department=city.dept_a)

    assert draft.based_on == published
    assert sorted(draft.entries.values_list("instrument", flat=True)) == sorted(published.entries.values_list("instrument", flat=True))
    # The department revises the entry on the amended instrument and sends the version through.
    entry = draft.entries.get(instrument=law)
    services.entry_update(
        actor=users.editor_a,
        entry=entry,
        data=services.EntryData(
            instrument=law,
            category=ManagementCategory.SOLE,
            lead_department=city.dept_a,
            provisions=[],
            joint_departments=[],
            assisting_departments=[],
            rights_and_duties="依照修订后的条例实施监督检查",
        ),
    )
    services.catalogue_submit(actor=users.editor_a, catalogue=draft)
    services.catalogue_start_review(actor=users.city_reviewer, catalogue=draft)
    # A and B both lead on the instruments of this fixture (多头执法): the office approves over
    # the open findings with a reason.
    services.catalogue_approve(
        actor=users.city_reviewer, catalogue=draft, acknowledged_findings=True, reason="分工已由市政府明确"
    )
    services.catalogue_publish(actor=users.city_reviewer, catalogue=draft)

    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, draft.status) == (S.SUPERSEDED, S.PUBLISHED)
    assert BasisCatalogue.objects.get(department=city.dept_a, status=S.PUBLISHED).needs_revision is False


def test_amendments_accumulate_and_a_repeal_is_final(cited, users):
    law, catalogues = cited
    services.instrument_record_status(actor=users.city_reviewer, instrument=law, to_status=InstrumentStatus.AMENDED, note="第一次修订")
    services.instrument_record_status(actor=users.city_reviewer, instrument=law, to_status=InstrumentStatus.REPEALED, note="废止")

    catalogues["a_published"].refresh_from_db()
    first, second = catalogues["a_published"].revision_reason.splitlines()
    assert law.name in first and first.endswith("第一次修订")
    assert law.name in second and second.endswith("废止")
    with pytest.raises(WorkflowError):
        services.instrument_record_status(actor=users.city_reviewer, instrument=law, to_status=InstrumentStatus.AMENDED, note="再修订")
    assert list(InstrumentStatusChange.objects.filter(instrument=law).order_by("recorded_at", "pk").values_list("to_status", flat=True)) == [
        InstrumentStatus.AMENDED,
        InstrumentStatus.REPEALED,
    ]


def test_only_amended_or_repealed_can_be_recorded(cited, users):
    law, _ = cited

    with pytest.raises(WorkflowError):
        services.instrument_record_status(actor=users.city_reviewer, instrument=law, to_status=InstrumentStatus.IN_FORCE, note="")


@pytest.mark.parametrize("role", ["editor_a", "head_a", "establishment", "sysadmin"])
def test_only_the_legal_affairs_office_records_status(cited, users, role):
    law, catalogues = cited

    with pytest.raises(PermissionDenied):
        services.instrument_record_status(actor=getattr(users, role), instrument=law, to_status=InstrumentStatus.REPEALED, note="")
    law.refresh_from_db()
    assert law.status == InstrumentStatus.IN_FORCE
    assert not BasisCatalogue.objects.filter(needs_revision=True).exists()
