"""Each measure's effect on the certificate, the placement, the public officer list and the
public verification page, applied in the decision's transaction and undone on a successful
appeal; a measure the person cannot receive is refused; a decision whose effect fails rolls
back whole."""

import datetime

import pytest

from accountability import services
from accountability.models import Case, CaseStatus, Measure, MeasureStatus
from authority.models import CertificateStatus, OfficerPost
from authority.services import AuthorityError
from portal.selectors import department_officers, department_state
from tests.authority.factories import CertificateFactory, OfficerFactory, train
from workflow.engine import WorkflowError

from .conftest import add_person, decide_with, notify

IN_TEN_DAYS = datetime.date.today() + datetime.timedelta(days=10)


def on_public_list(client, officer) -> bool:
    state = department_state(officer.department.code)
    listed = [c.officer.name for c in department_officers(state)]
    page = client.get(f"/departments/{officer.department.code}/officers/")
    assert page.status_code == 200
    assert (officer.name in page.content.decode()) == (officer.name in listed)
    return officer.name in listed


def verification_status(client, number) -> str:
    body = client.get(f"/verify/{number}/").content.decode()
    for status in ("valid", "suspended", "revoked", "expired"):
        if f'data-status="{status}"' in body:
            return status
    raise AssertionError(body[:300])


def _decided(investigating, users, officer, kind, until=None):
    office = users.city_reviewer
    case = investigating()
    person = add_person(case, office, officer=officer)
    decide_with(case, office, kind, person=person, until=until)
    case.refresh_from_db()
    return case


def _appeal_revoked(case, users):
    office = users.city_reviewer
    notify(case, office)
    appeal = services.appeal_lodge(actor=office, case=case, kind="complaint", appellant="李执法", grounds="事实认定错误")
    services.appeal_decide(actor=office, appeal=appeal, outcome="revoked", note="原决定认定事实不清")
    case.refresh_from_db()
    return case


def test_revocation_removes_the_officer_and_verification_says_revoked_then_appeal_restores(client, investigating, users, officer):
    assert on_public_list(client, officer) and verification_status(client, "SC2026000777") == "valid"
    case = _decided(investigating, users, officer, "revoke")
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.REVOKED
    assert not on_public_list(client, officer)
    assert verification_status(client, "SC2026000777") == "revoked"
    assert case.measures.get().status == MeasureStatus.IN_FORCE

    case = _appeal_revoked(case, users)
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.VALID
    assert on_public_list(client, officer) and verification_status(client, "SC2026000777") == "valid"
    assert case.status == CaseStatus.CLOSED and case.cleared
    assert case.measures.get().status == MeasureStatus.REVOKED


def test_suspension_for_a_period(client, investigating, users, officer):
    case = _decided(investigating, users, officer, "suspend", until=IN_TEN_DAYS)
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.SUSPENDED
    assert officer.certificate.suspended_until == IN_TEN_DAYS
    assert not on_public_list(client, officer) and verification_status(client, "SC2026000777") == "suspended"
    # The period runs out: the daily job reinstates.
    from authority.services import certificates_end_suspensions

    assert certificates_end_suspensions(today=IN_TEN_DAYS - datetime.timedelta(days=1)) == 0
    assert certificates_end_suspensions(today=IN_TEN_DAYS) == 1
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.VALID and on_public_list(client, officer)
    assert case.status == CaseStatus.DECIDED


def test_suspension_undone_on_appeal(client, investigating, users, officer):
    case = _decided(investigating, users, officer, "suspend", until=IN_TEN_DAYS)
    _appeal_revoked(case, users)
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.VALID and officer.certificate.suspended_until is None
    assert on_public_list(client, officer)


def test_off_post_training_needs_a_training_record_before_reinstatement(client, investigating, users, officer):
    case = _decided(investigating, users, officer, "training")
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.SUSPENDED and officer.certificate.suspended_until is None
    measure = case.measures.get()
    with pytest.raises(WorkflowError):
        services.measure_reinstate_after_training(actor=users.city_reviewer, measure=measure)
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.SUSPENDED
    train(officer, training_kind="refresher", on=datetime.date.today())
    services.measure_reinstate_after_training(actor=users.city_reviewer, measure=measure)
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.VALID and on_public_list(client, officer)


def test_transfer_ends_the_placement_and_appeal_reopens_it(investigating, users, officer):
    case = _decided(investigating, users, officer, "transfer")
    placement = OfficerPost.objects.get(pk=officer.placement.pk)
    assert placement.until == datetime.date.today()
    assert officer.certificate.status == CertificateStatus.VALID  # the certificate is untouched
    _appeal_revoked(case, users)
    placement.refresh_from_db()
    assert placement.until is None


@pytest.mark.parametrize("kind", ["admonition", "self_criticism", "criticism", "circulated"])
def test_measures_without_effect_leave_the_registers_alone(investigating, users, officer, kind):
    case = _decided(investigating, users, officer, kind)
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.VALID
    assert OfficerPost.objects.get(pk=officer.placement.pk).until is None
    assert case.measures.get().status == MeasureStatus.IN_FORCE


