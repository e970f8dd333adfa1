"""The rollout's open deadlines for the one reminder mechanism (``notifications.registry``):
every deliverable not yet delivered by an organisation with a phase deadline, and every
rectification asked by a spot check and not yet reported. Read in bulk: a constant number of
queries per open campaign (there is one per jurisdiction and year), and three for the users."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.urls import reverse

from accounts.models import Role, User
from notifications.registry import Due
from organisations.models import GOVERNMENT_KINDS, OfficeFunction, Organisation

from .campaigns_status import DELIVERED_STATES, Progress, url_of
from .models import Campaign, Finding, RectificationStatus


def _recipients(organisations: list[Organisation]) -> dict[int, tuple[int, ...]]:
    """A department's editors; a government's legal-affairs office reviewers (the office that
    hangs directly under it). Two queries."""
    ids = [o.pk for o in organisations if o.kind not in GOVERNMENT_KINDS]
    result: dict[int, list[int]] = defaultdict(list)
    for user_id, organisation_id in User.objects.filter(
        is_active=True, role=Role.DEPARTMENT_EDITOR, organisation_id__in=ids
    ).values_list("pk", "organisation_id"):
        result[organisation_id].append(user_id)
    governments = {o.path: o.pk for o in organisations if o.kind in GOVERNMENT_KINDS}
    if governments:
        steplen = Organisation.steplen
        for user_id, path in User.objects.filter(
            is_active=True, role=Role.OFFICE_REVIEWER, organisation__office_function=OfficeFunction.LEGAL_AFFAIRS,
        ).values_list("pk", "organisation__path"):
            government = governments.get(path[:-steplen])
            if government is not None:
                result[government].append(user_id)
    return {pk: tuple(sorted(users)) for pk, users in result.items()}


def open_deadlines(now) -> Iterator[Due]:
    from django.utils import timezone

    year = timezone.localdate(now).year
    # The top campaigns of this year and the last (a campaign may run into the next year); each
    # one's progress covers the county campaigns inside it.
    for campaign in Campaign.objects.filter(parent__isnull=True, year__gte=year - 1).select_related("jurisdiction"):
        progress = Progress(campaign, now=now)
        recipients = _recipients([row.organisation for row in progress.rows])
        for row in progress.rows:
            for item in row.items:
                if item.due_at is None or item.state in DELIVERED_STATES:
                    continue
                yield Due(
                    key=f"rollout.deliverable:{row.organisation.pk}:{item.campaign_id}:{item.deliverable}:{item.due_at.isoformat()}",
                    due_at=item.due_at,
                    what=item.label,
                    url=url_of(item.deliverable, row.organisation.pk),
                    recipients=recipients.get(row.organisation.pk, ()),
                    organisation_id=row.organisation.pk,
                )
    findings = list(
        Finding.objects.filter(status=RectificationStatus.OPEN).select_related("target__organisation")
    )
    recipients = _recipients([f.target.organisation for f in findings])
    for finding in findings:
        organisation = finding.target.organisation
        yield Due(
            key=f"rollout.rectification:{finding.pk}:{finding.due_at.isoformat()}",
            due_at=finding.due_at,
            what=finding.rectification[:200],
            url=reverse("campaigns:checklist"),
            recipients=recipients.get(organisation.pk, ()),
            organisation_id=organisation.pk,
        )
