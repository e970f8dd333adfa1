"""Joint review with the establishment office (会同, §3(二), §5(三) of the city plan): it hears of
each submission, gives its opinion on the catalogue and on entries, and a jurisdiction may make
approval wait for that opinion."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from basis import permissions as basis_perms
from basis import services
from basis.models import EstablishmentOpinion, JurisdictionReviewSetting, OpinionVerdict
from tests.factories import UserFactory
from workflow.review import ReviewStatus, WorkflowError

from .factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions

S = ReviewStatus
FOOD = "中华人民共和国食品安全法"


@pytest.fixture
def reviewers(city, users):
    """Every office's people, with real-looking addresses: the city's two offices, county X's two,
    and a deactivated establishment reviewer who must hear nothing."""
    for user, address in [
        (users.city_reviewer, "fzb.shenhe@cs.gov.cn"),
        (users.county_reviewer, "fzb@jiaxian.gov.cn"),
        (users.establishment, "bianban.shenhe@cs.gov.cn"),
    ]:
        user.email = address
        user.save(update_fields=["email"])
    return {
        "county_establishment": UserFactory(
            username="county_establishment", role=Role.ESTABLISHMENT_REVIEWER,
            organisation=city.county_x_establishment, email="bianban@jiaxian.gov.cn",
        ),
        "retired": UserFactory(
            username="retired_establishment", role=Role.ESTABLISHMENT_REVIEWER,
            organisation=city.city_establishment, email="tuixiu@cs.gov.cn", is_active=False,
        ),
    }


def catalogue_in(department, status, entries=1):
    instrument = InstrumentFactory(name=FOOD, code=f"FOOD-{department.code}")
    provisions(instrument, "第三十五条、第一百二十二条")
    catalogue = CatalogueFactory(department=department, status=status)
    for _ in range(entries):
        EntryFactory(catalogue=catalogue, instrument=instrument, provisions="第三十五条",
                     rights_and_duties="对未取得食品生产经营许可从事食品生产经营活动的，予以处罚。")
    return catalogue


def require_opinion(jurisdiction, required=True):
    JurisdictionReviewSetting.objects.update_or_create(
        jurisdiction=jurisdiction, defaults={"establishment_opinion_required": required}
    )


# -- Notification ---------------------------------------------------------------------------------


def test_submission_reaches_the_establishment_office_of_its_jurisdiction_only(
    city, users, reviewers, django_capture_on_commit_callbacks
):
    catalogue = catalogue_in(city.dept_a, S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    # The city's two offices; not county X's, not the deactivated account.
    assert recipients == ["bianban.shenhe@cs.gov.cn", "fzb.shenhe@cs.gov.cn"]
    to_establishment = next(m for m in mail.outbox if m.to == ["bianban.shenhe@cs.gov.cn"])
    assert city.dept_a.name in to_establishment.subject


def test_a_county_submission_reaches_the_county_establishment_office(
    city, users, reviewers, django_capture_on_commit_callbacks
):
    catalogue = catalogue_in(city.dept_x1, S.DRAFT)
    editor = UserFactory(role=Role.DEPARTMENT_EDITOR, organisation=city.dept_x1)
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_submit(actor=editor, catalogue=catalogue)
    assert sorted(a for m in mail.outbox for a in m.to) == ["bianban@jiaxian.gov.cn", "fzb@jiaxian.gov.cn"]


# -- Opinions ----------------------------------------------------------------------------------


def test_opinions_on_the_catalogue_and_on_an_entry(city, users):
    catalogue = catalogue_in(city.dept_a, S.SUBMITTED, entries=2)
    entry = catalogue.entries.first()
    services.establishment_opinion_add(
        actor=users.establishment, catalogue=catalogue, entry=entry, verdict=OpinionVerdict.DISAGREE,
        text="该事项属于县级市场监管部门职责，建议调整承办主体。",
    )
    services.establishment_opinion_add(
        actor=users.establishment, catalogue=catalogue, verdict=OpinionVerdict.AGREE_WITH_REMARKS,
        text="总体同意；第2项请与卫健委会商。",
    )
    assert [(o.entry_id, o.verdict) for o in EstablishmentOpinion.objects.filter(catalogue=catalogue)] == [
        (entry.pk, "disagree"), (None, "agree_with_remarks"),
    ]
    assert services.establishment_opinion_on(catalogue).verdict == "agree_with_remarks"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="basis.basiscatalogue", object_id=str(catalogue.pk)
    ).count() == 2


@pytest.mark.parametrize("verdict", ["agree_with_remarks", "disagree"])
def test_remarks_and_disagreement_say_why(city, users, verdict):
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    with pytest.raises(WorkflowError):
        services.establishment_opinion_add(actor=users.establishment, catalogue=catalogue, verdict=verdict, text="　 ")
    assert not EstablishmentOpinion.objects.exists()


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.APPROVED, S.PUBLISHED])
def test_no_opinion_outside_review(city, users, status):
    catalogue = catalogue_in(city.dept_a, status)
    with pytest.raises(WorkflowError):
        services.establishment_opinion_add(actor=users.establishment, catalogue=catalogue, verdict="agree")


def test_an_entry_of_another_catalogue_is_refused(city, users):
    catalogue = catalogue_in(city.dept_a, S.SUBMITTED)
    other = catalogue_in(city.dept_b, S.SUBMITTED)
    with pytest.raises(WorkflowError):
        services.establishment_opinion_add(
            actor=users.establishment, catalogue=catalogue, verdict="agree", entry=other.entries.first()
        )


@pytest.mark.parametrize(
    ("who", "department", "allowed"),
    [
        ("establishment", "dept_a", True),
        ("establishment", "dept_x1", False),  # the city's office does not speak for a county
        ("county_establishment", "dept_x1", True),
        ("county_establishment", "dept_a", False),
        ("city_reviewer", "dept_a", False),  # the legal-affairs office comments, it does not opine
        ("county_reviewer", "dept_x1", False),
        ("editor_a", "dept_a", False),
        ("head_a", "dept_a", False),
        ("sysadmin", "dept_a", False),
    ],
)
def test_who_gives_an_opinion(city, users, reviewers, who, department, allowed):
    user = reviewers.get(who) or getattr(users, who)
    catalogue = catalogue_in(getattr(city, department), S.SUBMITTED)
    assert basis_perms.can_give_establishment_opinion(user, catalogue) is allowed
    if allowed:
        services.establishment_opinion_add(actor=user, catalogue=catalogue, verdict="agree")
    else:
        with pytest.raises(PermissionDenied):
            services.establishment_opinion_add(actor=user, catalogue=catalogue, verdict="agree")
    assert EstablishmentOpinion.objects.count() == (1 if allowed else 0)


def api(user):
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_the_api_scopes_opinions_like_the_catalogue(city, users, reviewers):
    city_catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    url = f"/api/basis/catalogues/{city_catalogue.pk}/establishment-opinions/"
    entry = city_catalogue.entries.first()

    created = api(users.establishment).post(url, {"verdict": "agree_with_remarks", "text": "同意，请补充委托依据。", "entry": entry.pk}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["entry"] == entry.pk

    # The county's establishment office does not see a city catalogue: 404, as if it did not exist.
    assert api(reviewers["county_establishment"]).post(url, {"verdict": "agree"}, format="json").status_code == 404
    assert api(reviewers["county_establishment"]).get(url).status_code == 404
    # The legal-affairs office sees it and reads the opinions, but records none: 403.
    assert api(users.city_reviewer).post(url, {"verdict": "agree"}, format="json").status_code == 403
    listed = api(users.city_reviewer).get(url)
    assert listed.status_code == 200
    assert [o["verdict"] for o in listed.json()["results"]] == ["agree_with_remarks"]
    # Without a reason a disagreement is refused, and nothing is saved.
    refused = api(users.establishment).post(url, {"verdict": "disagree", "text": ""}, format="json")
    assert refused.status_code == 409
    assert EstablishmentOpinion.objects.count() == 1


def test_the_page_refuses_the_wrong_office(city, users, reviewers):
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    url = f"/office/basis/catalogues/{catalogue.pk}/opinion/"
    county = Client()
    county.force_login(reviewers["county_establishment"])
    assert county.post(url, {"verdict": "agree"}).status_code == 404
    office = Client()
    office.force_login(users.city_reviewer)
    assert office.post(url, {"verdict": "agree"}).status_code == 403
    establishment = Client()
    establishment.force_login(users.establishment)
    assert establishment.post(url, {"verdict": "agree", "text": ""}).status_code == 302
    assert EstablishmentOpinion.objects.get().author == users.establishment


def test_the_review_page_shows_opinions_and_history(city, users):
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    entry = catalogue.entries.first()
    services.establishment_opinion_add(actor=users.establishment, catalogue=catalogue, entry=entry,
                                       verdict="disagree", text="该事项已划转至综合行政执法局。")
    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(users.city_reviewer)
    response = office.get(f"/office/basis/catalogues/{catalogue.pk}/")
    page = response.content.decode()
    assert page.count("该事项已划转至综合行政执法局。") == 2  # beside the entry, and in the history
    assert "Record the opinion" not in page  # the legal-affairs office has no form
    establishment = Client(HTTP_ACCEPT_LANGUAGE="en")
    establishment.force_login(users.establishment)
    assert "Record the opinion" in establishment.get(f"/office/basis/catalogues/{catalogue.pk}/").content.decode()


# -- Approval --------------------------------------------------------------------------------------


def test_approval_waits_for_a_required_opinion(city, users):
    require_opinion(city.city)
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    with pytest.raises(WorkflowError, match="establishment office has not given its opinion"):
        services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue)
    catalogue.refresh_from_db()
    assert catalogue.status == S.UNDER_REVIEW
    # An opinion on an entry is not the opinion on the catalogue.
    services.establishment_opinion_add(actor=users.establishment, catalogue=catalogue,
                                       entry=catalogue.entries.first(), verdict="agree")
    with pytest.raises(WorkflowError):
        services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue)
    services.establishment_opinion_add(actor=users.establishment, catalogue=catalogue, verdict="agree")
    assert services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue).status == S.APPROVED


def test_without_the_setting_approval_does_not_wait(city, users):
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    assert services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue).status == S.APPROVED


def test_the_setting_is_per_jurisdiction(city, users):
    require_opinion(city.county_x)  # county X requires it; the city does not
    city_catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    county_catalogue = catalogue_in(city.dept_x1, S.UNDER_REVIEW)
    assert services.catalogue_approve(actor=users.city_reviewer, catalogue=city_catalogue).status == S.APPROVED
    with pytest.raises(WorkflowError):
        services.catalogue_approve(actor=users.county_reviewer, catalogue=county_catalogue)


def test_an_opinion_before_a_resubmission_no_longer_counts(city, users, django_capture_on_commit_callbacks):
    require_opinion(city.city)
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    services.establishment_opinion_add(actor=users.establishment, catalogue=catalogue, verdict="agree")
    services.catalogue_return(actor=users.city_reviewer, catalogue=catalogue, comment="请补充委托执法依据")
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_submit(actor=users.editor_a, catalogue=catalogue)
    services.catalogue_start_review(actor=users.city_reviewer, catalogue=catalogue)
    with pytest.raises(WorkflowError):
        services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue)


def test_a_disagreement_is_overridden_only_with_a_reason(city, users):
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    services.establishment_opinion_add(actor=users.establishment, catalogue=catalogue, verdict="disagree",
                                       text="第1项职责与“三定”规定不符。")
    with pytest.raises(WorkflowError, match="disagrees"):
        services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue)
    approved = services.catalogue_approve(actor=users.city_reviewer, catalogue=catalogue,
                                          comment="经会商，该项职责由市政府文件另行明确，予以通过。")
    assert approved.status == S.APPROVED
    assert approved.events.last().comment == "经会商，该项职责由市政府文件另行明确，予以通过。"


def test_the_api_approval_carries_the_reason(city, users):
    catalogue = catalogue_in(city.dept_a, S.UNDER_REVIEW)
    services.establishment_opinion_add(actor=users.establishment, catalogue=catalogue, verdict="disagree", text="不同意")
    url = f"/api/basis/catalogues/{catalogue.pk}/approve/"
    assert api(users.city_reviewer).post(url, {}, format="json").status_code == 409
    assert api(users.city_reviewer).post(url, {"comment": "已会商一致"}, format="json").status_code == 200


# -- Settings page and home page ---------------------------------------------------------------


def test_the_office_sets_its_own_jurisdictions_setting(city, users, reviewers):
    office = Client()
    office.force_login(users.county_reviewer)
    assert office.post("/office/basis/review-settings/", {"establishment_opinion_required": "on"}).status_code == 302
    assert JurisdictionReviewSetting.objects.get().jurisdiction == city.county_x
    assert services.establishment_opinion_required(city.county_x.pk)
    assert not services.establishment_opinion_required(city.city.pk)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="basis.jurisdictionreviewsetting").exists()
    for key in ("establishment", "editor_a"):
        other = Client()
        other.force_login(getattr(users, key))
        assert other.get("/office/basis/review-settings/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.review_setting_update(actor=users.county_reviewer, jurisdiction=city.city, establishment_opinion_required=True)


def test_the_home_page_count_matches_the_list_it_links_to(city, users, reviewers):
    waiting = catalogue_in(city.dept_a, S.SUBMITTED)
    answered = catalogue_in(city.dept_b, S.UNDER_REVIEW)
    services.establishment_opinion_add(actor=users.establishment, catalogue=answered, verdict="agree")
    catalogue_in(city.dept_x1, S.SUBMITTED)  # the county's establishment office's, not the city's
    CatalogueFactory(department=city.dept_a, status=S.PUBLISHED, version=0)

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users.establishment)
    client.post("/i18n/setlang/", {"language": "en"})
    home = client.get("/office/")
    [item] = [i for i in home.context["awaiting"] if str(i["label"]) == "Catalogues awaiting your office's opinion"]
    assert item["count"] == 1
    listed = client.get("/office/basis/catalogues/?awaiting=opinion")
    assert [c.pk for c in listed.context["page"].object_list] == [waiting.pk]
    assert "?awaiting=opinion" in home.content.decode()

    with pytest.raises(Http404):
        from accounts import permissions as perms

        perms.get_visible_or_404(reviewers["county_establishment"], basis_perms.catalogues_visible_to(reviewers["county_establishment"]), pk=waiting.pk)
