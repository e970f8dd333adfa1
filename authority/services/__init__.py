"""Writes to the authority breakdown, split by subject: the breakdown (versions, powers, posts,
procedures) and officers with their certificates."""

from accounts.permissions import guarded

from ._guard import AuthorityError
from .breakdown import (
    TRANSITION_SERVICES,
    PowerData,
    StepData,
    breakdown_approve,
    breakdown_publish,
    breakdown_return,
    breakdown_start,
    breakdown_start_review,
    breakdown_submit,
    current_catalogue_instruments,
    post_create,
    post_update,
    power_assign,
    power_create,
    power_delete,
    power_unassign,
    power_update,
    powers_import,
    procedure_replace,
)
from .measures import (
    certificate_decision_undo,
    certificate_reinstate_after_suspension,
    certificate_revoke_checked,
    certificate_suspend_for_period,
    certificates_end_suspensions,
    placement_end,
    placement_restore,
)
from .officers import (
    officer_holds_certificate,
    VALIDITY_YEARS,
    add_years,
    certificate_issue,
    certificate_reinstate,
    certificate_renew,
    certificate_revoke,
    certificate_suspend,
    certificates_mark_expired,
    exam_record,
    officer_create,
    officer_link_account,
    officer_place,
    officer_remove_from_post,
    training_record,
)

__all__ = [name for name in dir() if not name.startswith("_")]
