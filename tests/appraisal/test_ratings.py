"""Public satisfaction: the rating form on the portal, and the stuffing defences."""

import pytest
from django.core import signing
from django.test import override_settings
from django.urls import reverse

from appraisal.models import Rating, RatingAddressDay, RatingStatus
from appraisal.rating_services import TOKEN_SALT, rating_submit, rating_token
from appraisal.services import AppraisalError


def test_200_ratings_from_one_address_count_at_most_the_cap(city):
    accepted = refused = 0
    for _n in range(200):
        try:
            rating_submit(department=city.dept_a, token=rating_token(city.dept_a), stars=5, comment="", address="203.0.113.7")
            accepted += 1
        except AppraisalError:
            refused += 1
    assert accepted == 3 and refused == 197
    assert Rating.objects.filter(department=city.dept_a).count() == 3
    # The address itself is stored nowhere.
    assert not RatingAddressDay.objects.filter(address_hash__contains="203.0.113.7").exists()
    # Another address still may.
    rating_submit(department=city.dept_a, token=rating_token(city.dept_a), stars=4, comment="", address="198.51.100.1")


def test_a_replayed_token_is_refused(city):
    token = rating_token(city.dept_a)
    rating_submit(department=city.dept_a, token=token, stars=4, comment="好", address="203.0.113.7")
    with pytest.raises(AppraisalError):
        rating_submit(department=city.dept_a, token=token, stars=4, comment="好", address="198.51.100.2")
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("token", ["", "garbage", None])
def test_a_rating_without_a_valid_token_is_refused(city, token):
    with pytest.raises(AppraisalError):
        rating_submit(department=city.dept_a, token=token, stars=4, comment="", address="203.0.113.7")
    assert not Rating.objects.exists()


def test_a_token_for_another_department_or_expired_is_refused(city, monkeypatch):
    with pytest.raises(AppraisalError):
        rating_submit(department=city.dept_a, token=rating_token(city.dept_b), stars=4, comment="", address="203.0.113.7")
    old = signing.dumps({"d": city.dept_a.pk, "n": "x" * 32}, salt=TOKEN_SALT, compress=True)
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 7200)
    with pytest.raises(AppraisalError):
        rating_submit(department=city.dept_a, token=old, stars=4, comment="", address="203.0.113.7")


@override_settings(APPRAISAL_RATING_BURST=5, APPRAISAL_RATINGS_PER_ADDRESS_PER_DAY=1)
def test_a_burst_is_held_and_not_counted(city):
    for n in range(8):
        rating_submit(department=city.dept_a, token=rating_token(city.dept_a), stars=1, comment="", address=f"203.0.113.{n}")
    assert Rating.objects.filter(status=RatingStatus.COUNTED).count() == 5
    assert Rating.objects.filter(status=RatingStatus.HELD).count() == 3


def test_the_portal_form_takes_a_rating(client, city):
    url = reverse("portal:department_rate", args=[city.dept_a.code])
    page = client.get(url)
    assert page.status_code == 200
    token = page.context["form"].initial["token"]
    response = client.post(url, {"stars": "4", "comment": "办事快", "token": token,
                                 "captcha_0": _captcha_key(page), "captcha_1": "PASSED"})
    assert response.status_code == 200 and response.context["done"], response.context["form"].errors
    rating = Rating.objects.get()
    assert rating.stars == 4 and rating.comment == "办事快"
    again = client.post(url, {"stars": "4", "token": token, "captcha_0": _captcha_key(page), "captcha_1": "PASSED"})
    assert again.status_code == 400 and Rating.objects.count() == 1


def _captcha_key(page) -> str:
    import re

    return re.search(r'name="captcha_0" value="([^"]+)"', page.content.decode()).group(1)


def test_the_captcha_is_required(client, city):
    url = reverse("portal:department_rate", args=[city.dept_a.code])
    page = client.get(url)
    response = client.post(url, {"stars": "4", "token": page.context["form"].initial["token"], "captcha_0": _captcha_key(page), "captcha_1": "wrong"})
    assert not response.context["done"] and "captcha" in response.context["form"].errors
    assert not Rating.objects.exists()


def test_comments_are_not_published(client, city, users):
    rating_submit(department=city.dept_a, token=rating_token(city.dept_a), stars=2, comment="态度差的秘密评论", address="203.0.113.7")
    assert "秘密评论" not in client.get(reverse("portal:department", args=[city.dept_a.code])).content.decode()
    client.force_login(users.editor_a)
    assert "秘密评论" in client.get(reverse("appraisal:rating_index")).content.decode()
    client.force_login(users.editor_b)
    assert "秘密评论" not in client.get(reverse("appraisal:rating_index")).content.decode()
