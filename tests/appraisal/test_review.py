"""Case-file review: the rubric's arithmetic, its validation, the draw and the reviewers."""

from decimal import Decimal

import pytest

from accounts.models import Role
from appraisal import review_services as rs
from appraisal.models import FileReview, ReviewStatus
from appraisal.services import AppraisalError
from tests.factories import UserFactory

from .conftest import case_file


def _faults(rubric, **by_text):
    return {item.pk: by_text.get(item.text, 0) for item in rubric.items.all()}


def test_a_veto_item_fails_the_file_with_zero(penalty_rubric):
    veto = penalty_rubric.items.filter(is_veto=True).first()
    assert rs.file_score(penalty_rubric, {veto.pk: 1}) == (Decimal("0.00"), True)
    assert rs.file_score(penalty_rubric, {}) == (Decimal("100.00"), False)


def test_deductions_stop_at_zero_per_section(penalty_rubric):
    form_item = penalty_rubric.items.get(text="案卷未按规定装订、编页")  # form section, 20 points, 2 per fault
    content_item = penalty_rubric.items.get(text="调查取证不充分")  # content, 80 points, 10 per fault
    assert rs.file_score(penalty_rubric, {form_item.pk: 3})[0] == Decimal("94.00")
    # 50 faults × 2 = 100 deducted from a 20-point section: the section is 0, not −80.
    assert rs.file_score(penalty_rubric, {form_item.pk: 50})[0] == Decimal("80.00")
    assert rs.file_score(penalty_rubric, {form_item.pk: 50, content_item.pk: 9})[0] == Decimal("0.00")


@pytest.mark.parametrize(
    "sections, items, fragment",
    [
        ([{"name": "形式", "max_points": 20}, {"name": "内容", "max_points": 79}], [], "99"),
        ([{"name": "形式", "max_points": 20}, {"name": "内容", "max_points": 80}],
         [{"text": "扣分过多", "section": 0, "deduction": 21}], "扣分过多"),
        ([{"name": "形式", "max_points": 20}, {"name": "内容", "max_points": 80}],
         [{"text": "无分区", "section": None, "deduction": 2}], "无分区"),
    ],
)
def test_a_bad_rubric_is_refused_and_nothing_saved(users, sections, items, fragment):
    from appraisal.models import Rubric

    before = Rubric.objects.count()
    with pytest.raises(AppraisalError) as refused:
        rs.rubric_create(actor=users.city_reviewer, case_kind="penalty", name="坏标准", sections=sections, items=items)
    assert fragment in str(refused.value)
    assert Rubric.objects.count() == before


def test_a_rubric_at_its_edges_is_accepted(users):
    rubric = rs.rubric_create(
        actor=users.city_reviewer, case_kind="penalty", name="边界", sections=[{"name": "形式", "max_points": 20}, {"name": "内容", "max_points": 80}],
        items=[{"text": "一次扣满", "section": 0, "deduction": 20}, {"text": "否决", "is_veto": True}],
    )
    assert rubric.version == 2


def test_the_draw_is_reproducible_from_its_seed(users, city, penalty_rubric):
    for n in range(8):
        case_file(city.dept_a, f"A-{n}")
        case_file(city.dept_b, f"B-{n}")
    first = rs.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=3, seed="s-42")
    second = rs.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=3, seed="s-42")
    files = lambda draw: sorted(draw.reviews.values_list("case_file__number", flat=True))  # noqa: E731
    assert files(first) == files(second)
    assert first.reviews.filter(department=city.dept_a).count() == 3
    assert first.reviews.filter(department=city.dept_b).count() == 3


def test_a_reviewer_may_not_review_his_own_department(users, city, penalty_rubric):
    case_file(city.dept_a, "A-1")
    draw = rs.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=1, seed="x")
    review = draw.reviews.get()
    with pytest.raises(AppraisalError):
        rs.review_assign(actor=users.city_reviewer, review=review, reviewer=users.editor_a)
    review.refresh_from_db()
    assert review.reviewer_id is None
    # Someone of the agency under the department is of the department too.
    agency_user = UserFactory(role=Role.DEPARTMENT_EDITOR, organisation=city.dept_a)
    with pytest.raises(AppraisalError):
        rs.review_assign(actor=users.city_reviewer, review=review, reviewer=agency_user)
    rs.review_assign(actor=users.city_reviewer, review=review, reviewer=users.editor_b)


def test_scoring_answer_and_finalise(users, city, penalty_rubric):
    case_file(city.dept_a, "A-1")
    draw = rs.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=1, seed="x")
    review = rs.review_assign(actor=users.city_reviewer, review=draw.reviews.get(), reviewer=users.editor_b)
    item = penalty_rubric.items.get(text="调查取证不充分")
    review = rs.review_score(actor=users.editor_b, review=review, faults={item.pk: 2}, notes={item.pk: "询问笔录缺失"})
    assert review.score == Decimal("80.00") and review.status == ReviewStatus.SCORED
    assert review.item_scores.get().note == "询问笔录缺失"
    rs.review_answer(actor=users.editor_a, review=review, answer="已补充说明")
    review = rs.review_finalise(actor=users.city_reviewer, review=review)
    assert review.status == ReviewStatus.FINAL
    with pytest.raises(Exception):
        rs.review_score(actor=users.editor_b, review=review, faults={}, notes={})


def test_a_score_for_an_item_outside_the_files_rubric_is_refused(users, city, penalty_rubric):
    from appraisal.models import Rubric

    case_file(city.dept_a, "A-1")
    draw = rs.draw_create(actor=users.city_reviewer, jurisdiction=city.city, year=2026, per_department=1, seed="x")
    review = rs.review_assign(actor=users.city_reviewer, review=draw.reviews.get(), reviewer=users.editor_b)
    other = Rubric.objects.get(case_kind="licensing").items.first()
    with pytest.raises(AppraisalError):
        rs.review_score(actor=users.editor_b, review=review, faults={other.pk: 1}, notes={})
    assert FileReview.objects.get(pk=review.pk).score is None
