"""Institutional reform (机构改革): the establishment office records what became of an
organisation; the successor chain is readable; an abolished department is no longer offered and
an import naming it is pointed to its successor; a reform that moves functions, and an amended
instrument, flag the catalogues, breakdowns and responsibility sets resting on them for
re-review, and publishing a new version clears the flag."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import translation

from audit.models import AuditAction, AuditEvent
from authority.models import Breakdown
from authority.services import breakdown_publish
from basis import services as basis_services
from basis.forms import EntryForm
from basis.models import InstrumentStatus
from organisations import services
from organisations.models import OrganisationSuccession, SubjectKind, SuccessionKind
from organisations.selectors import current_successors, ended_note
from responsibility.models import ResponsibilitySet
from responsibility.services import responsibility_set_publish
from workflow.review import ReviewStatus

from ..authority.factories import BreakdownFactory, PowerFactory
from ..basis.factories import (
    CatalogueFactory,
    EntryFactory,
    InstrumentFactory,
    provisions,
)
from ..basis.fixtures.sheets import row, upload, xlsx_bytes
from ..factories import OrganisationFactory
from ..responsibility.factories import ResponsibilityFactory, ResponsibilitySetFactory

S = ReviewStatus
REFORM = "2018年机构改革 测试市机构改革方案（测发〔2019〕5号）"
MERGED_ON = datetime.date(2019, 3, 1)


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def reference(db):
    call_command("load_authority_reference", verbosity=0)
    call_command("load_responsibility_reference", verbosity=0)


@pytest.fixture
def saic(city):
    """The city's 工商行政管理局, merged into 市场监督管理局 (dept A) by the 2018 reform."""
    return OrganisationFactory(
        parent=city.city, code="C-GS", name="测试市工商行政管理局", subject_kind=SubjectKind.STATUTORY_ORGAN
    )


def merge(users, saic, city, **kwargs):
    values = dict(
        actor=users.establishment,
        predecessor=saic,
        successors=[city.dept_a],
        kind=SuccessionKind.MERGED,
        effective_on=MERGED_ON,
        reform=REFORM,
    )
    values.update(kwargs)
    return services.organisation_reform(**values)


# -- The record and the chain -----------------------------------------------------------------


def test_a_merger_ends_the_predecessor_and_makes_the_chain_readable(city, users, saic):
    links = merge(users, saic, city, note="登记、监管职能整体划入")

    saic.refresh_from_db()
    assert (saic.is_active, saic.ended_on) == (False, MERGED_ON)
    assert [(link.predecessor, link.successor, link.kind, link.reform) for link in links] == [
        (saic, city.dept_a, SuccessionKind.MERGED, REFORM)
    ]
    assert current_successors(saic) == [city.dept_a]
    assert list(city.dept_a.precursors.values_list("predecessor__name", flat=True)) == ["测试市工商行政管理局"]
    assert ended_note(saic) == "Abolished on 2019-03-01; functions transferred to 测试市市场监督管理局"
    with translation.override("zh-hans"):
        assert "2019-03-01" in ended_note(saic)
    event = AuditEvent.objects.get(object_type="organisations.organisation", object_id=str(saic.pk), action=AuditAction.UPDATE)
    assert event.actor == users.establishment
    assert event.detail == {"reform": "merged", "successors": [city.dept_a.pk], "effective_on": "2019-03-01", "ended": True}
    assert REFORM in event.message


def test_the_chain_follows_a_rename_then_a_merger(city, users, saic):
    renamed = OrganisationFactory(parent=city.city, code="C-GS2", name="测试市工商局（更名）")
    services.organisation_reform(
        actor=users.establishment, predecessor=saic, successors=[renamed], kind=SuccessionKind.RENAMED,
        effective_on=datetime.date(2015, 1, 1), reform="2015年更名",
    )
    merge(users, renamed, city)

    renamed.refresh_from_db()
    assert current_successors(saic) == [city.dept_a]
    assert ended_note(renamed).startswith("Abolished on 2019-03-01")


