"""The cross-department checks: each kind of finding on a crafted data set, its near misses, the
draft checked before submitting, the review queue's counts, and a query count that does not grow
with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from basis.checks import (
    EntryRef,
    Finding,
    FindingKind,
    Ref,
    conflict_counts,
    findings,
    findings_for_catalogue,
    provisions_overlap,
)
from basis.models import BasisCatalogue, CatalogueEntry, InstrumentStatus, ManagementCategory
from organisations.models import SubjectKind
from workflow.review import ReviewStatus

from ..factories import OrganisationFactory
from .factories import CatalogueFactory, EntryFactory, InstrumentFactory

SOLE, JOINT, COORDINATED = ManagementCategory.SOLE, ManagementCategory.JOINT, ManagementCategory.COORDINATED


def ref(obj) -> Ref:
    return Ref(obj.pk, obj.name)


def entry_ref(entry) -> EntryRef:
    return EntryRef(entry.pk, entry.catalogue_id, entry.catalogue.department_id, entry.position)


@pytest.fixture
def law(db):
    return InstrumentFactory(name="测试市食品安全条例")


def in_city(city):
    return findings(scope_path=city.city.path)


# -- Provisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ({(12, 0, 0)}, {(12, 2, 0)}, {(12, 2, 0)}),
        ({(12, 2, 0)}, {(12, 3, 0)}, None),
        ({(12, 2, 0)}, {(12, 2, 4)}, {(12, 2, 4)}),
        ({(12, 0, 3)}, {(12, 2, 3)}, {(12, 2, 3)}),
        ({(12, 0, 3)}, {(12, 0, 4)}, None),
        ({(10, 0, 0)}, {(11, 0, 0)}, None),
        (set(), {(11, 0, 0)}, {(11, 0, 0)}),
        (set(), set(), set()),
    ],
)
def test_provisions_overlap(first, second, expected):
    assert provisions_overlap(frozenset(first), frozenset(second)) == expected
    assert provisions_overlap(frozenset(second), frozenset(first)) == expected


# -- 多头执法 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a_provisions, b_provisions, expected_labels",
    [
        ("第十条、第十二条", "第十二条第二款", ("第十二条第二款",)),
        ("", "第三条", ("第三条",)),
        ("", "", ()),
    ],
)
def test_multi_head_found(city, law, a_provisions, b_provisions, expected_labels):
    a = EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=law, provisions=a_provisions)
    b = EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_b, status=ReviewStatus.SUBMITTED),
        instrument=law,
        provisions=b_provisions,
    )

    assert in_city(city) == [
        Finding(
            kind=FindingKind.MULTI_HEAD,
            instrument=ref(law),
            departments=(ref(city.dept_a), ref(city.dept_b)),
            provisions=expected_labels,
            entries=(entry_ref(a), entry_ref(b)),
        )
    ]


def test_multi_head_message(city, law):
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=law)
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=law, provisions="第三条")

    with translation.override("en"):
        assert [f.message for f in in_city(city)] == [
            "测试市市场监督管理局, 测试市卫生健康委员会 each claim sole management of 测试市食品安全条例 (第三条)."
        ]


def _superseded_claim(city, law):
    """B claimed sole lead in version 1, and version 2 (published) no longer does."""
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b, status=ReviewStatus.SUPERSEDED), instrument=law)
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=InstrumentFactory())


@pytest.mark.parametrize(
    "b_claim",
    [
        pytest.param(lambda city, law: EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=law, provisions="第十一条"), id="disjoint-provisions"),
        pytest.param(lambda city, law: EntryFactory(catalogue=CatalogueFactory(department=city.dept_x1), instrument=law), id="other-jurisdiction"),
        pytest.param(lambda city, law: EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=law, category=JOINT, lead_department=city.dept_a, joint_departments=[city.dept_b]), id="b-joint-under-a"),
        pytest.param(lambda city, law: EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=law, lead_department=city.dept_a), id="b-names-a-as-lead"),
        pytest.param(lambda city, law: EntryFactory(catalogue=CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT), instrument=law), id="b-draft"),
        pytest.param(_superseded_claim, id="b-superseded"),
    ],
)
def test_multi_head_not_found(city, law, b_claim):
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=law, provisions="第十条")
    b_claim(city, law)

    assert [f for f in in_city(city) if f.kind == FindingKind.MULTI_HEAD] == []


@pytest.mark.parametrize("lead", ["itself", "principal"])
def test_multi_head_not_between_a_department_and_its_entrusted_body(city, law, lead):
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=law)
    EntryFactory(
        catalogue=CatalogueFactory(department=city.entrusted_a),
        instrument=law,
        lead_department=city.entrusted_a if lead == "itself" else city.dept_a,
    )

    assert in_city(city) == []


def test_multi_head_three_departments_pairwise(city, law):
    third = OrganisationFactory(parent=city.city, code="C-C", name="测试市生态环境局")
    a = EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=law, provisions="第一条")
    b = EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=law, provisions="第一条、第二条")
    c = EntryFactory(catalogue=CatalogueFactory(department=third), instrument=law, provisions="第二条")

    def finding(x, y, label):
        return Finding(
            kind=FindingKind.MULTI_HEAD,
            instrument=ref(law),
            departments=(ref(x.catalogue.department), ref(y.catalogue.department)),
            provisions=(label,),
            entries=(entry_ref(x), entry_ref(y)),
        )

    assert in_city(city) == [finding(a, b, "第一条"), finding(b, c, "第二条")]


# -- 交叉执法 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, partner_field",
    [(JOINT, "joint_departments"), (COORDINATED, "assisting_departments"), (JOINT, "assisting_departments")],
)
def test_cross_found(city, law, category, partner_field):
    other_law = InstrumentFactory()
    a = EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_a),
        instrument=law,
        provisions="第五条",
        category=category,
        **{partner_field: [city.dept_b, city.dept_x1]},
    )
    # B lists something else; county X's department does claim the instrument back, naming A
    # (an entry that did not name A would be a partner mismatch).
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=other_law)
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_x1), instrument=law, category=category, lead_department=city.dept_a
    )

    expected = Finding(
        kind=FindingKind.CROSS,
        instrument=ref(law),
        departments=(ref(city.dept_a), ref(city.dept_b)),
        provisions=("第五条",),
        entries=(entry_ref(a),),
    )
    assert in_city(city) == [expected]
    with translation.override("en"):
        assert expected.message == (
            "测试市市场监督管理局 names 测试市卫生健康委员会 as partner on 测试市食品安全条例 (第五条), "
            "but their current catalogue does not list it."
        )


def test_cross_partner_claim_only_in_a_draft_does_not_count(city, law):
    a = EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_a), instrument=law, category=JOINT, joint_departments=[city.dept_b]
    )
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT), instrument=law, category=JOINT)

    assert [(f.kind, f.department_ids, f.entry_ids) for f in in_city(city)] == [
        (FindingKind.CROSS, (city.dept_a.pk, city.dept_b.pk), (a.pk,))
    ]


def test_cross_partner_outside_the_scope_is_looked_up(city, law):
    """A county department naming a city one: the city department's catalogue is consulted
    even when only the county is checked."""
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_x1), instrument=law, category=JOINT, joint_departments=[city.dept_a]
    )
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=law, category=JOINT, joint_departments=[city.dept_x1])

    assert findings(scope_path=city.county_x.path) == []


@pytest.mark.parametrize(
    "b_category", [SOLE, JOINT, COORDINATED]
)
def test_cross_not_found_when_partner_claims_back(city, law, b_category):
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_a),
        instrument=law,
        category=JOINT,
        joint_departments=[city.dept_b],
        assisting_departments=[city.dept_a],  # naming oneself is not a partner
    )
    EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_b, status=ReviewStatus.UNDER_REVIEW),
        instrument=law,
        provisions="第九十条",
        category=b_category,
        lead_department=city.dept_a if b_category != SOLE else city.dept_b,
    )

    assert [f for f in in_city(city) if f.kind == FindingKind.CROSS] == []


# -- Repealed instruments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, found", [(InstrumentStatus.REPEALED, True), (InstrumentStatus.AMENDED, False), (InstrumentStatus.IN_FORCE, False)]
)
def test_repealed(city, status, found):
    law = InstrumentFactory(name="测试市旧条例", status=status)
    entry = EntryFactory(catalogue=CatalogueFactory(department=city.dept_b), instrument=law, provisions="第二条第一款")

    expected = Finding(
        kind=FindingKind.REPEALED,
        instrument=ref(law),
        departments=(ref(city.dept_b),),
        provisions=("第二条第一款",),
        entries=(entry_ref(entry),),
    )
    assert in_city(city) == ([expected] if found else [])
    with translation.override("en"):
        assert expected.message == "测试市卫生健康委员会 cites 测试市旧条例 (第二条第一款), which has been repealed."


# -- 越权执法 -----------------------------------------------------------------------------------


def test_ultra_vires_entrusted_organisation(city, law):
    """The entrusted body's own catalogue claims an instrument its principal (A) does not list."""
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=InstrumentFactory())
    entry = EntryFactory(catalogue=CatalogueFactory(department=city.entrusted_a), instrument=law)

    expected = Finding(
        kind=FindingKind.ULTRA_VIRES,
        instrument=ref(law),
        departments=(ref(city.entrusted_a), ref(city.dept_a)),
        provisions=(),
        entries=(entry_ref(entry),),
    )
    assert in_city(city) == [expected]
    with translation.override("en"):
        assert expected.message == (
            "测试市市场监管执法支队 enforces 测试市食品安全条例 (the whole instrument) as an entrusted "
            "organisation, but the current catalogue of its principal 测试市市场监督管理局 does not list it."
        )


