"""A campaign for the test city, its dates in the future unless a test moves them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rollout.campaigns_services import campaign_open


def future_dues(start_days: int = 10, step: int = 10) -> dict:
    now = timezone.now()
    return {n: now + timedelta(days=start_days + step * (n - 1)) for n in range(1, 5)}


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def city_campaign(city, users, year):
    return campaign_open(actor=users.city_reviewer, jurisdiction=city.city, year=year, title="市推行", dues=future_dues())


def move_phases(campaign, **dues):
    """Set phase dates straight on the rows (into the past, which the services refuse)."""
    from rollout.models import Phase

    for key, value in dues.items():
        Phase.objects.filter(campaign=campaign, number=int(key[-1])).update(due_at=value)