def test_a_split_leaves_the_predecessor_standing(city, users):
    services.organisation_reform(
        actor=users.establishment, predecessor=city.dept_b, successors=[city.dept_a],
        kind=SuccessionKind.SPLIT, effective_on=MERGED_ON, reform=REFORM,
    )
    city.dept_b.refresh_from_db()
    assert city.dept_b.is_active and city.dept_b.ended_on is None


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(successors=[]), "Name the organisation that takes over the functions."),
        (dict(reform="  "), "Name the reform and its document."),
        (dict(successors="county"), "belongs to another jurisdiction."),
        (dict(successors="both"), "A renamed or merged organisation has exactly one successor."),
    ],
)
def test_a_reform_that_does_not_add_up_is_refused_and_saves_nothing(city, users, saic, change, message):
    if change.get("successors") == "county":
        change["successors"] = [city.dept_x1]
    elif change.get("successors") == "both":
        change["successors"] = [city.dept_a, city.dept_b]
    with pytest.raises(services.OrganisationError, match=message.replace(".", r"\.")):
        merge(users, saic, city, **change)
    saic.refresh_from_db()
    assert saic.is_active
    assert not OrganisationSuccession.objects.exists()


def test_an_ended_department_is_not_offered_for_new_entries(city, users, saic):
    merge(users, saic, city)
    form = EntryForm(department=city.dept_a)
    offered = set(form.fields["lead_department"].queryset)
    assert city.dept_a in offered and saic not in offered


# -- Pages and permissions --------------------------------------------------------------------


def test_the_establishment_office_records_a_reform_through_the_page(client, city, users, saic):
    client.force_login(users.establishment)
    page = client.get(f"/office/organisations/{saic.pk}/")
    assert f"/office/organisations/{saic.pk}/reform/" in page.content.decode()

    response = client.post(
        f"/office/organisations/{saic.pk}/reform/",
        {"kind": "merged", "successors": [city.dept_a.pk], "effective_on": "2019-03-01", "reform": REFORM, "note": ""},
    )

    assert response.status_code == 302
    html = client.get(f"/office/organisations/{saic.pk}/").content.decode()
    assert "Abolished on 2019-03-01; functions transferred to 测试市市场监督管理局" in html
    assert REFORM in html
    successor_html = client.get(f"/office/organisations/{city.dept_a.pk}/").content.decode()
    assert "测试市工商行政管理局" in successor_html


def test_the_form_offers_only_active_organisations_of_the_jurisdiction(client, city, users, saic):
    client.force_login(users.establishment)
    choices = client.get(f"/office/organisations/{saic.pk}/reform/").context["form"].fields["successors"].queryset
    assert city.dept_a in choices and city.dept_x1 not in choices and city.city not in choices and saic not in choices


@pytest.mark.parametrize(
    "user, target, status",
    [
        ("editor_a", "dept_a", 403),  # a department keeps its agencies, not the reforms
        ("city_reviewer", "saic", 403),
        ("editor_b", "saic", 404),  # outside a department user's scope
        ("establishment", "city", 403),  # the government itself
        ("establishment", "dept_x1", 403),  # a county's: the county's establishment office records it
    ],
)
def test_only_the_establishment_office_of_the_jurisdiction_records_a_reform(client, city, users, saic, user, target, status):
    organisation = saic if target == "saic" else getattr(city, target)
    client.force_login(getattr(users, user))
    data = {"kind": "abolished", "successors": [city.dept_a.pk], "effective_on": "2019-03-01", "reform": REFORM}
    assert client.get(f"/office/organisations/{organisation.pk}/reform/").status_code == status
    assert client.post(f"/office/organisations/{organisation.pk}/reform/", data).status_code == status
    assert not OrganisationSuccession.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=getattr(users, user)).exists()


def test_a_county_establishment_office_records_its_own_departments(client, city, users):
    from accounts.models import Role

    from ..factories import UserFactory

    county = UserFactory(username="county_bb", role=Role.ESTABLISHMENT_REVIEWER, organisation=city.county_x_establishment)
    merged = OrganisationFactory(parent=city.county_x, code="X-GS", name="甲县工商行政管理局")
    client.force_login(county)
    response = client.post(
        f"/office/organisations/{merged.pk}/reform/",
        {"kind": "merged", "successors": [city.dept_x1.pk], "effective_on": "2019-03-01", "reform": "甲县机构改革方案"},
    )
    assert response.status_code == 302
    assert current_successors(merged) == [city.dept_x1]


# -- Import -----------------------------------------------------------------------------------


