"""One mechanism for every record with a life cycle.

A ``TransitionTable`` names a record type's states, its transitions (from which states, to which,
and who may make each: a predicate ``may(user, record)``). A service moves a record in two
steps inside its transaction:

1. ``advance(table, record, name)`` locks the row, checks the current state against the table and
   sets the new one (unsaved), returning the locked row and the state it came from;
2. ``record(actor, row, source, ...)`` saves the state with ``update_fields``, appends an event
   row to the record's own history (``row.events``), writes the audit event, and sends
   ``transitioned`` once the transaction has committed.

Between the two the service does what is particular to it (check content, set dates). Who may
act is checked before the transaction opens (``accounts.permissions.guarded``), so that a refusal
stays on record; the table's ``may`` is the predicate that check uses.
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext

from toolkit.errors import DomainError

# Sent after commit: sender = the record's model; instance, transition, source, target, actor.
transitioned = Signal()


class WorkflowError(DomainError):
    """A transition refused for a reason the user can act on."""


@dataclass(frozen=True)
class Rule:
    """One transition: the states it leaves, the state it reaches, and who may make it."""

    sources: tuple[str, ...]
    target: str
    may: Callable[..., bool]


class TransitionTable:
    """The states and transitions of one record type.

    ``states`` and ``transitions`` are ``TextChoices`` (their labels are what users read);
    ``rules`` maps each transition to its ``Rule``. ``touch`` lists the fields saved with every
    transition besides the state (an ``auto_now`` timestamp)."""

    def __init__(
        self,
        *,
        states: type[models.TextChoices],
        transitions: type[models.TextChoices],
        rules: dict[str, Rule],
        state_field: str = "status",
        touch: Iterable[str] = (),
    ):
        unknown = set(rules) - set(transitions.values)
        if unknown:
            raise ValueError(f"rules for unknown transitions: {sorted(unknown)}")
        for rule in rules.values():
            bad = {rule.target, *rule.sources} - set(states.values)
            if bad:
                raise ValueError(f"unknown states in the table: {sorted(bad)}")
        self.states = states
        self.transitions = transitions
        self.rules = rules
        self.state_field = state_field
        self.touch = tuple(touch)

    def allowed(self, state: str) -> list[str]:
        """The transitions the table allows from ``state``, whoever asks."""
        return [name for name, rule in self.rules.items() if state in rule.sources]

    def may(self, name: str, user, obj) -> bool:
        """Whether ``user`` may make transition ``name`` on ``obj`` (the state aside)."""
        return bool(self.rules[name].may(user, obj))

    def available(self, user, obj) -> list[str]:
        """The transitions ``user`` may make on ``obj`` in its current state."""
        state = getattr(obj, self.state_field)
        return [name for name in self.allowed(state) if self.may(name, user, obj)]

    def check(self, name: str, state: str) -> str:
        """The target state of ``name`` from ``state``, or WorkflowError saying why not."""
        rule = self.rules[name]
        if state not in rule.sources:
            raise WorkflowError(
                gettext("Cannot %(action)s a record that is %(status)s; allowed from: %(allowed)s.")
                % {
                    "action": self.transitions(name).label,
                    "status": self.states(state).label,
                    "allowed": "、".join(str(self.states(s).label) for s in rule.sources),
                }
            )
        return rule.target


def advance(table: TransitionTable, obj, name: str, *, select_related: Iterable[str] = ()):
    """Lock ``obj``'s row and move it by transition ``name``; returns (the locked row with its
    new state, unsaved, and the state it came from). WorkflowError if the state forbids it."""
    queryset = type(obj).objects.select_for_update()
    if select_related:
        queryset = queryset.select_related(*select_related)
    locked = queryset.get(pk=obj.pk)
    source = getattr(locked, table.state_field)
    setattr(locked, table.state_field, table.check(name, source))
    locked._workflow_transition = name
    return locked, source


def record(table: TransitionTable, actor, obj, source: str, *, comment: str = "", fields=()) -> None:
    """Save the transition made by ``advance`` and put it on record: an event row of the record's
    own history (``obj.events``), an audit event, and ``transitioned`` after commit."""
    from audit.models import AuditAction
    from audit.services import event_record

    target = getattr(obj, table.state_field)
    obj.save(update_fields=[table.state_field, *table.touch, *fields])
    obj.events.create(actor=actor, from_status=source, to_status=target, comment=comment)
    event_record(
        action=AuditAction.TRANSITION,
        actor=actor,
        obj=obj,
        detail={"from": source, "to": target},
        message=comment,
    )
    transaction.on_commit(
        functools.partial(
            transitioned.send,
            sender=type(obj),
            instance=obj,
            transition=getattr(obj, "_workflow_transition", ""),
            source=source,
            target=target,
            actor=actor,
        )
    )
