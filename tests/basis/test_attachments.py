"""Files attached to catalogue entries and instruments: stored under a random name, handed out
only through the scoped views under the name they were uploaded with (issue 11)."""

import importlib
import re
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from audit.models import AuditAction, AuditEvent
from basis.models import BasisCatalogue, LegalInstrument
from workflow.review import ReviewStatus

from .factories import CatalogueFactory, EntryFactory, InstrumentFactory

NAME = "食品安全法全文.pdf"
PDF = b"%PDF-1.7 the electronic text"


def _as(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def catalogue(city, users):
    """A draft of department A whose entry got its electronic text through the editor's form."""
    catalogue = CatalogueFactory(department=city.dept_a, status=ReviewStatus.DRAFT)
    entry = EntryFactory(catalogue=catalogue, instrument=InstrumentFactory(name="中华人民共和国食品安全法"))
    response = _as(users.editor_a).post(
        f"/office/basis/catalogues/{catalogue.pk}/entries/{entry.pk}/",
        {"instrument": entry.instrument_id, "category": "sole", "lead_department": city.dept_a.pk,
         "subject_kind": "statutory_organ", "attachment": SimpleUploadedFile(NAME, PDF)},
    )
    assert response.status_code == 302, response.content[:1000]
    return catalogue


def _url(catalogue):
    return f"/office/basis/catalogues/{catalogue.pk}/entries/{catalogue.entries.get().pk}/text/"


def test_the_stored_name_is_a_random_token_and_the_uploaded_name_is_kept(catalogue):
    entry = catalogue.entries.get()
    assert entry.attachment_name == NAME
    assert re.fullmatch(r"catalogue-entries/[A-Za-z0-9_-]{32}\.pdf", entry.attachment.name), entry.attachment.name
    assert "食品安全法" not in entry.attachment.name


@pytest.mark.parametrize("status, who, expected", [
    (ReviewStatus.DRAFT, "editor_a", 200),
    (ReviewStatus.DRAFT, "head_a", 200),
    (ReviewStatus.DRAFT, "editor_b", 404),
    (ReviewStatus.DRAFT, "city_reviewer", 404),  # drafts are the department's alone
    (ReviewStatus.SUBMITTED, "city_reviewer", 200),  # the competent office
    (ReviewStatus.SUBMITTED, "editor_b", 404),
    (ReviewStatus.SUBMITTED, "county_reviewer", 404),
    (ReviewStatus.SUBMITTED, "sysadmin", 403),
])
def test_the_electronic_text_goes_to_those_who_see_the_catalogue(catalogue, users, status, who, expected):
    BasisCatalogue.objects.filter(pk=catalogue.pk).update(status=status)
    response = _as(getattr(users, who)).get(_url(catalogue))
    assert response.status_code == expected
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=getattr(users, who))
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].endswith("filename*=utf-8''" + quote(NAME))
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert exports.count() == 1
    else:
        assert not exports.exists()


def test_anonymous_users_are_sent_to_log_in(catalogue, client):
    response = client.get(_url(catalogue))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@override_settings(MEDIA_ACCEL_REDIRECT_PREFIX="/protected-media/")
def test_behind_nginx_the_view_answers_with_x_accel_redirect(catalogue, users):
    entry = catalogue.entries.get()
    response = _as(users.editor_a).get(_url(catalogue))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{entry.attachment.name}"
    assert response.content == b""
    assert response["Content-Disposition"].endswith(quote(NAME))


def test_the_catalogue_page_links_the_scoped_view_not_the_storage(catalogue, users):
    page = _as(users.editor_a).get(f"/office/basis/catalogues/{catalogue.pk}/").content.decode()
    assert _url(catalogue) in page
    assert "/media/" not in page


@pytest.fixture
def instrument(db):
    instrument = InstrumentFactory(name="中华人民共和国行政处罚法")
    instrument.attachment.save(LegalInstrument.attachment.field.upload_to(instrument, "行政处罚法.pdf"), ContentFile(PDF))
    instrument.attachment_name = "行政处罚法.pdf"
    instrument.save()
    return instrument


@pytest.mark.parametrize("who, expected", [("editor_b", 200), ("city_reviewer", 200), ("auditadmin", 403)])
def test_an_instruments_attachment_goes_to_those_who_read_the_registry(instrument, users, who, expected):
    client = _as(getattr(users, who))
    response = client.get(f"/office/basis/instruments/{instrument.pk}/attachment/")
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].endswith(quote("行政处罚法.pdf"))
        page = client.get(f"/office/basis/instruments/{instrument.pk}/").content.decode()
        assert f"/office/basis/instruments/{instrument.pk}/attachment/" in page and "/media/" not in page


def test_the_instrument_form_shows_the_current_file_by_its_name_and_scoped_link(instrument, users):
    from basis.forms import InstrumentForm

    html = str(InstrumentForm(instance=instrument)["attachment"])
    assert f'href="/office/basis/instruments/{instrument.pk}/attachment/"' in html
    assert "行政处罚法.pdf" in html and instrument.attachment.name not in html


def test_an_instrument_uploaded_through_its_form_keeps_its_name(city, users):
    from basis import services

    saved = services.instrument_save(
        actor=users.city_reviewer, code="T-1", name="测试条例", level="local_regulation", issuing_organ="测试市人大常委会",
        attachment=SimpleUploadedFile("测试条例.pdf", PDF),
    )
    assert saved.attachment_name == "测试条例.pdf" and "测试" not in saved.attachment.name
    again = services.instrument_save(actor=users.city_reviewer, instrument=saved, attachment=False)
    assert not again.attachment and again.attachment_name == ""


def test_existing_rows_get_their_stored_basename_as_download_name(city):
    from django.apps import apps

    migration = importlib.import_module("basis.migrations.0004_attachment_original_names")
    catalogue = CatalogueFactory(department=city.dept_a)
    entry = EntryFactory(catalogue=catalogue, attachment="catalogue-entries/旧文件.pdf")
    bare = EntryFactory(catalogue=catalogue)
    migration.backfill_names(apps, None)
    entry.refresh_from_db(), bare.refresh_from_db()
    assert entry.attachment_name == "旧文件.pdf" and entry.attachment.name == "catalogue-entries/旧文件.pdf"
    assert bare.attachment_name == ""