def test_ultra_vires_entry_made_as_entrusted(city, law):
    """An entry enforcing on another organ's entrustment names that principal."""
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=InstrumentFactory())
    entry = EntryFactory(
        catalogue=CatalogueFactory(department=city.dept_b),
        instrument=law,
        provisions="第七条",
        subject_kind=SubjectKind.ENTRUSTED,
        principal=city.dept_a,
    )

    assert in_city(city) == [
        Finding(
            kind=FindingKind.ULTRA_VIRES,
            instrument=ref(law),
            departments=(ref(city.dept_b), ref(city.dept_a)),
            provisions=("第七条",),
            entries=(entry_ref(entry),),
        )
    ]


@pytest.mark.parametrize(
    "principal_status, found",
    [
        (ReviewStatus.PUBLISHED, False),
        (ReviewStatus.SUBMITTED, False),
        (ReviewStatus.DRAFT, True),
        (ReviewStatus.SUPERSEDED, True),
    ],
)
def test_ultra_vires_depends_on_the_principals_current_catalogue(city, law, principal_status, found):
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a, status=principal_status), instrument=law)
    EntryFactory(catalogue=CatalogueFactory(department=city.entrusted_a), instrument=law, category=JOINT, lead_department=city.dept_a)

    assert [f.kind for f in in_city(city)] == ([FindingKind.ULTRA_VIRES] if found else [])