def test_an_import_naming_an_abolished_department_names_its_successor(client, city, users, saic):
    food = InstrumentFactory(name="中华人民共和国食品安全法")
    provisions(food, "第十条")
    merge(users, saic, city)
    draft = CatalogueFactory(department=city.dept_a, status=S.DRAFT)
    data = xlsx_bytes([
        row(provisions="第十条"),
        row(provisions="第十条", category="共同管理", joint="测试市工商行政管理局"),
        row(provisions="第十条", category="协同管理", assisting="工商行政管理局"),
    ])
    client.force_login(users.editor_a)

    response = client.post(f"/office/basis/catalogues/{draft.pk}/import/", {"file": upload("目录.xlsx", data)})

    html = response.content.decode()
    message = (
        "测试市工商行政管理局 was abolished on 2019-03-01 and its functions passed to 测试市市场监督管理局: "
        "write 测试市市场监督管理局 instead."
    )
    assert html.count(message) == 2, html[-3000:]
    assert not draft.entries.exists()


def test_an_import_naming_a_renamed_department_gives_the_new_name(city, users, saic):
    from basis.spreadsheets import parse_catalogue_upload

    food = InstrumentFactory(name="中华人民共和国食品安全法")
    provisions(food, "第十条")
    services.organisation_reform(
        actor=users.establishment, predecessor=saic, successors=[city.dept_a], kind=SuccessionKind.RENAMED,
        effective_on=MERGED_ON, reform=REFORM,
    )
    preview = parse_catalogue_upload(
        upload("目录.xlsx", xlsx_bytes([row(category="共同管理", joint="C-GS")])), department=city.dept_a
    )
    assert [error.message for error in preview.errors] == [
        "测试市工商行政管理局 was renamed 测试市市场监督管理局 on 2019-03-01: write the new name."
    ]


# -- Flags for re-review ----------------------------------------------------------------------


@pytest.fixture
def records(city, saic):
    """Each department's catalogue, breakdown and responsibility set, current and superseded."""
    ns = SimpleNamespace()
    for key, department in (("saic", saic), ("a", city.dept_a), ("b", city.dept_b)):
        setattr(ns, f"{key}_old_catalogue", CatalogueFactory(department=department, status=S.SUPERSEDED))
        setattr(ns, f"{key}_catalogue", CatalogueFactory(department=department, status=S.PUBLISHED))
        setattr(ns, f"{key}_old_breakdown", BreakdownFactory(department=department, status=S.SUPERSEDED))
        setattr(ns, f"{key}_breakdown", BreakdownFactory(department=department, status=S.PUBLISHED))
        setattr(ns, f"{key}_set", ResponsibilitySetFactory(department=department, status=S.UNDER_REVIEW))
    return ns


def flagged(records) -> set[str]:
    found = set()
    for name, version in vars(records).items():
        version.refresh_from_db()
        if version.needs_revision:
            found.add(name)
    return found


