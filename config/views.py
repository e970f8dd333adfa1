"""Pages that belong to no single app: the signed-in home page, the system status page, the
error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts import permissions as perms
from accounts.models import Role, User
from accounts.selectors import locked_usernames, password_expired_q
from audit.models import AuditAction, AuditEvent
from basis import permissions as basis_perms


def _awaiting(user) -> list[dict]:
    """What waits for this user, by role. Later apps add their queues here (catalogues to
    review, drafts to submit, certificates about to expire)."""
    items = []
    role = perms.role_of(user)
    if role == Role.SECURITY_ADMIN:
        locked = len(locked_usernames())
        items.append({"label": _("Locked accounts"), "count": locked, "url": "accounts:user_list"})
    if role == Role.SYSTEM_ADMIN:
        expired = User.objects.filter(is_active=True).filter(password_expired_q()).count()
        items.append({"label": _("Accounts that must change their password"), "count": expired, "url": "accounts:user_list"})
    if basis_perms.can_view_catalogues(user):
        items.extend(_catalogue_items(user))
    from responsibility.selectors import awaiting_for

    items.extend({"label": label, "count": count, "url": url} for label, count, url in awaiting_for(user))
    if role == Role.AUDIT_ADMIN:
        denied = AuditEvent.objects.filter(
            action__in=[AuditAction.PERMISSION_DENIED, AuditAction.LOCKOUT, AuditAction.LOGIN_FAILED]
        ).count()
        items.append({"label": _("Denials and failed logins on record"), "count": denied, "url": "audit:list"})
    return items


def _catalogue_items(user) -> list[dict]:
    from workflow.review import ReviewStatus

    visible = basis_perms.catalogues_visible_to(user)
    government = perms.jurisdiction_of(user)
    if government is not None:
        mine = visible.filter(department__jurisdiction=government)
        return [
            {"label": _("Catalogues awaiting review"), "url": "basis:catalogue_list",
             "count": mine.filter(status__in=[ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW]).count()},
            {"label": _("Approved catalogues awaiting publication"), "url": "basis:catalogue_list",
             "count": mine.filter(status=ReviewStatus.APPROVED).count()},
        ]
    return [
        {"label": _("Catalogue versions to complete or fix"), "url": "basis:catalogue_list",
         "count": visible.filter(status__in=[ReviewStatus.DRAFT, ReviewStatus.RETURNED]).count()},
        {"label": _("Catalogues flagged for revision"), "url": "basis:catalogue_list",
         "count": visible.filter(needs_revision=True).exclude(status=ReviewStatus.SUPERSEDED).count()},
    ]


@login_required
def home(request):
    user = request.user
    root = perms.scope_root(user)
    from authority.selectors import certificates_expiring_for

    return render(
        request,
        "home.html",
        {
            "awaiting": _awaiting(user),
            "scope_root": root,
            "role_label": user.get_role_display(),
            "expiring_certificates": certificates_expiring_for(user)[:50],
        },
    )


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as error:  # noqa: BLE001 - the page reports any failure
        return False, str(error)


def _check_broker() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, _("none configured: jobs run in-process after commit")
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, conn.as_uri()
    except Exception as error:  # noqa: BLE001
        return False, str(error)


def _check_workers() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, _("not needed in the embedded mode")
    from config.celery import app

    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception as error:  # noqa: BLE001
        return False, str(error)
    if not replies:
        return False, _("no worker answered")
    return True, ", ".join(sorted(name for reply in replies for name in reply))


def _check_subsetter() -> tuple[bool, str]:
    from responsibility.disclosure import SUBSETTER_LIBRARY, harfbuzz_subsetter_available, subsetter_warning

    if harfbuzz_subsetter_available():
        return True, _("%(library)s: fonts are subset with HarfBuzz") % {"library": SUBSETTER_LIBRARY}
    return False, subsetter_warning()


def _check_site_url() -> tuple[bool, str]:
    from responsibility.disclosure import site_url_is_local

    if site_url_is_local():
        return False, _(
            "SITE_URL is %(url)s: the bulletin sheets print this machine's address and their QR codes lead nowhere. "
            "Set SITE_URL to the public site's address."
        ) % {"url": settings.SITE_URL}
    return True, settings.SITE_URL


@login_required
def status(request):
    perms.require(request.user, perms.can_view_system_status(request.user))
    checks = [
        (_("Database"), *_check_database()),
        (_("Message broker"), *_check_broker()),
        (_("Background workers"), *_check_workers()),
        (_("PDF font subsetting"), *_check_subsetter()),
        (_("Public address (SITE_URL)"), *_check_site_url()),
    ]
    failing = [(name, detail) for name, ok, detail in checks if not ok]
    return render(request, "status.html", {"checks": checks, "failing": failing})


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)
