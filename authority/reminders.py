"""Certificate expiries, for the reminder sweep (``notifications.registry``).

Open: a valid certificate of an active officer that runs out within the reminder window, or ran
out in the last ``EXPIRED_LOOKBACK_DAYS`` days, and that no later certificate of the same officer
replaces. Renewing moves ``valid_until``, which is in the key: the renewed certificate is a new
deadline, years away, and the old one is no longer yielded — its reminders stop. Suspended and
revoked certificates are the office's decision, not a deadline. The reminder goes to the editors
of the officer's department and names the officer. Two queries."""

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from notifications.registry import Due, days_before

from .models import Certificate, CertificateStatus

# A certificate that ran out longer ago than this is no longer reminded (it is on the office's
# lists); the overdue reminder of one that ran out after the sweeps stopped still goes out.
EXPIRED_LOOKBACK_DAYS = 30


def _expires_at(valid_until: datetime.date) -> datetime.datetime:
    """A certificate is valid through its last day: it runs out at the next local midnight."""
    return datetime.datetime.combine(
        valid_until + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_default_timezone()
    )


def certificate_expiries(now) -> Iterator[Due]:
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    replaced = Certificate.objects.filter(officer=OuterRef("officer"), valid_until__gt=OuterRef("valid_until")).exclude(
        status=CertificateStatus.REVOKED
    )
    certificates = list(
        Certificate.objects.filter(
            status__in=[CertificateStatus.VALID, CertificateStatus.EXPIRED],
            officer__is_active=True,
            officer__department__is_active=True,
            valid_until__gte=today - datetime.timedelta(days=EXPIRED_LOOKBACK_DAYS),
            valid_until__lt=today + datetime.timedelta(days=days_before()),
        )
        .exclude(Exists(replaced))
        .values_list("pk", "number", "valid_until", "officer_id", "officer__name", "officer__department_id")
    )
    if not certificates:
        return
    editors: dict[int, list[int]] = defaultdict(list)
    for organisation_id, user_id in User.objects.filter(
        role=Role.DEPARTMENT_EDITOR, is_active=True, organisation__in={c[5] for c in certificates}
    ).order_by("pk").values_list("organisation_id", "pk"):
        editors[organisation_id].append(user_id)
    for pk, number, valid_until, officer_id, officer_name, department_id in certificates:
        if not editors.get(department_id):
            continue
        yield Due(
            key=f"authority.certificate:{pk}:{valid_until.isoformat()}",
            due_at=_expires_at(valid_until),
            what=_("Renewal of the enforcement certificate %(number)s of %(officer)s") % {"number": number, "officer": officer_name},
            url=reverse("authority:officer_detail", args=[officer_id]),
            recipients=tuple(editors[department_id]),
            organisation_id=department_id,
        )
