"""The life of an accountability case, one table for the services and the pages:

received → registered (立案) → under investigation → decision proposed → decided → notified →
closed, with an appeal between notified and closed; a received case may be not registered, and
a registered one dismissed, each with its reason. A proposal can go back to investigation."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.engine import Rule, TransitionTable

from . import permissions as perms
from .models import CaseStatus as S


class CaseTransition(models.TextChoices):
    REGISTER = "register", _("Register")
    DECLINE = "decline", _("Do not register")
    INVESTIGATE = "investigate", _("Start investigation")
    PROPOSE = "propose", _("Propose a decision")
    RETURN = "return", _("Return to investigation")
    DECIDE = "decide", _("Decide")
    NOTIFY = "notify", _("Notify")
    APPEAL = "appeal", _("Lodge an appeal")
    RESOLVE = "resolve", _("Decide the appeal")
    CLOSE = "close", _("Close")
    DISMISS = "dismiss", _("Dismiss")


T = CaseTransition

CASES = TransitionTable(
    states=S,
    transitions=CaseTransition,
    touch=("updated_at",),
    rules={
        T.REGISTER: Rule((S.RECEIVED,), S.REGISTERED, perms.can_handle_case),
        T.DECLINE: Rule((S.RECEIVED,), S.NOT_REGISTERED, perms.can_handle_case),
        T.INVESTIGATE: Rule((S.REGISTERED,), S.INVESTIGATING, perms.can_handle_case),
        T.PROPOSE: Rule((S.INVESTIGATING,), S.PROPOSED, perms.can_handle_case),
        T.RETURN: Rule((S.PROPOSED,), S.INVESTIGATING, perms.can_handle_case),
        T.DECIDE: Rule((S.PROPOSED,), S.DECIDED, perms.can_handle_case),
        T.NOTIFY: Rule((S.DECIDED,), S.NOTIFIED, perms.can_handle_case),
        T.APPEAL: Rule((S.NOTIFIED,), S.APPEALED, perms.can_lodge_appeal),
        T.RESOLVE: Rule((S.APPEALED,), S.CLOSED, perms.can_handle_case),
        T.CLOSE: Rule((S.NOTIFIED,), S.CLOSED, perms.can_handle_case),
        T.DISMISS: Rule((S.REGISTERED, S.INVESTIGATING, S.PROPOSED), S.DISMISSED, perms.can_handle_case),
    },
)