# -- Duplicates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second, expected_labels",
    [
        ("第一条", "第一条", ("第一条",)),
        ("第一条、第三条", "第三条第二款", ("第三条第二款",)),
        ("", "第四条", ("第四条",)),
        ("第一条", "第二条", None),
    ],
)
def test_duplicates(city, law, first, second, expected_labels):
    catalogue = CatalogueFactory(department=city.dept_a)
    one = EntryFactory(catalogue=catalogue, instrument=law, provisions=first)
    two = EntryFactory(catalogue=catalogue, instrument=law, provisions=second, category=JOINT, joint_departments=[city.dept_a])

    expected = Finding(
        kind=FindingKind.DUPLICATE,
        instrument=ref(law),
        departments=(ref(city.dept_a),),
        provisions=expected_labels or (),
        entries=(entry_ref(one), entry_ref(two)),
    )
    assert in_city(city) == ([expected] if expected_labels is not None else [])


# -- A clean city, scope, drafts and the review queue -----------------------------------------


def test_clean_city_has_no_findings(city, law):
    """Every relationship done right: separate instruments, joint claims made back, the
    entrusted body within its principal's catalogue, a county department on the same law."""
    traffic, old = InstrumentFactory(), InstrumentFactory(status=InstrumentStatus.AMENDED)
    a = CatalogueFactory(department=city.dept_a)
    EntryFactory(catalogue=a, instrument=law, provisions="第一条")
    EntryFactory(catalogue=a, instrument=law, provisions="第二条")
    EntryFactory(catalogue=a, instrument=traffic, category=JOINT, joint_departments=[city.dept_b])
    EntryFactory(catalogue=a, instrument=old)
    b = CatalogueFactory(department=city.dept_b)
    EntryFactory(catalogue=b, instrument=traffic, category=JOINT, lead_department=city.dept_a, joint_departments=[city.dept_b])
    EntryFactory(catalogue=b, instrument=law, provisions="第三条")
    EntryFactory(
        catalogue=CatalogueFactory(department=city.entrusted_a),
        instrument=law,
        provisions="第一条",
        lead_department=city.dept_a,
        subject_kind=SubjectKind.ENTRUSTED,
        principal=city.dept_a,
    )
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_x1), instrument=law, provisions="第一条")

    assert in_city(city) == []


