"""The supervision and complaint telephones of an organisation: edited where organisations are
edited (validated, audited), shown on the portal's department page and printed on the
bulletin sheet (tests/responsibility/test_disclosure_print.py)."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from organisations.forms import OrganisationForm
from organisations.services import organisation_update


def test_the_telephones_are_edited_and_audited(city, users):
    organisation_update(
        organisation=city.dept_a, actor=users.establishment, complaint_phone="0571-87654321", supervision_phone="12345、0571-12345678"
    )
    city.dept_a.refresh_from_db()
    assert (city.dept_a.complaint_phone, city.dept_a.supervision_phone) == ("0571-87654321", "12345、0571-12345678")
    event = AuditEvent.objects.filter(object_id=str(city.dept_a.pk)).order_by("-id").first()
    assert event.detail["fields"] == ["complaint_phone", "supervision_phone"]


@pytest.mark.parametrize("phone", ["请拨打12345", "javascript:alert(1)", "12345<script>"])
def test_a_telephone_that_is_not_a_number_is_refused_and_nothing_is_saved(city, phone):
    with pytest.raises(ValidationError) as error:
        organisation_update(organisation=city.dept_a, complaint_phone=phone, name="改名不应保存")
    assert "complaint_phone" in error.value.message_dict
    city.dept_a.refresh_from_db()
    assert city.dept_a.complaint_phone == "" and city.dept_a.name != "改名不应保存"


def test_the_edit_form_offers_the_telephones(city):
    form = OrganisationForm(instance=city.dept_a)
    assert {"complaint_phone", "supervision_phone"} <= set(form.fields)


def test_the_portal_department_page_shows_the_telephones(city, client):
    city.dept_a.complaint_phone = "0571-87654321"
    city.dept_a.supervision_phone = "12345"
    city.dept_a.save()
    response = client.get(f"/departments/{city.dept_a.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "0571-87654321" in body and "12345" in body
