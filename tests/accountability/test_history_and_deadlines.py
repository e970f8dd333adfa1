"""The third accountable fault within twelve months is flagged (从重), the second is not; the
one-month decision deadline and its single extension; the reminder provider."""

import datetime

import pytest
import time_machine

from accountability import services
from accountability.models import Case, CaseStatus, add_months
from accountability.reminders import due_items
from accountability.selectors import case_history
from notifications.registry import Due, providers
from workflow.engine import WorkflowError

from .conftest import add_person, decide_with, notify

TODAY = datetime.date(2026, 6, 15)


def _fault(investigating, users, officer, kind="criticism"):
    case = investigating()
    person = add_person(case, users.city_reviewer, officer=officer)
    return decide_with(case, users.city_reviewer, kind, person=person)


@time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0), tick=False)
def test_third_fault_in_twelve_months_is_flagged_the_second_not(investigating, users, officer):
    first = _fault(investigating, users, officer)
    assert not first.heavier
    second = _fault(investigating, users, officer)
    assert not second.heavier
    third_case = investigating()
    add_person(third_case, users.city_reviewer, officer=officer)
    history = case_history(third_case)
    assert [len(h.faults) for h in history.persons] == [2]
    assert history.persons[0].heavier and history.heavier
    third = decide_with(third_case, users.city_reviewer, "admonition", person=third_case.persons.get())
    assert Case.objects.get(pk=third.pk).heavier


def test_faults_older_than_twelve_months_and_cleared_ones_do_not_count(investigating, users, officer):
    with time_machine.travel(datetime.datetime(2025, 5, 1, 10, 0), tick=False):
        _fault(investigating, users, officer)  # more than a year before
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False):
        cleared = _fault(investigating, users, officer)
        notify(cleared, users.city_reviewer)
        appeal = services.appeal_lodge(actor=users.city_reviewer, case=cleared, kind="complaint", appellant="x", grounds="y")
        services.appeal_decide(actor=users.city_reviewer, appeal=appeal, outcome="revoked", note="撤销")
        _fault(investigating, users, officer)
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0), tick=False):
        case = investigating()
        add_person(case, users.city_reviewer, officer=officer)
        history = case_history(case)
        assert len(history.persons[0].faults) == 1 and not history.persons[0].heavier


def test_department_history_and_no_responsibility_does_not_count(investigating, users, officer):
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0), tick=False):
        for _ in range(2):
            case = investigating()
            add_person(case, users.city_reviewer, officer=officer, responsibility="none")
            decide_with(case, users.city_reviewer, "rectify", until=TODAY + datetime.timedelta(days=30))
        case = investigating()
        add_person(case, users.city_reviewer, officer=officer)
        history = case_history(case)
        assert history.persons[0].faults == []  # he bore no responsibility in those
        assert len(history.department_faults) == 2 and history.department_heavier


def test_the_case_page_shows_the_flag(client, investigating, users, officer):
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0), tick=False):
        _fault(investigating, users, officer)
        case = investigating()
        add_person(case, users.city_reviewer, officer=officer)
        client.force_login(users.city_reviewer)
        assert 'data-flag="heavier"' not in client.get(f"/office/accountability/{case.pk}/").content.decode()
        _fault(investigating, users, officer)
        assert 'data-flag="heavier"' in client.get(f"/office/accountability/{case.pk}/").content.decode()


# -- Deadline ---------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 1, 31, 10, 0), tick=False)
def test_decision_due_one_month_after_registration(open_case):
    case = open_case()
    assert case.registered_on == datetime.date(2026, 1, 31)
    assert case.decision_due == datetime.date(2026, 2, 28) == add_months(case.registered_on, 1)


def test_extension_once_with_approval(open_case, users):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, 0), tick=False):
        case = open_case()
        assert case.decision_due == datetime.date(2026, 4, 10)
        with pytest.raises(WorkflowError, match="without approval"):
            services.case_extend(actor=users.city_reviewer, case=case, reason="案情复杂", approved_by="  ")
        with pytest.raises(WorkflowError):
            services.case_extend(actor=users.city_reviewer, case=case, reason="", approved_by="分管副主任")
        case.refresh_from_db()
        assert case.decision_due == datetime.date(2026, 4, 10) and case.extended_on is None
        services.case_extend(actor=users.city_reviewer, case=case, reason="案情复杂", approved_by="分管副主任 王某")
        case.refresh_from_db()
        assert case.decision_due == datetime.date(2026, 5, 10) and case.extension_approved_by == "分管副主任 王某"
        with pytest.raises(WorkflowError, match="already been extended once"):
            services.case_extend(actor=users.city_reviewer, case=case, reason="再延", approved_by="主任")
        case.refresh_from_db()
        assert case.decision_due == datetime.date(2026, 5, 10)
    with time_machine.travel(datetime.datetime(2026, 5, 11, 10, 0), tick=False):
        assert case.is_overdue()


def test_provider_is_registered_and_yields_open_deadlines_only(investigating, open_case, users, officer):
    assert providers()["accountability.cases"] is due_items
    registered = open_case()
    received = open_case(register=False)
    decided = investigating()
    person = add_person(decided, users.city_reviewer, officer=officer)
    services.measure_propose(actor=users.city_reviewer, case=decided, kind="rectify", until=datetime.date.today() + datetime.timedelta(days=20))
    services.measure_propose(actor=users.city_reviewer, case=decided, kind="criticism", person=person)
    services.case_propose(actor=users.city_reviewer, case=decided)
    services.case_decide(actor=users.city_reviewer, case=decided, grounds="事实清楚")
    items = list(due_items(datetime.datetime.now(datetime.UTC)))
    assert all(isinstance(item, Due) for item in items)
    keys = {item.key.split(":")[0] + ":" + item.key.split(":")[1] for item in items}
    assert f"accountability.case:{registered.pk}" in keys
    assert f"accountability.case:{received.pk}" not in keys  # no deadline until registered
    assert f"accountability.case:{decided.pk}" not in keys  # decided: nothing more due
    rectification = decided.measures.get(kind="rectify")
    assert f"accountability.rectification:{rectification.pk}" in keys
    case_due = next(i for i in items if i.key.startswith(f"accountability.case:{registered.pk}:"))
    assert users.city_reviewer.pk in case_due.recipients and users.county_reviewer.pk not in case_due.recipients
    assert case_due.url == f"/office/accountability/{registered.pk}/"
    services.rectification_complete(actor=users.city_reviewer, measure=rectification, report="已整改完毕")
    keys = {item.key for item in due_items(datetime.datetime.now(datetime.UTC))}
    assert f"accountability.rectification:{rectification.pk}" not in keys


def test_provider_reads_in_constant_queries(open_case, django_assert_max_num_queries):
    for _ in range(5):
        open_case()
    with django_assert_max_num_queries(4):
        assert len(list(due_items(datetime.datetime.now(datetime.UTC)))) == 5
    assert CaseStatus.REGISTERED
