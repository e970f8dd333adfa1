"""Who reads the audit trail: the audit administrator alone (三员分立)."""

from accounts.models import Role
from accounts.permissions import role_of


def can_view_audit(user) -> bool:
    return role_of(user) == Role.AUDIT_ADMIN