def test_appeal_that_changes_the_decision_undoes_only_the_chosen_measures(investigating, users, officer):
    office = users.city_reviewer
    case = investigating()
    person = add_person(case, office, officer=officer)
    services.measure_propose(actor=office, case=case, kind="transfer", person=person)
    services.measure_propose(actor=office, case=case, kind="revoke", person=person)
    services.case_propose(actor=office, case=case)
    services.case_decide(actor=office, case=case, grounds="事实清楚")
    notify(case, office)
    appeal = services.appeal_lodge(actor=office, case=case, kind="review", appellant="李执法", grounds="处理过重")
    revoke = case.measures.get(kind="revoke")
    with pytest.raises(WorkflowError):
        services.appeal_decide(actor=office, appeal=appeal, outcome="changed", note="改为调离", revoke=[])
    services.appeal_decide(actor=office, appeal=appeal, outcome="changed", note="改为调离", revoke=[revoke])
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.VALID
    assert OfficerPost.objects.get(pk=officer.placement.pk).until is not None  # the transfer stands
    case.refresh_from_db()
    assert not case.cleared and case.status == CaseStatus.CLOSED


def test_upheld_appeal_changes_nothing(investigating, users, officer):
    case = _decided(investigating, users, officer, "revoke")
    office = users.city_reviewer
    notify(case, office)
    appeal = services.appeal_lodge(actor=office, case=case, kind="complaint", appellant="李执法", grounds="不服")
    services.appeal_decide(actor=office, appeal=appeal, outcome="upheld", note="维持")
    officer.certificate.refresh_from_db()
    assert officer.certificate.status == CertificateStatus.REVOKED


# -- Bad input: nothing saved ---------------------------------------------------------------


def test_revocation_for_an_officer_without_a_certificate_is_refused(investigating, users, city):
    office = users.city_reviewer
    case = investigating()
    bare = OfficerFactory(department=city.dept_a, name="无证人员")
    person = add_person(case, office, officer=bare)
    with pytest.raises(WorkflowError, match="holds no valid enforcement certificate"):
        services.measure_propose(actor=office, case=case, kind="revoke", person=person)
    with pytest.raises(WorkflowError, match="holds no enforcement post"):
        services.measure_propose(actor=office, case=case, kind="transfer", person=person)
    outsider = add_person(case, office, name="临时聘用人员")
    with pytest.raises(WorkflowError, match="not a registered enforcement officer"):
        services.measure_propose(actor=office, case=case, kind="suspend", person=outsider, until=IN_TEN_DAYS)
    assert not Measure.objects.exists()


def test_suspension_needs_its_end_and_rectification_its_deadline(investigating, users, officer):
    office = users.city_reviewer
    case = investigating()
    person = add_person(case, office, officer=officer)
    with pytest.raises(WorkflowError):
        services.measure_propose(actor=office, case=case, kind="suspend", person=person)
    with pytest.raises(WorkflowError):
        services.measure_propose(actor=office, case=case, kind="rectify", until=datetime.date.today())
    with pytest.raises(WorkflowError):
        services.measure_propose(actor=office, case=case, kind="rectify", person=person, until=IN_TEN_DAYS)
    assert not Measure.objects.exists()


def test_a_decision_without_grounds_saves_nothing(investigating, users, officer):
    office = users.city_reviewer
    case = investigating()
    person = add_person(case, office, officer=officer)
    services.measure_propose(actor=office, case=case, kind="revoke", person=person)
    services.case_propose(actor=office, case=case)
    with pytest.raises(WorkflowError):
        services.case_decide(actor=office, case=case, grounds="  ")
    with pytest.raises(WorkflowError):
        services.case_decide(actor=office, case=case, grounds="事实清楚", mitigating=["self_corrected"])  # no note
    case.refresh_from_db()
    officer.certificate.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED and officer.certificate.status == CertificateStatus.VALID


def test_a_decision_whose_effect_fails_rolls_back_whole(investigating, users, officer):
    """The certificate changed after the measure was proposed: the decision and every other
    effect (the transfer decided with it) roll back."""
    office = users.city_reviewer
    case = investigating()
    person = add_person(case, office, officer=officer)
    services.measure_propose(actor=office, case=case, kind="transfer", person=person)
    services.measure_propose(actor=office, case=case, kind="revoke", person=person)
    services.case_propose(actor=office, case=case)
    # Meanwhile the office suspends the certificate by another decision.
    from authority.services import certificate_suspend

    certificate_suspend(actor=office, certificate=officer.certificate, reason="另案暂扣")
    with pytest.raises(AuthorityError, match="has changed since the case was prepared"):
        services.case_decide(actor=office, case=case, grounds="事实清楚")
    case.refresh_from_db()
    officer.certificate.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED and case.decided_on is None
    assert officer.certificate.status == CertificateStatus.SUSPENDED
    assert OfficerPost.objects.get(pk=officer.placement.pk).until is None  # the transfer rolled back too
    assert set(case.measures.values_list("status", flat=True)) == {MeasureStatus.PROPOSED}
    assert not case.events.filter(to_status="decided").exists()


