"""The certificate lifecycle: issued only after pre-post training and a passed exam; renewal,
suspension and revocation with reasons on record; expiry read from the date and marked by the
daily job."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from authority import services
from authority.models import CertificateStatus, TrainingKind
from authority.selectors import certificate_for_verification

from .factories import CertificateFactory, OfficerFactory, kind

TODAY = datetime.date.today()


@pytest.fixture
def officer(city):
    return OfficerFactory(department=city.dept_a)


def _issue(users, officer, number="SC2026000001"):
    return services.certificate_issue(
        actor=users.city_reviewer, officer=officer, number=number, area="测试市", kinds=[kind("penalty")]
    )


def _qualify(users, officer, score=Decimal("80")):
    services.training_record(
        actor=users.editor_a, officer=officer, kind=TrainingKind.PRE_POST, hours=Decimal("40"), completed_on=TODAY,
        kinds=[kind("penalty")],
    )
    return services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=score)


@pytest.mark.parametrize(
    "training, exam_score, missing",
    [
        (False, None, ["no pre-post training", "no passed exam"]),
        (True, None, ["no passed exam"]),
        (True, Decimal("59"), ["no passed exam"]),
        (False, Decimal("90"), ["no pre-post training"]),
    ],
)
def test_issue_refused_without_training_and_passed_exam(users, officer, training, exam_score, missing):
    if training:
        services.training_record(
            actor=users.editor_a, officer=officer, kind=TrainingKind.PRE_POST, hours=Decimal("40"), completed_on=TODAY,
            kinds=[kind("penalty")],
        )
    if exam_score is not None:
        services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=exam_score)
    with pytest.raises(services.AuthorityError) as error:
        _issue(users, officer)
    for reason in missing:
        assert reason in str(error.value)
    assert not officer.certificates.exists()


def test_refresher_training_does_not_qualify(users, officer):
    services.training_record(
        actor=users.editor_a, officer=officer, kind=TrainingKind.REFRESHER, hours=Decimal("8"), completed_on=TODAY,
        kinds=[kind("penalty")],
    )
    services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=Decimal("90"))
    with pytest.raises(services.AuthorityError, match="no pre-post training"):
        _issue(users, officer)


def test_exam_attempts_are_numbered_and_marked(users, officer):
    first = services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=Decimal("50"))
    second = services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=Decimal("60"))
    assert (first.attempt, first.passed, second.attempt, second.passed) == (1, False, 2, True)


def test_issue_after_training_and_exam(users, officer, city):
    _qualify(users, officer)
    certificate = _issue(users, officer)
    assert certificate.status == CertificateStatus.VALID
    assert certificate.issuing_government == city.city
    assert certificate.valid_from == TODAY
    assert certificate.valid_until == services.add_years(TODAY, 5) - datetime.timedelta(days=1)
    assert [e.action for e in certificate.events.all()] == ["issue"]
    assert AuditEvent.objects.filter(object_type="authority.certificate", object_id=str(certificate.pk)).count() == 1


@pytest.mark.parametrize("user", ["editor_a", "head_a", "county_reviewer", "establishment", "sysadmin"])
def test_only_the_competent_office_issues(users, officer, user):
    _qualify(users, officer)
    with pytest.raises(PermissionDenied):
        services.certificate_issue(
            actor=getattr(users, user), officer=officer, number="X1", area="测试市", kinds=[kind("penalty")]
        )
    assert AuditEvent.objects.filter(action="permission_denied", actor=getattr(users, user)).count() == 1


def test_second_certificate_refused_while_one_is_valid(users, officer):
    _qualify(users, officer)
    _issue(users, officer)
    with pytest.raises(services.AuthorityError, match="already holds a certificate"):
        _issue(users, officer, number="SC2026000002")


@pytest.mark.parametrize("service", ["certificate_suspend", "certificate_revoke"])
def test_reason_required(users, officer, service):
    certificate = CertificateFactory(officer=officer)
    with pytest.raises(services.AuthorityError, match="reason"):
        getattr(services, service)(actor=users.city_reviewer, certificate=certificate, reason="  ")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_suspend_and_reinstate(users, officer):
    certificate = CertificateFactory(officer=officer)
    services.certificate_suspend(actor=users.city_reviewer, certificate=certificate, reason="涉嫌违法执法，停职调查")
    assert certificate_for_verification(certificate.number).status == CertificateStatus.SUSPENDED
    services.certificate_reinstate(actor=users.city_reviewer, certificate=certificate, reason="调查结束")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert [(e.action, e.reason) for e in certificate.events.all()] == [
        ("suspend", "涉嫌违法执法，停职调查"),
        ("reinstate", "调查结束"),
    ]
    statuses = [h.status for h in certificate.history.order_by("history_date", "history_id")]
    assert statuses[-2:] == [CertificateStatus.SUSPENDED, CertificateStatus.VALID]


def test_revoke_voids_it_everywhere(users, officer):
    """Revoked: the public page says so, no later decision revives it, and its holder no longer
    qualifies a post (see test_completeness)."""
    certificate = CertificateFactory(officer=officer)
    services.certificate_revoke(actor=users.city_reviewer, certificate=certificate, reason="取消执法资格")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.reason == "取消执法资格"
    assert certificate_for_verification(certificate.number).status == CertificateStatus.REVOKED
    services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=Decimal("99"))
    for service in (services.certificate_renew, services.certificate_reinstate, services.certificate_suspend, services.certificate_revoke):
        with pytest.raises(services.AuthorityError):
            service(actor=users.city_reviewer, certificate=certificate, reason="再试")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    event = AuditEvent.objects.get(action="transition", object_id=str(certificate.pk), object_type="authority.certificate")
    assert event.message == "取消执法资格" and event.actor == users.city_reviewer


def test_renew_needs_a_new_passed_exam(users, officer):
    certificate = CertificateFactory(
        officer=officer, valid_from=TODAY - datetime.timedelta(days=5 * 365), valid_until=TODAY + datetime.timedelta(days=10)
    )
    services.exam_record(
        actor=users.city_reviewer, officer=officer, taken_on=certificate.valid_from - datetime.timedelta(days=3), score=Decimal("90")
    )
    with pytest.raises(services.AuthorityError, match="exam passed since"):
        services.certificate_renew(actor=users.city_reviewer, certificate=certificate)
    services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=Decimal("75"))
    services.training_record(actor=users.editor_a, officer=officer, kind=TrainingKind.REFRESHER, hours=Decimal("16"),
                             completed_on=TODAY, kinds=[kind("penalty")])
    services.certificate_renew(actor=users.city_reviewer, certificate=certificate, reason="期满换证")
    certificate.refresh_from_db()
    assert certificate.valid_from == TODAY + datetime.timedelta(days=11)
    assert certificate.valid_until == services.add_years(certificate.valid_from, 5) - datetime.timedelta(days=1)
    assert certificate.status == CertificateStatus.VALID


def test_expired_reads_as_expired_before_the_job_and_the_job_is_idempotent(users, officer):
    certificate = CertificateFactory(
        officer=officer, valid_from=TODAY - datetime.timedelta(days=2000), valid_until=TODAY - datetime.timedelta(days=1)
    )
    fresh = CertificateFactory(officer=OfficerFactory(department=officer.department))
    assert certificate.status == CertificateStatus.VALID
    assert certificate.current_status() == CertificateStatus.EXPIRED
    assert certificate_for_verification(certificate.number).status == CertificateStatus.EXPIRED

    from authority.tasks import mark_expired_certificates

    assert mark_expired_certificates.delay().get() == 1
    assert services.certificates_mark_expired() == 0
    certificate.refresh_from_db()
    fresh.refresh_from_db()
    assert (certificate.status, fresh.status) == (CertificateStatus.EXPIRED, CertificateStatus.VALID)
    assert [e.action for e in certificate.events.all()] == ["expire"]


def test_daily_job_is_scheduled():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["authority-mark-expired-certificates"]
    assert entry["task"] == "authority.tasks.mark_expired_certificates"
    assert entry["schedule"] == datetime.timedelta(days=1)


def test_home_pages_list_certificates_expiring_soon(client, city, users):
    import datetime

    from .factories import CertificateFactory, OfficerFactory

    soon = CertificateFactory(officer=OfficerFactory(department=city.dept_a, name="王执法"),
                              valid_until=datetime.date.today() + datetime.timedelta(days=20))
    CertificateFactory(officer=OfficerFactory(department=city.dept_a, name="李长期"))
    CertificateFactory(officer=OfficerFactory(department=city.dept_b, name="赵他部"),
                       valid_until=datetime.date.today() + datetime.timedelta(days=20))
    client.force_login(users.editor_a)
    page = client.get("/office/").content.decode()
    assert soon.number in page and "王执法" in page
    assert "李长期" not in page and "赵他部" not in page
    client.force_login(users.city_reviewer)
    page = client.get("/office/").content.decode()
    assert "王执法" in page and "赵他部" in page


# -- Training tied to the post (§3(三)) ------------------------------------------------------------


def test_a_certificate_names_only_kinds_the_training_covers(users, officer, city):
    from .factories import PostFactory, PowerFactory, BreakdownFactory, assign

    post = PostFactory(agency=city.agency_a, name="食品安全监管岗")
    breakdown = BreakdownFactory(department=city.dept_a)
    assign(PowerFactory(breakdown=breakdown, kind=kind("penalty")), post)
    assign(PowerFactory(breakdown=breakdown, kind=kind("supervision")), post)
    services.training_record(
        actor=users.editor_a, officer=officer, kind=TrainingKind.PRE_POST, hours=Decimal("40"),
        completed_on=TODAY, note="2026年新任执法人员岗前培训", posts=[post],
    )
    services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=Decimal("88"))
    with pytest.raises(services.AuthorityError) as error:
        services.certificate_issue(
            actor=users.city_reviewer, officer=officer, number="SC2026000009", area="测试市",
            kinds=[kind("penalty"), kind("licensing"), kind("coercion")],
        )
    message = str(error.value)
    assert "行政许可" in message and "行政强制" in message and "行政处罚" not in message
    assert not officer.certificates.exists()
    certificate = services.certificate_issue(
        actor=users.city_reviewer, officer=officer, number="SC2026000009", area="测试市",
        kinds=[kind("penalty"), kind("supervision")],
    )
    assert sorted(k.code for k in certificate.kinds.all()) == ["penalty", "supervision"]


def test_a_legacy_training_record_covers_nothing_and_renewal_says_so(users, officer):
    """Training kept before it was tied to posts names no post and no kind: the certificate it
    led to stays valid, but renewing it waits for training on its kinds."""
    from authority.models import TrainingRecord

    TrainingRecord.objects.create(officer=officer, kind=TrainingKind.PRE_POST, hours=40, completed_on=datetime.date(2021, 4, 29))
    certificate = CertificateFactory(
        officer=officer, kinds=[kind("penalty")], valid_from=TODAY - datetime.timedelta(days=5 * 365),
        valid_until=TODAY + datetime.timedelta(days=10),
    )
    services.exam_record(actor=users.city_reviewer, officer=officer, taken_on=TODAY, score=Decimal("75"))
    with pytest.raises(services.AuthorityError, match="does not cover 行政处罚"):
        services.certificate_renew(actor=users.city_reviewer, certificate=certificate, reason="期满换证")
    certificate.refresh_from_db()
    assert certificate.current_status() == CertificateStatus.VALID


def test_training_must_name_posts_or_kinds_of_its_department(users, officer, city):
    from .factories import PostFactory

    with pytest.raises(services.AuthorityError, match="Name the posts"):
        services.training_record(actor=users.editor_a, officer=officer, kind=TrainingKind.PRE_POST,
                                 hours=Decimal("40"), completed_on=TODAY)
    other = PostFactory(agency=city.dept_b, name="卫生监督岗")
    with pytest.raises(services.AuthorityError, match="not of"):
        services.training_record(actor=users.editor_a, officer=officer, kind=TrainingKind.PRE_POST,
                                 hours=Decimal("40"), completed_on=TODAY, posts=[other])
    assert not officer.trainings.exists()
