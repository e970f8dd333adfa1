"""Public satisfaction (群众满意度): a citizen's rating of a department from its portal page,
kept free of personal data and hard to stuff.

- a captcha (django-simple-captcha) on the form, checked by the portal's form;
- a signed token per form (``rating_token``): for one department, valid for an hour, used once
  (its nonce is stored on use; a replay is refused);
- a cap per address per day, counted under a salted hash of the address whose salt changes
  every day (the address is never stored and days cannot be linked);
- a count per department per day: past ``APPRAISAL_RATING_BURST`` ratings in a day, further
  ratings are held for the office's review and not counted.
Comments are shown to the department and the office only."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import guarded
from audit.models import AuditAction
from audit.services import event_record
from organisations.models import Organisation

from . import permissions as appraisal_perms
from .models import Rating, RatingAddressDay, RatingDepartmentDay, RatingStatus, RatingTokenUse
from .services import AppraisalError

TOKEN_SALT = "appraisal.rating"
TOKEN_MAX_AGE = 3600


def per_address_cap() -> int:
    return int(getattr(settings, "APPRAISAL_RATINGS_PER_ADDRESS_PER_DAY", 3))


def burst_threshold() -> int:
    return int(getattr(settings, "APPRAISAL_RATING_BURST", 50))


def rating_token(department: Organisation) -> str:
    return signing.dumps({"d": department.pk, "n": secrets.token_hex(16)}, salt=TOKEN_SALT, compress=True)


def address_hash(address: str, day) -> str:
    key = hashlib.sha256(f"{settings.SECRET_KEY}:{TOKEN_SALT}:{day.isoformat()}".encode()).digest()
    return hmac.new(key, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _count(model, lookup: dict) -> int:
    """Add one to the day's counter and answer the new count (the row locked meanwhile)."""
    row, _created = model.objects.select_for_update().get_or_create(**lookup)
    model.objects.filter(pk=row.pk).update(count=F("count") + 1)
    return row.count + 1


def rating_submit(*, department: Organisation, token: str, stars: int, comment: str, address: str | None) -> Rating:
    """Record a rating. Refused (nothing saved, the token not spent) for a bad token or
    rating; refused once the address has reached the day's cap; held past the day's burst."""
    try:
        payload = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise AppraisalError(_("The form has expired; load the page again.")) from None
    except signing.BadSignature:
        raise AppraisalError(_("The form is not valid; load the page again.")) from None
    if payload.get("d") != department.pk:
        raise AppraisalError(_("The form is not valid; load the page again."))
    if not (isinstance(stars, int) and 1 <= stars <= 5):
        raise AppraisalError(_("Choose between 1 and 5 stars."))
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise AppraisalError(_("Keep the comment under 1000 characters."))
    today = timezone.localdate()
    try:
        with transaction.atomic():
            RatingTokenUse.objects.create(nonce=payload["n"])
            if _count(RatingAddressDay, {"day": today, "address_hash": address_hash(address or "", today)}) > per_address_cap():
                raise AppraisalError(_("Thank you: the ratings from your connection for today have been received already."))
            burst = _count(RatingDepartmentDay, {"department": department, "day": today}) > burst_threshold()
            return Rating.objects.create(
                department=department, stars=stars, comment=comment, created_on=today,
                status=RatingStatus.HELD if burst else RatingStatus.COUNTED,
            )
    except IntegrityError:
        raise AppraisalError(_("This form has been used already; load the page again.")) from None


@guarded(lambda actor, *, rating, **kw: (appraisal_perms.can_manage_appraisal(actor, rating.department.jurisdiction), rating))
def rating_decide(*, actor, rating: Rating, count: bool) -> Rating:
    """The office's decision on a held rating: counted, or rejected."""
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if rating.status != RatingStatus.HELD:
        raise AppraisalError(_("Only a held rating awaits a decision."))
    rating.status = RatingStatus.COUNTED if count else RatingStatus.REJECTED
    rating.save(update_fields=["status"])
    event_record(action=AuditAction.UPDATE, actor=actor, obj=rating, message=_("Held rating decided"), detail={"status": rating.status})
    return rating