def test_scope_limits_the_entries_examined(city, law):
    x2 = OrganisationFactory(parent=city.county_x, code="X-2", name="甲县卫生健康局")
    for department in (city.dept_a, city.dept_b, city.dept_x1, x2):
        EntryFactory(catalogue=CatalogueFactory(department=department), instrument=law)

    assert [f.department_ids for f in in_city(city)] == [
        (city.dept_a.pk, city.dept_b.pk),
        (city.dept_x1.pk, x2.pk),
    ]
    assert [f.department_ids for f in findings(scope_path=city.county_x.path)] == [(city.dept_x1.pk, x2.pk)]
    assert findings(scope_path=city.county_y.path) == []


def test_draft_checked_before_submitting(city, law):
    published_a = CatalogueFactory(department=city.dept_a)
    EntryFactory(catalogue=published_a, instrument=law, provisions="第一条")
    published_b = CatalogueFactory(department=city.dept_b)
    EntryFactory(catalogue=published_b, instrument=law, provisions="第二条")
    draft_b = CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT)
    claim = EntryFactory(catalogue=draft_b, instrument=law, provisions="第一条")

    expected = [(FindingKind.MULTI_HEAD, (city.dept_a.pk, city.dept_b.pk), (published_a.entries.get().pk, claim.pk))]

    def summary(found):
        return [(f.kind, f.department_ids, f.entry_ids) for f in found]

    assert in_city(city) == []
    assert summary(findings(scope_path=city.city.path, extra_catalogue=draft_b)) == expected
    assert summary(findings_for_catalogue(draft_b)) == expected
    # A's published catalogue is in conflict only with B's draft, which is not current.
    assert findings_for_catalogue(published_a) == []
    assert findings_for_catalogue(published_b) == []


def test_findings_for_catalogue_include_claims_it_owes_others(city, law):
    """B's pre-submit check tells B that A names it as a partner on an instrument it lacks."""
    a = EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=law, category=JOINT, joint_departments=[city.dept_b])
    draft_b = CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT)
    EntryFactory(catalogue=draft_b, instrument=InstrumentFactory())

    assert [(f.kind, f.entry_ids) for f in findings_for_catalogue(draft_b)] == [(FindingKind.CROSS, (a.pk,))]
    EntryFactory(catalogue=draft_b, instrument=law, category=JOINT, lead_department=city.dept_a)
    assert findings_for_catalogue(draft_b) == []


