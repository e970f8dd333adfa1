"""The chapters' providers: catalogue deadlines (basis) and certificate expiries (authority). A
delivered item stops its reminders."""

import datetime

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from authority.models import Certificate, CertificateStatus
from authority.reminders import certificate_expiries
from basis import services as basis_services
from basis.reminders import catalogue_deadlines
from notifications import registry
from notifications.models import Notification, Reminder, ReminderKind
from tests.authority.factories import CertificateFactory, OfficerFactory
from tests.basis.factories import CatalogueFactory, EntryFactory
from tests.factories import OrganisationFactory, UserFactory
from workflow.review import ReviewStatus

from .conftest import at


def test_the_chapters_register_their_providers_when_they_start():
    apps.get_app_config("basis").ready()
    apps.get_app_config("authority").ready()
    assert registry.providers()["basis.catalogue"] is catalogue_deadlines
    assert registry.providers()["authority.certificate"] is certificate_expiries


@pytest.fixture
def catalogue_deadline(city, users, providers):
    providers["basis.catalogue"] = catalogue_deadlines
    users.editor_a.email = "editor_a@example.gov.cn"
    users.editor_a.save()
    return basis_services.deadline_set(actor=users.city_reviewer, jurisdiction=city.city, due_at=at(2026, 12, 15, 17, 0))


@pytest.mark.django_db
def test_departments_that_have_not_submitted_are_reminded_and_a_submission_stops_it(city, users, catalogue_deadline, sweep):
    first = sweep(at(2026, 12, 13, 9, 0))
    reminded = {(r.recipient_id, r.organisation_id, r.kind) for r in Reminder.objects.all()}
    assert reminded == {(users.editor_a.pk, city.dept_a.pk, ReminderKind.BEFORE), (users.editor_b.pk, city.dept_b.pk, ReminderKind.BEFORE)}
    assert first.deadlines["basis.catalogue"] == 2  # county departments have no deadline of their own
    assert Notification.objects.get(recipient=users.editor_a).url == "/office/basis/catalogues/"
    assert [m.to for m in mail.outbox] == [["editor_a@example.gov.cn"]]

    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    EntryFactory(catalogue=catalogue, provisions="第一条")
    basis_services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)

    after = sweep(at(2026, 12, 16, 9, 0))
    assert (after.before, after.overdue) == (0, 1)
    assert Reminder.objects.filter(kind=ReminderKind.OVERDUE).get().recipient == users.editor_b
    assert not Reminder.objects.filter(recipient=users.editor_a, kind=ReminderKind.OVERDUE).exists()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_returned_version_is_not_a_delivery(city, users, catalogue_deadline, sweep):
    CatalogueFactory(department=city.dept_b, status=ReviewStatus.RETURNED)
    CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    sweep(at(2026, 12, 16, 9, 0))
    assert list(Reminder.objects.values_list("recipient_id", flat=True)) == [users.editor_b.pk]


@pytest.mark.django_db
def test_a_new_deadline_is_reminded_afresh(city, users, catalogue_deadline, sweep):
    sweep(at(2026, 12, 16, 9, 0))
    assert Reminder.objects.filter(kind=ReminderKind.OVERDUE).count() == 2
    basis_services.deadline_set(actor=users.city_reviewer, jurisdiction=city.city, due_at=at(2026, 12, 31, 17, 0))
    assert sweep(at(2026, 12, 29, 9, 0)).before == 2


@pytest.mark.django_db
def test_the_catalogue_provider_reads_in_constant_queries(city, users, catalogue_deadline, django_assert_num_queries):
    with django_assert_num_queries(4):
        small = list(catalogue_deadlines(timezone.now()))
    for i in range(8):
        department = OrganisationFactory(parent=city.city, code=f"C-N{i}", name=f"新部门{i}")
        UserFactory(organisation=department)
    with django_assert_num_queries(4):
        large = list(catalogue_deadlines(timezone.now()))
    assert (len(small), len(large)) == (2, 10)


@pytest.fixture
def officer(city):
    call_command("load_authority_reference", verbosity=0)
    return OfficerFactory(department=city.dept_a, name="王五")


@pytest.mark.django_db
def test_an_expiring_certificate_reminds_the_department_s_editors_and_a_renewal_stops_it(officer, users, providers, sweep, settings):
    settings.REMINDER_DAYS_BEFORE = 3
    providers["authority.certificate"] = certificate_expiries
    today = timezone.localdate()
    certificate = CertificateFactory(officer=officer, valid_until=today + datetime.timedelta(days=1))
    CertificateFactory(officer=OfficerFactory(department=officer.department), valid_until=today + datetime.timedelta(days=40))

    summary = sweep(timezone.now())
    assert summary.deadlines["authority.certificate"] == 1 and summary.before == 1
    notification = Notification.objects.get()
    assert notification.recipient == users.editor_a and "王五" in notification.title and certificate.number in notification.title
    assert notification.url == f"/office/authority/officers/{officer.pk}/"

    # Renewed: the certificate runs another five years, and the sweep after its old end says nothing.
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=today + datetime.timedelta(days=5 * 365))
    assert sweep(timezone.now() + datetime.timedelta(days=3)).sent == 0


@pytest.mark.django_db
def test_a_replaced_certificate_is_delivered_and_an_unrenewed_one_is_overdue_once(officer, users, providers, sweep):
    providers["authority.certificate"] = certificate_expiries
    today = timezone.localdate()
    lapsed = CertificateFactory(officer=officer, valid_until=today - datetime.timedelta(days=2), status=CertificateStatus.EXPIRED)
    other = OfficerFactory(department=officer.department, name="赵六")
    CertificateFactory(officer=other, valid_until=today - datetime.timedelta(days=2), status=CertificateStatus.EXPIRED)
    CertificateFactory(officer=other, valid_until=today + datetime.timedelta(days=1800))  # the new one

    summary = sweep(timezone.now())
    assert (summary.before, summary.overdue) == (0, 1)
    assert lapsed.number in Notification.objects.get().title
    assert sweep(timezone.now()).sent == 0
