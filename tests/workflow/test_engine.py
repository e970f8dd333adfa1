"""The workflow engine on its own: a table checks itself, answers what is allowed and who may,
refuses a wrong move with a message naming the states, and a recorded transition leaves its
event row, its audit event and its signal (after commit only)."""

import pytest
from django.db import models

from audit.models import AuditAction, AuditEvent
from basis.models import BasisCatalogue
from tests.basis.factories import CatalogueFactory
from workflow import engine
from workflow.engine import Rule, TransitionTable, WorkflowError
from workflow.review import REVIEW, ReviewStatus, Transition


class Light(models.TextChoices):
    RED = "red", "红"
    GREEN = "green", "绿"
    BROKEN = "broken", "坏"


class Switch(models.TextChoices):
    GO = "go", "通行"
    STOP = "stop", "停止"


def anyone(user, obj):
    return True


def nobody(user, obj):
    return False


def test_a_table_refuses_unknown_states_and_transitions():
    with pytest.raises(ValueError, match="unknown states"):
        TransitionTable(states=Light, transitions=Switch, rules={Switch.GO: Rule((Light.RED,), "blue", anyone)})
    with pytest.raises(ValueError, match="unknown transitions"):
        TransitionTable(states=Light, transitions=Switch, rules={"jump": Rule((Light.RED,), Light.GREEN, anyone)})


def test_allowed_available_and_check():
    table = TransitionTable(
        states=Light,
        transitions=Switch,
        rules={Switch.GO: Rule((Light.RED,), Light.GREEN, anyone), Switch.STOP: Rule((Light.GREEN,), Light.RED, nobody)},
    )
    assert table.allowed(Light.RED) == [Switch.GO]
    assert table.allowed(Light.BROKEN) == []
    green = type("Obj", (), {"status": Light.GREEN})()
    assert table.allowed(Light.GREEN) == [Switch.STOP]
    assert table.available(None, green) == []  # allowed by the state, but nobody may
    assert table.check(Switch.GO, Light.RED) == Light.GREEN
    with pytest.raises(WorkflowError) as refused:
        table.check(Switch.GO, Light.BROKEN)
    assert "坏" in str(refused.value) and "红" in str(refused.value)


@pytest.mark.django_db
def test_record_writes_the_event_row_the_audit_event_and_signals_after_commit(city, users, django_capture_on_commit_callbacks):
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    received = []

    def receiver(sender, instance, transition, source, target, actor, **kwargs):
        received.append((sender, instance.pk, transition, source, target, actor.pk))

    engine.transitioned.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            locked, source = engine.advance(REVIEW, catalogue, Transition.SUBMIT)
            engine.record(REVIEW, users.editor_a, locked, source, comment="报送")
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        engine.transitioned.disconnect(receiver)
    assert received == [(BasisCatalogue, catalogue.pk, Transition.SUBMIT, ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, users.editor_a.pk)]
    catalogue.refresh_from_db()
    assert catalogue.status == ReviewStatus.SUBMITTED
    event = catalogue.events.get(to_status=ReviewStatus.SUBMITTED)
    assert (event.from_status, event.actor, event.comment) == (ReviewStatus.DRAFT, users.editor_a, "报送")
    assert AuditEvent.objects.filter(
        action=AuditAction.TRANSITION, object_type="basis.basiscatalogue", object_id=str(catalogue.pk)
    ).count() == 1


@pytest.mark.django_db
def test_advance_refuses_from_a_wrong_state_and_changes_nothing(city):
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED)
    with pytest.raises(WorkflowError):
        engine.advance(REVIEW, catalogue, Transition.APPROVE)
    catalogue.refresh_from_db()
    assert catalogue.status == ReviewStatus.PUBLISHED
    assert not catalogue.events.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user, transitions",
    [
        ("editor_a", [Transition.SUBMIT]),
        ("head_a", [Transition.SUBMIT]),
        ("editor_b", []),
        ("city_reviewer", []),
    ],
)
def test_the_review_table_names_who_may_make_each_transition(city, users, user, transitions):
    draft = CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    assert REVIEW.available(getattr(users, user), draft) == transitions


@pytest.mark.django_db
@pytest.mark.parametrize("user, allowed", [("city_reviewer", True), ("county_reviewer", False), ("establishment", False), ("editor_a", False)])
def test_only_the_competent_office_decides(city, users, user, allowed):
    under_review = CatalogueFactory(department=city.dept_a, status=ReviewStatus.UNDER_REVIEW)
    expected = [Transition.RETURN, Transition.APPROVE] if allowed else []
    assert REVIEW.available(getattr(users, user), under_review) == expected
