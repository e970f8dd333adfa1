"""A procedure step without a post is a completeness finding for the office, never a
placeholder on a public page (the portal's power page and its flowchart)."""

from django.utils import translation

from authority.flowchart import procedure_svg
from authority.selectors import steps_of
from tests.authority.factories import step


def test_the_public_power_page_prints_no_placeholder_for_a_step_without_a_post(published, client):
    step(published.power, 3, "service", post=None, limit=7)
    response = client.get(f"/departments/{published.power.breakdown.department.code}/powers/{published.power.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "(no post)" not in body and "未指定岗位" not in body
    assert body.count('data-order="3"') >= 1  # the step itself is shown


def test_the_back_office_flowchart_still_says_no_post(published):
    step(published.power, 3, "service", post=None, limit=7)
    with translation.override("en"):
        assert "(no post)" in procedure_svg(steps_of(published.power))
        assert "(no post)" not in procedure_svg(steps_of(published.power), public=True)
