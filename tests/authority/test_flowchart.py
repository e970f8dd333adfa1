import re

import pytest
from django.utils import translation

from authority.flowchart import procedure_svg

from .factories import BreakdownFactory, PostFactory, PowerFactory, step

STAGES = ["filing", "investigation", "review", "notice", "decision", "service", "execution"]


@pytest.mark.parametrize("count", [1, 12])
def test_flowchart_renders_every_step(city, count):
    power = PowerFactory(breakdown=BreakdownFactory(department=city.dept_a))
    post = PostFactory(agency=city.agency_a, name="案件审核岗")
    for order in range(1, count + 1):
        step(power, order, STAGES[(order - 1) % len(STAGES)], post=post, limit=order)
    with translation.override("en"):
        svg = procedure_svg(power.steps.select_related("stage", "post__agency").order_by("order"), title=power.name)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert len(re.findall(r'<g class="step"', svg)) == count
    assert len(re.findall(r"<line ", svg)) == count - 1
    assert "1. 立案" in svg and "案件审核岗" in svg and "1 working days" in svg
    if count == 12:
        assert "12. 决定" in svg
    height = int(re.search(r'height="(\d+)"', svg).group(1))
    assert height == 16 * 2 + count * 96 - 30


def test_flowchart_escapes_text_and_handles_no_steps(city):
    power = PowerFactory(breakdown=BreakdownFactory(department=city.dept_a), name="<script>")
    assert "<script>" not in procedure_svg([], title=power.name)
    post = PostFactory(agency=city.agency_a, name="A&B<岗>")
    step(power, 1, "filing", post=post, limit=None)
    svg = procedure_svg(power.steps.select_related("stage", "post__agency"))
    assert "A&amp;B&lt;岗&gt;" in svg and "<岗>" not in svg
