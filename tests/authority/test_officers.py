"""Who keeps officer records: the department its own officers, posts and training; the competent
legal-affairs office exams and certificates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from authority import services
from authority.selectors import certificates_expiring_for

from .factories import CertificateFactory, OfficerFactory, PostFactory

TODAY = datetime.date.today()


@pytest.mark.parametrize("user, allowed", [
    ("editor_a", True), ("head_a", False), ("editor_b", False), ("city_reviewer", False), ("sysadmin", False),
])
def test_officer_records_are_the_departments(city, users, user, allowed):
    actor = getattr(users, user)
    officer = OfficerFactory(department=city.dept_a)
    post = PostFactory(agency=city.agency_a)
    calls = [
        lambda: services.officer_create(actor=actor, department=city.dept_a, name="李四"),
        lambda: services.officer_place(actor=actor, officer=officer, post=post, since=TODAY),
        lambda: services.training_record(actor=actor, officer=officer, kind="pre_post", hours=Decimal("40"), completed_on=TODAY,
                                         posts=[post]),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


@pytest.mark.parametrize("user, allowed", [
    ("city_reviewer", True), ("county_reviewer", False), ("establishment", False), ("editor_a", False),
])
def test_exams_are_the_competent_offices(city, users, user, allowed):
    officer = OfficerFactory(department=city.dept_a)
    call = lambda: services.exam_record(actor=getattr(users, user), officer=officer, taken_on=TODAY, score=Decimal("70"))  # noqa: E731
    if allowed:
        assert call().passed
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_county_office_certifies_its_county(city, users):
    officer = OfficerFactory(department=city.dept_x1)
    assert services.exam_record(actor=users.county_reviewer, officer=officer, taken_on=TODAY, score=Decimal("70")).passed


def test_officer_is_placed_only_on_own_departments_posts(city, users):
    officer = OfficerFactory(department=city.dept_a)
    foreign = PostFactory(agency=city.dept_b)
    with pytest.raises(services.AuthorityError, match="does not belong"):
        services.officer_place(actor=users.editor_a, officer=officer, post=foreign, since=TODAY)


def test_removal_ends_the_placement(city, users):
    officer = OfficerFactory(department=city.dept_a)
    placement = services.officer_place(actor=users.editor_a, officer=officer, post=PostFactory(agency=city.agency_a), since=TODAY)
    services.officer_remove_from_post(actor=users.editor_a, placement=placement)
    placement.refresh_from_db()
    assert placement.until == TODAY
    with pytest.raises(services.AuthorityError, match="already ended"):
        services.officer_remove_from_post(actor=users.editor_a, placement=placement)


def test_id_number_stays_out_of_the_audit_trail(city, users):
    from audit.models import AuditEvent

    services.officer_create(actor=users.editor_a, department=city.dept_a, name="李四", id_number="110101199001011234")
    event = AuditEvent.objects.get(object_type="authority.officer")
    assert "110101199001011234" not in f"{event.message}{event.detail}{event.object_repr}"


def test_expiring_certificates_for_home_pages(city, users):
    soon = CertificateFactory(officer=OfficerFactory(department=city.dept_a), valid_until=TODAY + datetime.timedelta(days=30))
    CertificateFactory(officer=OfficerFactory(department=city.dept_a), valid_until=TODAY + datetime.timedelta(days=400))
    county = CertificateFactory(officer=OfficerFactory(department=city.dept_x1), valid_until=TODAY + datetime.timedelta(days=10))
    assert list(certificates_expiring_for(users.editor_a)) == [soon]
    assert list(certificates_expiring_for(users.city_reviewer)) == [county, soon]
    assert list(certificates_expiring_for(users.county_reviewer)) == [county]
    assert list(certificates_expiring_for(users.sysadmin)) == []
