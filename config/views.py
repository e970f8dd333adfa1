"""Pages that belong to no single app: the signed-in home page, the system status page, the
error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from accounts import permissions as perms
from accounts.models import Role, User
from accounts.selectors import locked_usernames, password_expired_q
from audit.models import AuditAction, AuditEvent
from basis import permissions as basis_perms
from organisations.models import Organisation
from rollout.selectors_filings import awaiting_for as filings_awaiting_for


def _awaiting(user) -> list[dict]:
    """What waits for this user, by role. Later apps add their queues here (catalogues to
    review, drafts to submit, certificates about to expire)."""
    items = []
    role = perms.role_of(user)
    if role == Role.SECURITY_ADMIN:
        locked = len(locked_usernames())
        items.append(_tile(_("Locked accounts"), locked, "accounts:user_list"))
    if role == Role.SYSTEM_ADMIN:
        expired = User.objects.filter(is_active=True).filter(password_expired_q()).count()
        items.append(_tile(_("Accounts that must change their password"), expired, "accounts:user_list"))
    if basis_perms.can_view_catalogues(user):
        items.extend(_catalogue_items(user))
    if basis_perms.can_view_proposal_queue(user):
        from basis.models import ProposalStatus

        pending = basis_perms.proposals_visible_to(user).filter(status=ProposalStatus.PENDING).count()
        items.append(_tile(_("Proposed instruments awaiting a decision"), pending, "basis:proposal_list",
                           f"status={ProposalStatus.PENDING}"))
    from responsibility.selectors import awaiting_for

    items.extend(_tile(label, count, url, query) for label, count, url, query in awaiting_for(user))
    items.extend(_rollout_items(user))
    items.extend(_tile(label, count, url, query) for label, count, url, query in filings_awaiting_for(user))
    from accountability import permissions as accountability_perms

    if accountability_perms.can_open_cases(user):
        from accountability.selectors import office_tiles

        counts = office_tiles(accountability_perms.cases_visible_to(user))
        items.append(_tile(_("Open accountability cases"), counts["open"], "accountability:case_list", "status=open"))
        items.append(_tile(_("Accountability decisions overdue"), counts["overdue"], "accountability:case_list", "overdue=1",
                           alert=True, hint=_("Registered cases past their decision deadline (one month, or as extended).")))
    from appraisal.selectors import awaiting_for as appraisal_awaiting

    items.extend(_tile(label, count, url, query) for label, count, url, query in appraisal_awaiting(user))
    if role == Role.AUDIT_ADMIN:
        denied = AuditEvent.objects.filter(
            action__in=[AuditAction.PERMISSION_DENIED, AuditAction.LOCKOUT, AuditAction.LOGIN_FAILED]
        ).count()
        items.append(_tile(_("Denials and failed logins on record"), denied, "audit:list"))
    return items


def _tile(label, count, url, query="", hint="", alert=False) -> dict:
    """One home tile: ``url`` is a URL name, ``query`` the filter the list is opened with. The
    count and the list come from the same selector, so the tile's number is the number of rows
    the page shows."""
    return {"label": label, "count": count, "url": url, "query": query, "hint": hint, "alert": alert and count > 0}


def _rollout_items(user) -> list[dict]:
    """The office's view of this year's campaign: who has not started (drafts included, which
    the catalogue tiles cannot see) and who is late. Counted with the dashboard's own filter."""
    from rollout import permissions as rollout_perms
    from rollout.campaigns_status import Progress, State
    from rollout.campaigns_views import current_campaign_for

    if not rollout_perms.can_view_campaigns(user):
        return []
    campaign = current_campaign_for(user)
    if campaign is None:
        return []
    progress = Progress(campaign)
    return [
        _tile(_("Organisations that have not started the rollout"), len(progress.rows_filtered(status=State.NOT_STARTED)),
              "campaigns:current_dashboard", f"status={State.NOT_STARTED}",
              hint=_("No record at all for any deliverable of %(title)s, drafts included.") % {"title": campaign.title}),
        _tile(_("Organisations late in the rollout"), len(progress.rows_filtered(status=State.LATE)),
              "campaigns:current_dashboard", f"status={State.LATE}", alert=True),
    ]