def test_conflict_counts_for_the_review_queue(city, law):
    x2 = OrganisationFactory(parent=city.county_x, code="X-2", name="甲县卫生健康局")
    a = CatalogueFactory(department=city.dept_a, status=ReviewStatus.SUBMITTED)
    EntryFactory(catalogue=a, instrument=law)
    EntryFactory(catalogue=a, instrument=law, provisions="第二条")  # a duplicate too
    b = CatalogueFactory(department=city.dept_b, status=ReviewStatus.UNDER_REVIEW)
    EntryFactory(catalogue=b, instrument=law, provisions="第一条")
    x1 = CatalogueFactory(department=city.dept_x1, status=ReviewStatus.SUBMITTED)
    EntryFactory(catalogue=x1, instrument=law)
    clean = CatalogueFactory(department=x2, status=ReviewStatus.SUBMITTED)
    EntryFactory(catalogue=clean, instrument=InstrumentFactory())

    assert conflict_counts([a.pk, b.pk, x1.pk, clean.pk]) == {a.pk: 2, b.pk: 1, x1.pk: 0, clean.pk: 0}
    assert conflict_counts([]) == {}


# -- Query count ------------------------------------------------------------------------------


def _conflicts(city, copies: int):
    """``copies`` of every kind of finding, each on its own instrument."""
    a, b = CatalogueFactory(department=city.dept_a), CatalogueFactory(department=city.dept_b)
    entrusted = CatalogueFactory(department=city.entrusted_a)
    for _ in range(copies):
        law = InstrumentFactory()
        EntryFactory(catalogue=a, instrument=law, provisions="第一条")
        EntryFactory(catalogue=b, instrument=law, provisions="第一条、第二条")
        EntryFactory(catalogue=a, instrument=InstrumentFactory(), category=JOINT, joint_departments=[city.dept_b])
        EntryFactory(catalogue=b, instrument=InstrumentFactory(status=InstrumentStatus.REPEALED), provisions="第三条")
        EntryFactory(catalogue=entrusted, instrument=InstrumentFactory())
        twice = InstrumentFactory()
        EntryFactory(catalogue=a, instrument=twice)
        EntryFactory(catalogue=a, instrument=twice, provisions="第四条")
    return a


@pytest.mark.parametrize("check", ["findings", "findings_for_catalogue", "conflict_counts"])
def test_query_count_does_not_grow(city, check):
    def run(catalogue):
        with CaptureQueriesContext(connection) as queries:
            if check == "findings":
                found = len(findings(scope_path=city.city.path))
            elif check == "findings_for_catalogue":
                found = len(findings_for_catalogue(catalogue))
            else:
                found = conflict_counts([catalogue.pk])[catalogue.pk]
        return found, len(queries)

    small = run(_conflicts(city, 1))
    CatalogueEntry.objects.all().delete()
    BasisCatalogue.objects.all().delete()
    large = run(_conflicts(city, 6))

    assert small[0] * 6 == large[0] > 0
    assert small[1] == large[1]


# -- Focused checks and their cache -----------------------------------------------------------


def _province(city, law):
    """Every kind of finding, across jurisdictions: the city's departments, a county's, an
    entrusted body, a partner in another jurisdiction, a clean catalogue and a draft."""
    a = _conflicts(city, 2)
    b = BasisCatalogue.objects.get(department=city.dept_b)
    x1 = CatalogueFactory(department=city.dept_x1)
    EntryFactory(catalogue=x1, instrument=law, category=JOINT, joint_departments=[city.dept_a])
    EntryFactory(catalogue=x1, instrument=law, provisions="第一条")
    y1 = CatalogueFactory(department=city.dept_y1)
    EntryFactory(catalogue=y1, instrument=InstrumentFactory(), category=COORDINATED, assisting_departments=[city.dept_b])
    # B lists what A shares with it, but as its sole field: recorded differently.
    shared = InstrumentFactory()
    EntryFactory(catalogue=a, instrument=shared, category=JOINT, joint_departments=[city.dept_b])
    EntryFactory(catalogue=b, instrument=shared)
    draft = CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT)
    EntryFactory(catalogue=draft, instrument=law, provisions="第一条")
    return [a, b, x1, y1, BasisCatalogue.objects.get(department=city.entrusted_a)], draft


