"""Comparing two versions of a catalogue: added, removed and changed entries, field by field."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from basis import services
from basis.diff import EntryChange, FieldChange, catalogue_diff
from basis.models import ManagementCategory
from organisations.models import SubjectKind

from .factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions

JOINT = ManagementCategory.JOINT


def data_of(entry, **changes) -> services.EntryData:
    """The entry's data as the editor's form would send it, with ``changes``."""
    values = {
        "instrument": entry.instrument,
        "category": entry.category,
        "lead_department": entry.lead_department,
        "provisions": list(entry.provisions.all()),
        "joint_departments": list(entry.joint_departments.all()),
        "assisting_departments": list(entry.assisting_departments.all()),
        "rights_and_duties": entry.rights_and_duties,
        "subject_kind": entry.subject_kind,
        "principal": entry.principal,
    }
    return services.EntryData(**{**values, **changes})


@pytest.fixture
def versions(city, users):
    """Version 1 (published) of A's catalogue and version 2 started from it and edited."""
    laws = [InstrumentFactory(name=f"测试条例{n}") for n in range(7)]
    v1 = CatalogueFactory(department=city.dept_a)
    old = {
        "same": EntryFactory(catalogue=v1, instrument=laws[0], provisions="第一条"),
        "edited": EntryFactory(catalogue=v1, instrument=laws[1], provisions="第二条"),
        "dropped": EntryFactory(catalogue=v1, instrument=laws[2]),
        "twice-same": EntryFactory(catalogue=v1, instrument=laws[3], provisions="第一条"),
        "twice-edited": EntryFactory(catalogue=v1, instrument=laws[3], provisions="第五条、第六条"),
        "entrusted": EntryFactory(catalogue=v1, instrument=laws[4]),
        "lead": EntryFactory(catalogue=v1, instrument=laws[5], category=JOINT, lead_department=city.dept_a, assisting_departments=[city.dept_b]),
    }
    v2 = services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    new = {entry.instrument_id: entry for entry in v2.entries.all()}

    def edit(key, **changes):
        copy = next(e for e in v2.entries.all() if e.instrument_id == old[key].instrument_id and e.position == old[key].position)
        return services.entry_update(actor=users.editor_a, entry=copy, data=data_of(copy, **changes))

    new = {
        "edited": edit(
            "edited",
            provisions=provisions(laws[1], "第二条、第三条"),
            category=JOINT,
            joint_departments=[city.dept_b],
            rights_and_duties="依法实施行政许可",
        ),
        "twice-edited": edit("twice-edited", provisions=provisions(laws[3], "第六条、第七条")),
        "entrusted": edit("entrusted", subject_kind=SubjectKind.ENTRUSTED, principal=city.dept_b),
        "lead": edit("lead", lead_department=city.dept_b, assisting_departments=[]),
    }
    dropped = next(e for e in v2.entries.all() if e.instrument_id == laws[2].pk)
    services.entry_delete(actor=users.editor_a, entry=dropped)
    new["added"] = services.entry_create(
        actor=users.editor_a,
        catalogue=v2,
        data=services.EntryData(
            instrument=laws[6],
            category=ManagementCategory.SOLE,
            lead_department=city.dept_a,
            provisions=provisions(laws[6], "第九条"),
            joint_departments=[],
            assisting_departments=[],
        ),
    )
    return v1, v2, old, new


def test_diff_lists_added_removed_and_changed_field_by_field(city, versions):
    v1, v2, old, new = versions

    with translation.override("en"):
        diff = catalogue_diff(v1, v2)

        assert [e.pk for e in diff.added] == [new["added"].pk]
        assert [e.pk for e in diff.removed] == [old["dropped"].pk]
        assert diff.unchanged == 2  # "same" and "twice-same"
        assert diff.changed == [
            EntryChange(
                old=old["edited"],
                new=new["edited"],
                changes=[
                    FieldChange("provisions", "provisions", "第二条", "第二条, 第三条"),
                    FieldChange("category", "management category", "Sole management", "Joint management"),
                    FieldChange("joint_departments", "joint departments", "", "测试市卫生健康委员会"),
                    FieldChange("rights_and_duties", "statutory rights and duties", "依法实施监督检查", "依法实施行政许可"),
                ],
            ),
            EntryChange(
                old=old["twice-edited"],
                new=new["twice-edited"],
                changes=[FieldChange("provisions", "provisions", "第五条, 第六条", "第六条, 第七条")],
            ),
            EntryChange(
                old=old["entrusted"],
                new=new["entrusted"],
                changes=[
                    FieldChange("subject_kind", "enforcement subject kind", "Statutory administrative organ", "Entrusted organisation"),
                    FieldChange("principal", "entrusting principal", "", "测试市卫生健康委员会"),
                ],
            ),
            EntryChange(
                old=old["lead"],
                new=new["lead"],
                changes=[
                    FieldChange("lead_department", "lead department", "测试市市场监督管理局", "测试市卫生健康委员会"),
                    FieldChange("assisting_departments", "assisting departments", "测试市卫生健康委员会", ""),
                ],
            ),
        ]
        assert not diff.is_empty