def _catalogue_items(user) -> list[dict]:
    from basis import queues as basis_queues
    from basis.services import deadline_for_government

    visible = basis_perms.catalogues_visible_to(user)
    government = perms.jurisdiction_of(user)
    if government is not None and perms.role_of(user) == Role.ESTABLISHMENT_REVIEWER:
        from basis.selectors import awaiting_establishment_opinion

        return [
            _tile(_("Catalogues awaiting your office's opinion"), awaiting_establishment_opinion(visible, government).count(),
                  "basis:catalogue_list", "awaiting=opinion"),
        ]

    def queue(name):
        return basis_queues.catalogue_queue(visible, name, government=government).count()

    if government is not None:
        items = []
        if basis_perms.can_view_submission_progress(user):
            deadline = deadline_for_government(government)
            rows = basis_queues.submission_progress(
                perms.departments_in_scope(user).filter(jurisdiction=government), deadline
            )
            not_submitted = basis_queues.progress_filtered(rows, basis_queues.ProgressState.NOT_SUBMITTED)
            late = basis_queues.progress_filtered(rows, basis_queues.ProgressState.LATE)
            items += [
                _tile(_("Departments that have not submitted a catalogue"), len(not_submitted), "basis:catalogue_progress",
                      "state=not_submitted", alert=deadline is not None and deadline.due_at < timezone.now(),
                      hint=_("Active departments of %(government)s with no catalogue version with the office or "
                             "published (a returned version does not count).") % {"government": government.name}),
                _tile(_("Late departments"), len(late), "basis:catalogue_progress", "state=late", alert=True,
                      hint=_("Submitted after the deadline, or nothing submitted and the deadline has passed.")
                      if deadline else _("No deadline is set, so no one is late.")),
            ]
        items += [
            _tile(_("Catalogues awaiting review"), queue("awaiting_review"), "basis:catalogue_list", "queue=awaiting_review"),
            _tile(_("Approved catalogues awaiting publication"), queue("awaiting_publication"), "basis:catalogue_list",
                  "queue=awaiting_publication"),
            _tile(_("Current catalogues with conflict findings"), queue("conflicts"), "basis:catalogue_list", "queue=conflicts",
                  alert=True, hint=_("Catalogues that a cross-department check (several sole managers, a partner "
                                     "that does not list the law, a repealed law…) concerns.")),
        ]
        return items
    return [
        _tile(_("Catalogue versions to complete or fix"), queue("to_fix"), "basis:catalogue_list", "queue=to_fix"),
        _tile(_("Catalogues flagged for revision"), queue("flagged"), "basis:catalogue_list", "queue=flagged", alert=True),
    ]


def _deadlines(user) -> list[dict]:
    """An editor's deadlines: the catalogue deadline of the department's jurisdiction, the days
    left (negative once it has passed) and what remains to do for it."""
    from basis import queues as basis_queues
    from basis.services import deadline_for

    department = perms.department_of(user)
    if department is None or not perms.is_department_editor(user, department):
        return []
    deadline = deadline_for(department)
    if deadline is None:
        return []
    rows = basis_queues.submission_progress(
        Organisation.objects.filter(pk=department.pk), deadline
    )
    row = rows[0] if rows else None
    now = timezone.now()
    days_left = (timezone.localdate(deadline.due_at) - timezone.localdate(now)).days
    if row is None or row.submitted is None:
        todo = _("Submit the catalogue to the office.") if row and row.working else _("Start a catalogue version and submit it.")
        done = False
    else:
        todo = _("Submitted on %(date)s.") % {"date": date_format(timezone.localtime(row.submitted.submitted_at), "Y-m-d")} \
            if row.submitted.submitted_at else _("Submitted.")
        done = True
    return [{
        "label": _("Basis catalogue"), "due_at": deadline.due_at, "days_left": days_left, "days_overdue": max(-days_left, 0),
        "overdue": not done and deadline.due_at < now, "done": done, "late": bool(row and row.late), "todo": todo, "note": deadline.note,
        "url": "basis:catalogue_list",
    }]


@login_required
def home(request):
    user = request.user
    root = perms.scope_root(user)
    from basis.views import announce_proposal_decisions

    announce_proposal_decisions(request)
    from authority.selectors import certificates_expiring_for

    from rollout.campaigns_views import checklist_for

    return render(
        request,
        "home.html",
        {
            "checklist": checklist_for(user),
            "awaiting": _awaiting(user),
            "deadlines": _deadlines(user),
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
    """Names who may do the refused thing when the refusal says (``accounts.permissions.Refused``);
    otherwise only that the role does not allow it. Never "ask the system administrator": an
    administrator grants roles, it does not do the office's or a department's work."""
    who = getattr(exception, "who", "")
    return render(request, "errors/403.html", {"who_can": perms.WHO_CAN.get(who, "")}, status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)