def test_focused_check_finds_what_the_whole_check_finds(city, law):
    """Each catalogue's focused check (the page's) reads only the departments it reaches, yet
    finds exactly the findings of the whole province's check that concern it."""
    current, draft = _province(city, law)
    everything = findings(scope_path="")
    assert {f.kind for f in everything} == set(FindingKind.values)
    for catalogue in current:
        expected = [f for f in everything if f.involves(catalogue)]
        assert findings_for_catalogue(catalogue) == expected, catalogue
    # A draft is checked as if it were current: as the whole check with it standing in.
    with_draft = findings(scope_path="", extra_catalogue=draft)
    assert findings_for_catalogue(draft) == [f for f in with_draft if f.involves(draft)] != []


def test_cached_counts_and_findings_agree_with_the_uncached_ones(city, law):
    from basis.checks import cached_conflict_counts, cached_findings_for_catalogues

    current, _draft = _province(city, law)
    ids = [catalogue.pk for catalogue in current]
    assert cached_conflict_counts(ids) == conflict_counts(ids)
    assert cached_findings_for_catalogues(current) == {c.pk: findings_for_catalogue(c) for c in current}
    # Served from the cache the second time: the same answer, and no check runs.
    with CaptureQueriesContext(connection) as queries:
        counts = cached_conflict_counts(ids)
    assert counts == conflict_counts(ids)
    assert not _checks_run(queries)


def _checks_run(queries) -> bool:
    return any("scope(" in q["sql"] for q in queries.captured_queries)


def test_cached_findings_follow_what_they_depend_on_and_only_that(city, law):
    """A catalogue's cached findings are checked again after a change to a catalogue they
    depend on (its jurisdiction's, a partner's, one naming its department), and not after a
    change elsewhere."""
    from basis.checks import cached_findings_for_catalogue

    a = CatalogueFactory(department=city.dept_a)
    EntryFactory(catalogue=a, instrument=law, provisions="第一条")
    b = CatalogueFactory(department=city.dept_b)
    y1 = CatalogueFactory(department=city.dept_y1)
    EntryFactory(catalogue=y1, instrument=InstrumentFactory())
    assert cached_findings_for_catalogue(a) == []

    # Elsewhere: county Y's department, which names nobody in the city.
    EntryFactory(catalogue=y1, instrument=law)
    y1.save()  # as the entry services do: they touch their catalogue
    with CaptureQueriesContext(connection) as queries:
        assert cached_findings_for_catalogue(a) == []
    assert not _checks_run(queries)

    # Same jurisdiction: B now claims the same provision.
    EntryFactory(catalogue=b, instrument=law, provisions="第一条")
    b.save()
    with CaptureQueriesContext(connection) as queries:
        assert [f.kind for f in cached_findings_for_catalogue(a)] == [FindingKind.MULTI_HEAD]
    assert _checks_run(queries)

    # Another jurisdiction naming A as partner on an instrument A does not list.
    other = InstrumentFactory()
    EntryFactory(catalogue=y1, instrument=other, category=JOINT, joint_departments=[city.dept_a])
    y1.save()
    assert sorted(f.kind for f in cached_findings_for_catalogue(a)) == sorted([FindingKind.MULTI_HEAD, FindingKind.CROSS])

    # The registry: the instrument repealed.
    law.status = InstrumentStatus.REPEALED
    law.save()
    assert FindingKind.REPEALED in {f.kind for f in cached_findings_for_catalogue(a)}
