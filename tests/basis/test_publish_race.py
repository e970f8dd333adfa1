"""Two reviewers publish the same approved catalogue at the same moment (two threads, two
connections, PostgreSQL): the row lock in workflow.advance lets one through; the other finds it
published and is refused."""

import threading

import pytest
from django.db import connection, connections

from basis.models import BasisCatalogue
from basis.services import catalogue_publish
from outbox.models import OutboxMessage
from responsibility.models import DisclosureDocument
from responsibility.tasks import render_disclosure_document
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from tests.factories import UserFactory
from accounts.models import Role
from workflow.engine import WorkflowError
from workflow.review import ReviewStatus


@pytest.mark.django_db(transaction=True)
def test_c_two_reviewers_publishing_one_catalogue_make_one_publication(city, users, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.APPROVED)
    EntryFactory(catalogue=catalogue, instrument=InstrumentFactory(), provisions="第十条")
    reviewers = [users.city_reviewer, UserFactory(username="city_reviewer_2", role=Role.OFFICE_REVIEWER, organisation=city.city_office)]
    start = threading.Barrier(2, timeout=30)
    outcomes = {}

    def publish(reviewer):
        try:
            start.wait()
            catalogue_publish(actor=reviewer, catalogue=BasisCatalogue.objects.get(pk=catalogue.pk))
            outcomes[reviewer.username] = "published"
        except WorkflowError as error:
            outcomes[reviewer.username] = error
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[reviewer.username] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(type(o).__name__ if not isinstance(o, str) else o for o in outcomes.values()) == ["WorkflowError", "published"], outcomes
    catalogue.refresh_from_db()
    assert catalogue.status == ReviewStatus.PUBLISHED
    assert catalogue.events.filter(to_status=ReviewStatus.PUBLISHED).count() == 1
    # One request per document kind, not two: one row each and one outbox message each.
    documents = DisclosureDocument.objects.filter(organisation=city.dept_a)
    assert documents.count() == 2
    assert OutboxMessage.objects.filter(task=render_disclosure_document.name).count() == 2
