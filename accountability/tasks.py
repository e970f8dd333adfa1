from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Role, User
from appraisal.models import Round

from .models import Case


@shared_task
def send_decision_notice(case_id: int) -> int:
    """Mail the department's people and the persons concerned who have a login the decision of a case with the remedy channel and period.
    Re-reads the case, so a repeated delivery says what is true now."""
    case = Case.objects.select_related("department").filter(pk=case_id).first()
    if case is None or case.notified_on is None:
        return 0
    recipients = User.objects.filter(
        Q(organisation=case.department, role__in=[Role.DEPARTMENT_HEAD, Role.DEPARTMENT_EDITOR])
        # The persons concerned who have their own login (authority's Officer.account).
        | Q(officer_record__accountability_entries__case=case),
        is_active=True,
    ).distinct()
    addresses = sorted({u.email for u in recipients if u.email})
    if not addresses:
        return 0
    with override(settings.LANGUAGE_CODE):
        subject = _("Accountability decision %(number)s") % {"number": case.number}
        measures = "\n".join(f"- {m.person.name + '：' if m.person else ''}{m.get_kind_display()}" for m in case.measures.select_related("person"))
        body = "\n\n".join(filter(None, [subject, case.department.name, case.decision_grounds, measures, case.remedy_text]))
    return send_mail(subject, body, None, addresses)


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, max_retries=5)
def propose_from_round(round_id: int) -> int:
    """The suggestion run of a finalised appraisal round. A second delivery proposes nothing
    twice (every proposal has its unique key); a round gone or not finalised does nothing."""
    from .suggestions import RoundNotFinalised, round_suggestions_run

    try:
        run = round_suggestions_run(round_id=round_id)
    except (RoundNotFinalised, Round.DoesNotExist):
        return 0
    return run.suggestions