def test_appeal_after_the_period_is_refused(investigating, users, officer):
    import time_machine

    case = _decided(investigating, users, officer, "criticism")
    office = users.city_reviewer
    notify(case, office)
    case.refresh_from_db()
    with pytest.raises(WorkflowError, match="appeal period ended"):
        services.appeal_lodge(actor=office, case=case, kind="complaint", appellant="李执法", grounds="不服",
                              filed_on=case.appeal_until + datetime.timedelta(days=1))
    with time_machine.travel(case.appeal_until + datetime.timedelta(days=2)):
        with pytest.raises(WorkflowError):
            services.appeal_lodge(actor=office, case=case, kind="complaint", appellant="李执法", grounds="不服")
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTIFIED and not case.appeals.exists()


def test_department_head_may_lodge_the_appeal(investigating, users, officer, more_users):
    from django.core.exceptions import PermissionDenied

    case = _decided(investigating, users, officer, "criticism")
    notify(case, users.city_reviewer)
    with pytest.raises(PermissionDenied):
        services.appeal_lodge(actor=more_users.head_b, case=case, kind="complaint", appellant="x", grounds="y")
    services.appeal_lodge(actor=users.head_a, case=case, kind="complaint", appellant="测试市市场监督管理局", grounds="处理过重")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPEALED


def test_notice_records_the_remedy_and_mails_the_department(investigating, users, officer, mailoutbox, django_capture_on_commit_callbacks):
    services.remedy_setting_save(actor=users.city_reviewer, government=officer.department.jurisdiction,
                                 appeal_body="测试市行政执法监督委员会", period_days=15, channel="书面提交至市司法局")
    users.head_a.email = "head@example.com"
    users.head_a.save()
    from authority.services import officer_link_account
    from tests.factories import UserFactory

    own = UserFactory(username="li_own", role="department_editor", organisation=officer.department, email="li@example.com")
    officer_link_account(actor=users.editor_a, officer=officer, account=own)
    case = _decided(investigating, users, officer, "criticism")
    with django_capture_on_commit_callbacks(execute=True):
        notify(case, users.city_reviewer)
    case.refresh_from_db()
    assert case.appeal_until == datetime.date.today() + datetime.timedelta(days=15)
    assert "测试市行政执法监督委员会" in case.remedy_text
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["head@example.com", "li@example.com"]
    assert case.number in mailoutbox[0].subject and "测试市行政执法监督委员会" in mailoutbox[0].body
    appeal = services.appeal_lodge(actor=users.city_reviewer, case=case, kind="review", appellant="李执法", grounds="不服")
    assert appeal.body == "测试市行政执法监督委员会"


def test_second_valid_certificate_owner_stays_listed(client, investigating, users, officer, city):
    """Only the officer of the case leaves the public list."""
    other = OfficerFactory(department=city.dept_a, name="王同事")
    CertificateFactory(officer=other, number="SC2026000888")
    _decided(investigating, users, officer, "revoke")
    assert on_public_list(client, other) and not on_public_list(client, officer)


def test_department_circulated_criticism_is_published(client, investigating, users, officer):
    office = users.city_reviewer
    case = investigating()
    add_person(case, office, officer=officer)
    services.measure_propose(actor=office, case=case, kind="dept_circulated")
    services.case_propose(actor=office, case=case)
    with pytest.raises(WorkflowError, match="is published"):
        services.case_decide(actor=office, case=case, grounds="事实清楚")
    services.case_decide(actor=office, case=case, grounds="事实清楚", publish=True, published_summary="对测试市市场监督管理局予以通报批评")
    assert "对测试市市场监督管理局予以通报批评" in client.get("/accountability/?tab=decisions").content.decode()


def test_referral_and_its_reply(investigating, users):
    office = users.city_reviewer
    case = investigating()
    with pytest.raises(WorkflowError):
        services.referral_add(actor=office, case=case, organ_kind="supervisory", organ_name="", recommendation="x")
    referral = services.referral_add(actor=office, case=case, organ_kind="supervisory", organ_name="测试市监察委员会",
                                     recommendation="建议对相关人员给予政务处分")
    assert referral.reply == "" and referral.replied_on is None
    services.referral_reply(actor=office, referral=referral, reply="已立案审查")
    referral.refresh_from_db()
    assert referral.reply == "已立案审查" and referral.replied_on == datetime.date.today()
    with pytest.raises(WorkflowError):
        services.referral_reply(actor=office, referral=referral, reply="再次答复")


def test_remedy_setting_page(client, users, city):
    client.force_login(users.city_reviewer)
    response = client.post("/office/accountability/settings/", {"appeal_body": "", "period_days": 0})
    assert response.status_code == 200 and {"appeal_body", "period_days"} <= set(response.context["form"].errors)
    client.post("/office/accountability/settings/", {"appeal_body": "测试市人民政府行政执法监督委员会", "period_days": 20})
    assert services.remedy_for(city.city).period_days == 20
    client.force_login(users.county_reviewer)
    assert client.get("/office/accountability/settings/").context["form"].initial["period_days"] == 30  # the county's own
    client.force_login(users.head_a)
    assert client.get("/office/accountability/settings/").status_code == 403