def test_a_merger_flags_the_records_of_the_departments_concerned(city, users, saic, records, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        merge(users, saic, city)

    assert flagged(records) == {
        "saic_catalogue", "saic_breakdown", "saic_set", "a_catalogue", "a_breakdown", "a_set",
    }
    assert "测试市工商行政管理局" in records.a_breakdown.revision_reason
    assert REFORM in records.a_set.revision_reason
    events = AuditEvent.objects.filter(object_type="authority.breakdown", detail__needs_revision=True)
    assert {event.object_id for event in events} == {str(records.saic_breakdown.pk), str(records.a_breakdown.pk)}


def test_a_catalogue_of_another_department_naming_the_merged_one_is_flagged(city, users, saic, django_capture_on_commit_callbacks):
    b = CatalogueFactory(department=city.dept_b, status=S.PUBLISHED)
    EntryFactory(catalogue=b, category="joint", joint_departments=[saic])
    with django_capture_on_commit_callbacks(execute=True):
        merge(users, saic, city)
    b.refresh_from_db()
    assert b.needs_revision


def test_a_rename_flags_nothing(city, users, saic, records, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        merge(users, saic, city, kind=SuccessionKind.RENAMED)
    assert flagged(records) == set()


@pytest.fixture
def cited(city):
    """An amended law cited by a power of A (and a responsibility tied to it), not by B's;
    and X1 has a responsibility with the same power code but no such power of its own."""
    law = InstrumentFactory(name="测试市食品小作坊管理条例")
    other = InstrumentFactory(name="测试市城市供水条例")
    ns = SimpleNamespace(law=law)
    ns.a_breakdown = BreakdownFactory(department=city.dept_a, status=S.PUBLISHED)
    ns.a_old_breakdown = BreakdownFactory(department=city.dept_a, status=S.SUPERSEDED)
    ns.b_breakdown = BreakdownFactory(department=city.dept_b, status=S.PUBLISHED)
    ns.x1_breakdown = BreakdownFactory(department=city.dept_x1, status=S.PUBLISHED)
    PowerFactory(breakdown=ns.a_breakdown, code="330217001000", provisions=provisions(law, "第二十条"))
    PowerFactory(breakdown=ns.a_breakdown, code="330217002000", provisions=provisions(other, "第三条"))
    PowerFactory(breakdown=ns.a_old_breakdown, code="330217001000", provisions=provisions(law, "第二十条"))
    PowerFactory(breakdown=ns.b_breakdown, code="330217001000", provisions=provisions(other, "第三条"))
    PowerFactory(breakdown=ns.x1_breakdown, code="330217009000", provisions=provisions(other, "第四条"))
    ns.a_set = ResponsibilitySetFactory(department=city.dept_a, status=S.PUBLISHED)
    ResponsibilityFactory(responsibility_set=ns.a_set, power_code="330217001000")
    ns.a_set_untied = ResponsibilitySetFactory(department=city.dept_a, status=S.DRAFT)
    ResponsibilityFactory(responsibility_set=ns.a_set_untied, power_code="330217002000")
    ns.b_set = ResponsibilitySetFactory(department=city.dept_b, status=S.PUBLISHED)
    ResponsibilityFactory(responsibility_set=ns.b_set, power_code="330217001000")
    ns.x1_set = ResponsibilitySetFactory(department=city.dept_x1, status=S.PUBLISHED)
    ResponsibilityFactory(responsibility_set=ns.x1_set, power_code="330217001000")
    return ns


def test_an_amendment_flags_the_breakdowns_and_sets_citing_it(users, cited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        basis_services.instrument_record_status(
            actor=users.city_reviewer, instrument=cited.law, to_status=InstrumentStatus.AMENDED,
            note="2026年修正第二十条", effective_on=datetime.date(2026, 7, 1),
        )

    del cited.law
    assert flagged(cited) == {"a_breakdown", "a_set"}
    assert "2026年修正第二十条" in cited.a_breakdown.revision_reason
    assert AuditEvent.objects.filter(
        object_type="responsibility.responsibilityset", object_id=str(cited.a_set.pk), detail__needs_revision=True
    ).exists()


def test_the_flag_shows_on_the_pages_and_lists(client, users, cited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        basis_services.instrument_record_status(
            actor=users.city_reviewer, instrument=cited.law, to_status=InstrumentStatus.AMENDED, note="2026年修正"
        )
    client.force_login(users.city_reviewer)
    assert "needs revision" in client.get("/office/authority/").content.decode()
    client.force_login(users.editor_a)
    assert "This breakdown needs revision:" in client.get(f"/office/authority/breakdowns/{cited.a_breakdown.pk}/").content.decode()
    assert "This responsibility set needs revision:" in client.get(f"/office/responsibility/sets/{cited.a_set.pk}/").content.decode()


def test_publishing_a_new_version_clears_the_flag(city, users):
    breakdown = BreakdownFactory(department=city.dept_a, status=S.APPROVED, needs_revision=True, revision_reason="机构改革")
    responsibility_set = ResponsibilitySetFactory(
        department=city.dept_a, status=S.APPROVED, needs_revision=True, revision_reason="机构改革"
    )
    breakdown_publish(actor=users.city_reviewer, breakdown=breakdown)
    responsibility_set_publish(actor=users.city_reviewer, responsibility_set=responsibility_set)
    assert Breakdown.objects.get(pk=breakdown.pk).needs_revision is False
    assert ResponsibilitySet.objects.get(pk=responsibility_set.pk).needs_revision is False


def test_the_portal_names_the_successor_where_an_ended_department_is_named(client, city, users, saic):
    catalogue = CatalogueFactory(department=city.dept_b, status=S.PUBLISHED, published_at="2018-12-15T00:00:00Z")
    EntryFactory(catalogue=catalogue, category="joint", joint_departments=[saic])
    merge(users, saic, city)
    html = client.get(f"/departments/{city.dept_b.code}/catalogue/").content.decode()
    assert "Abolished on 2019-03-01; functions transferred to 测试市市场监督管理局" in html
