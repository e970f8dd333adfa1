"""Every transition of a case, who may make it, and from which states."""

import pytest
from django.core.exceptions import PermissionDenied

from accountability import services
from accountability.models import CaseEvent, CaseStatus
from accountability.workflow import CASES, CaseTransition
from audit.models import AuditAction, AuditEvent
from workflow.engine import WorkflowError

from .conftest import add_person, decide_with, notify

OFFICE_ONLY = ["register", "decline", "investigate", "propose", "return", "decide", "notify", "resolve", "close", "dismiss"]
NOT_OFFICE = ["county_reviewer", "establishment", "editor_a", "head_a", "editor_b", "sysadmin", "secadmin", "auditadmin"]


def test_the_table_names_every_path():
    S = CaseStatus
    expected = {
        "register": ({S.RECEIVED}, S.REGISTERED), "decline": ({S.RECEIVED}, S.NOT_REGISTERED),
        "investigate": ({S.REGISTERED}, S.INVESTIGATING), "propose": ({S.INVESTIGATING}, S.PROPOSED),
        "return": ({S.PROPOSED}, S.INVESTIGATING), "decide": ({S.PROPOSED}, S.DECIDED),
        "notify": ({S.DECIDED}, S.NOTIFIED), "appeal": ({S.NOTIFIED}, S.APPEALED),
        "resolve": ({S.APPEALED}, S.CLOSED), "close": ({S.NOTIFIED}, S.CLOSED),
        "dismiss": ({S.REGISTERED, S.INVESTIGATING, S.PROPOSED}, S.DISMISSED),
    }
    assert {name: (set(rule.sources), rule.target) for name, rule in CASES.rules.items()} == expected


@pytest.mark.parametrize("name", OFFICE_ONLY)
def test_only_the_competent_office_moves_a_case(open_case, users, name):
    case = open_case(register=False)
    assert CASES.may(name, users.city_reviewer, case)
    for who in NOT_OFFICE:
        assert not CASES.may(name, getattr(users, who), case), who


def test_the_appeal_may_also_be_lodged_by_the_head_of_the_department(open_case, users, more_users):
    case = open_case(register=False)
    assert CASES.may("appeal", users.city_reviewer, case)
    assert CASES.may("appeal", users.head_a, case)
    for who in (more_users.head_b, users.editor_a, users.county_reviewer, users.sysadmin):
        assert not CASES.may("appeal", who, case)


def test_a_county_case_is_the_county_office_s(open_case, users, city):
    case = services.case_open(actor=users.county_reviewer, department=city.dept_x1, source_kind="complaint", source_text="x", act="y")
    assert CASES.may("register", users.county_reviewer, case)
    assert not CASES.may("register", users.city_reviewer, case)  # the city sees it, does not handle it
    with pytest.raises(PermissionDenied):
        services.case_open(actor=users.city_reviewer, department=city.dept_x1, source_kind="complaint", source_text="x", act="y")


def test_register_and_decline(open_case, users):
    case = open_case(register=False)
    assert case.status == CaseStatus.RECEIVED
    services.case_register(actor=users.city_reviewer, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED and case.registered_on is not None
    other = open_case(register=False)
    with pytest.raises(WorkflowError):
        services.case_decline(actor=users.city_reviewer, case=other, reason="   ")
    services.case_decline(actor=users.city_reviewer, case=other, reason="不属于追究范围")
    other.refresh_from_db()
    assert other.status == CaseStatus.NOT_REGISTERED and other.reason == "不属于追究范围"


def test_the_full_path_with_events_and_audit(investigating, users, officer):
    office = users.city_reviewer
    case = investigating()
    person = add_person(case, office, officer=officer)
    services.measure_propose(actor=office, case=case, kind="criticism", person=person)
    services.case_propose(actor=office, case=case)
    services.case_return(actor=office, case=case, reason="补充证据")
    services.case_propose(actor=office, case=case)
    services.case_decide(actor=office, case=case, grounds="事实清楚")
    notify(case, office)
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTIFIED
    trail = list(CaseEvent.objects.filter(case=case).values_list("from_status", "to_status"))
    assert trail == [
        ("received", "registered"), ("registered", "investigating"), ("investigating", "proposed"),
        ("proposed", "investigating"), ("investigating", "proposed"), ("proposed", "decided"), ("decided", "notified"),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.TRANSITION, object_type="accountability.case", object_id=str(case.pk)).count() == 7


@pytest.mark.parametrize("status_path,name", [
    ([], "investigate"),  # received: must be registered first
    (["investigate"], "register"),
    (["investigate"], "decide"),
])
def test_wrong_state_is_refused(open_case, users, status_path, name):
    case = open_case(register=False)
    if status_path:
        services.case_register(actor=users.city_reviewer, case=case)
        for step in status_path:
            services.TRANSITION_SERVICES[step](actor=users.city_reviewer, case=case)
    service = {**services.TRANSITION_SERVICES, "decide": lambda **kw: services.case_decide(grounds="x", **kw)}[name]
    with pytest.raises(WorkflowError):
        service(actor=users.city_reviewer, case=case)


def test_propose_needs_a_person(investigating, users):
    case = investigating()
    with pytest.raises(WorkflowError):
        services.case_propose(actor=users.city_reviewer, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING


def test_dismiss_from_investigation_with_reason(investigating, users):
    case = investigating()
    services.case_dismiss(actor=users.city_reviewer, case=case, reason="查无实据")
    case.refresh_from_db()
    assert case.status == CaseStatus.DISMISSED


def test_a_non_office_user_is_refused_on_record(open_case, users):
    case = open_case(register=False)
    for who in (users.head_a, users.sysadmin):
        with pytest.raises(PermissionDenied):
            services.case_register(actor=who, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, object_id=str(case.pk)).count() == 2


def test_close_only_after_the_appeal_period(investigating, users, officer):
    import datetime

    import time_machine

    office = users.city_reviewer
    case = investigating()
    person = add_person(case, office, officer=officer)
    decide_with(case, office, "criticism", person=person)
    notify(case, office)
    with pytest.raises(WorkflowError):
        services.case_close(actor=office, case=case)
    case.refresh_from_db()
    with time_machine.travel(case.appeal_until + datetime.timedelta(days=1)):
        services.case_close(actor=office, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_transition_names_match_the_table():
    assert set(CASES.rules) == set(CaseTransition.values)