def test_diff_the_other_way_round_swaps_added_and_removed(versions):
    v1, v2, old, new = versions

    diff = catalogue_diff(v2, v1)

    assert [e.pk for e in diff.added] == [old["dropped"].pk]
    assert [e.pk for e in diff.removed] == [new["added"].pk]
    assert [(c.old.pk, c.new.pk) for c in diff.changed] == [
        (new[key].pk, old[key].pk) for key in ("edited", "twice-edited", "entrusted", "lead")
    ]


def test_a_version_started_from_another_differs_in_nothing(city, users):
    v1 = CatalogueFactory(department=city.dept_a)
    law = InstrumentFactory()
    EntryFactory(catalogue=v1, instrument=law, provisions="第一条")
    EntryFactory(catalogue=v1, instrument=law, provisions="第二条", category=JOINT, joint_departments=[city.dept_b])
    v2 = services.catalogue_start(actor=users.editor_a, department=city.dept_a)

    diff = catalogue_diff(v1, v2)

    assert diff.is_empty
    assert diff.unchanged == 2


@pytest.mark.parametrize(
    "old_provisions, new_provisions, expected",
    [
        # An instrument listed twice: entries pair by identical provisions, then by the most in
        # common; what is left over is added or removed.
        (["第一条", "第二条"], ["第二条", "第一条"], ([], [], [])),
        (["第一条", "第二条"], ["第二条", "第三条"], ([], [], [("第一条", "第三条")])),
        (["第一条", "第二条、第三条"], ["第一条", "第三条、第四条", "第九条"], (["第九条"], [], [("第二条, 第三条", "第三条, 第四条")])),
        (["第一条", "第二条", "第三条"], ["第二条"], ([], ["第一条", "第三条"], [])),
    ],
)
def test_repeated_instrument_matched_by_provisions(city, old_provisions, new_provisions, expected):
    law = InstrumentFactory()
    v1 = CatalogueFactory(department=city.dept_a)
    v2 = CatalogueFactory(department=city.dept_a)
    for text in old_provisions:
        EntryFactory(catalogue=v1, instrument=law, provisions=text)
    for text in new_provisions:
        EntryFactory(catalogue=v2, instrument=law, provisions=text)

    with translation.override("en"):
        diff = catalogue_diff(v1, v2)
        labels = lambda entries: [", ".join(p.label for p in e.provisions.all()) for e in entries]  # noqa: E731
        assert (
            labels(diff.added),
            labels(diff.removed),
            [(c.changes[0].old, c.changes[0].new) for c in diff.changed],
        ) == expected


def test_versions_of_different_departments_are_not_compared(city):
    with pytest.raises(ValueError):
        catalogue_diff(CatalogueFactory(department=city.dept_a), CatalogueFactory(department=city.dept_b))


def test_query_count_does_not_grow(city):
    def build(size):
        v1, v2 = CatalogueFactory(department=city.dept_a), CatalogueFactory(department=city.dept_a)
        for _ in range(size):
            law = InstrumentFactory()
            EntryFactory(catalogue=v1, instrument=law, provisions="第一条", joint_departments=[city.dept_b])
            EntryFactory(catalogue=v2, instrument=law, provisions="第二条", assisting_departments=[city.dept_b])
            EntryFactory(catalogue=v2, instrument=InstrumentFactory())
        return v1, v2

    def count(v1, v2):
        with CaptureQueriesContext(connection) as queries:
            diff = catalogue_diff(v1, v2)
        return len(diff.changed), len(diff.added), len(queries)

    small, large = count(*build(2)), count(*build(8))
    assert small[:2] == (2, 2) and large[:2] == (8, 8)
    assert small[2] == large[2]
