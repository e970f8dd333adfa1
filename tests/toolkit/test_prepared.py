"""toolkit.prepared.PreparedQuery: the rows of the queryset it stands for, whatever the values
given, from SQL compiled once per connection."""

import datetime

import pytest
from django.db import connection
from django.db.utils import ConnectionDoesNotExist
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from organisations.models import Organisation
from toolkit.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _with_children(code: str):
    children = Organisation.objects.filter(jurisdiction=OuterRef("pk")).order_by().values("jurisdiction")
    return (
        Organisation.objects.filter(code=code)
        .select_related("jurisdiction")
        .annotate(children=Subquery(children.annotate(n=Count("pk")).values("n")))
        .order_by("pk")
    )


def test_models_with_related_objects_and_annotations_as_the_queryset_gives_them(city):
    prepared = PreparedQuery(_with_children, str)
    for organisation in (city.city, city.dept_a, city.county_x):
        expected = _with_children(organisation.code).get()
        got = prepared.first(organisation.code)
        assert got == expected and got.name == expected.name
        assert got.children == expected.children
        # select_related: the government comes with the row, no query.
        with CaptureQueriesContext(connection) as captured:
            assert got.jurisdiction == expected.jurisdiction
        assert len(captured) == 0
    assert prepared.first("NO-SUCH-CODE") is None


def _named(parent_id: int, since: datetime.date):
    return (
        Organisation.objects.filter(jurisdiction_id=parent_id, created_at__date__gte=since)
        .order_by("code")
        .values_list("code", flat=True)
    )


def test_every_value_reaches_its_parameter(city):
    prepared = PreparedQuery(_named, int, datetime.date)
    long_ago, tomorrow = datetime.date(2000, 1, 1), datetime.date.today() + datetime.timedelta(days=1)
    for parent in (city.city, city.county_x):
        assert prepared.all(parent.pk, long_ago) == list(_named(parent.pk, long_ago)) != []
        assert prepared.all(parent.pk, tomorrow) == []


def test_compiled_once_per_connection(city):
    built = []

    def build(code):
        built.append(code)
        return Organisation.objects.filter(code=code).values_list("name", flat=True)

    prepared = PreparedQuery(build, str)
    assert prepared.all(city.dept_a.code) == [city.dept_a.name]
    assert prepared.all(city.dept_b.code) == [city.dept_b.name]
    assert len(built) == 1
    with CaptureQueriesContext(connection) as captured:
        prepared.all(city.city.code)
    assert len(captured) == 1 and city.city.code in captured[0]["sql"]


def test_refuses_an_argument_the_lookup_rewrites(city):
    prepared = PreparedQuery(lambda code: Organisation.objects.filter(code__startswith=code), str)
    with pytest.raises(ValueError, match="rewritten"):
        prepared.all("X")


def test_refuses_an_argument_that_reaches_no_parameter(city):
    prepared = PreparedQuery(lambda code, pk: Organisation.objects.filter(code=code), str, int)
    with pytest.raises(ValueError, match="reach no SQL parameter"):
        prepared.all("X", 1)


def test_wrong_number_of_arguments_and_unknown_types_are_errors():
    with pytest.raises(TypeError):
        PreparedQuery(lambda value: Organisation.objects.all(), float)
    prepared = PreparedQuery(lambda code: Organisation.objects.filter(code=code), str)
    with pytest.raises(TypeError):
        prepared.all()


class _ReadsElsewhere:
    """A router that sends reads to a connection this test run does not have."""

    def db_for_read(self, model, **hints):
        return "elsewhere"


def test_runs_on_the_connection_the_router_picks_now_not_the_one_it_was_prepared_on(city, settings):
    # A public page may read from the replica and the next request from the primary: the SQL
    # prepared on one must not be run on the other (tests/test_replica.py runs it for real).
    prepared = PreparedQuery(lambda code: Organisation.objects.filter(code=code).values_list("name", flat=True), str)
    assert prepared.all(city.dept_a.code) == [city.dept_a.name]
    settings.DATABASE_ROUTERS = [_ReadsElsewhere()]
    with pytest.raises(ConnectionDoesNotExist):
        prepared.all(city.dept_a.code)
    assert prepared.all(city.dept_a.code, using="default") == [city.dept_a.name]
