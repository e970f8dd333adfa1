"""Bulk open data (issue 13): per government, every published dataset as CSV, .xlsx and JSON,
rebuilt by the worker after a publication or a certificate change, served with ETag and
Last-Modified, and written through the formula guard."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.utils import translation
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from authority.models import Certificate, PowerItem, valid_certificates
from basis.models import BasisCatalogue, CatalogueEntry
from basis.services import catalogue_publish
from portal.models import OpenDataFile
from portal.opendata import COLUMNS, LICENCE, open_data_build
from responsibility.models import Responsibility
from tests.authority.factories import (
    BreakdownFactory,
    CertificateFactory,
    OfficerFactory,
    PostFactory,
)
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory
from workflow.review import ReviewStatus

from .conftest import ID_NUMBER, add_power

FORMATS = ("csv", "xlsx", "json")


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch):
    """Publishing also asks for the PDFs (responsibility's receiver): not what is tested here."""
    monkeypatch.setattr("responsibility.receivers.request_render", lambda *args, **kwargs: None)


@pytest.fixture
def built(city, published):
    """The published department A (conftest), a draft in department B, county X's own data."""
    CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT)
    draft = BasisCatalogue.objects.get(department=city.dept_b)
    EntryFactory(catalogue=draft, instrument=InstrumentFactory(name="草稿中的条例"), provisions="第一条")
    draft_breakdown = BreakdownFactory(department=city.dept_b, status=ReviewStatus.DRAFT)
    add_power(draft_breakdown, PostFactory(agency=city.dept_b, name="草稿岗"), "DRAFT-0001", "草稿职权")
    county = BreakdownFactory(department=city.dept_x1, status=ReviewStatus.PUBLISHED, published_at=timezone.now())
    add_power(county, PostFactory(agency=city.dept_x1, name="县岗"), "X1-0001", "县级职权")
    for government in (city.city, city.county_x):
        open_data_build(government=government)
    return published


def _file(government, dataset, data_format):
    return OpenDataFile.objects.get(government=government, dataset=dataset, format=data_format)


def _read(government, dataset, data_format):
    with _file(government, dataset, data_format).file.open("rb") as handle:
        return handle.read()


def _csv(government, dataset):
    return list(csv.DictReader(io.StringIO(_read(government, dataset, "csv").decode("utf-8-sig"))))


def _json(government, dataset):
    return json.loads(_read(government, dataset, "json"))


def _xlsx(government, dataset):
    book = load_workbook(io.BytesIO(_read(government, dataset, "xlsx")))
    return book.worksheets[0]


def test_every_dataset_in_every_format_per_government(city, built):
    for government in (city.city, city.county_x):
        for dataset in COLUMNS:
            for data_format in FORMATS:
                row = _file(government, dataset, data_format)
                assert row.size == len(_read(government, dataset, data_format)) > 0
                assert len(row.sha256) == 64 and row.generated_at


def test_content_equals_the_published_records(city, built):
    published_powers = list(
        PowerItem.objects.filter(breakdown__status=ReviewStatus.PUBLISHED, breakdown__department__jurisdiction=city.city)
        .order_by("breakdown__department__path", "position", "id")
        .values_list("code", "name")
    )
    assert [(r["power_code"], r["power_name"]) for r in _csv(city.city, "breakdown")] == published_powers
    assert [(r["power_code"], r["power_name"]) for r in _json(city.city, "breakdown")["rows"]] == published_powers
    sheet = _xlsx(city.city, "breakdown")
    header = [c.value for c in sheet[1]]
    assert header == [c.name for c in COLUMNS["breakdown"]]
    assert [(r[header.index("power_code")], r[header.index("power_name")]) for r in sheet.iter_rows(min_row=2, values_only=True)] == published_powers

    entries = list(
        CatalogueEntry.objects.filter(catalogue__status=ReviewStatus.PUBLISHED, catalogue__department__jurisdiction=city.city)
        .values_list("instrument__name", flat=True)
    )
    assert [r["instrument"] for r in _csv(city.city, "catalogue")] == entries == ["测试市场监督条例"]
    contents = list(
        Responsibility.objects.filter(responsibility_set__status=ReviewStatus.PUBLISHED, responsibility_set__department__jurisdiction=city.city)
        .order_by("position", "id").values_list("content", flat=True)
    )
    assert [r["content"] for r in _json(city.city, "responsibilities")["rows"]] == contents
    # A county's file holds the county's records, and the city's only the city's.
    assert [r["power_name"] for r in _csv(city.county_x, "breakdown")] == ["县级职权"]
    assert "县级职权" not in _read(city.city, "breakdown", "csv").decode("utf-8-sig")
    data = _json(city.city, "catalogue")
    with translation.override(settings.LANGUAGE_CODE):  # the files are written in the official language
        licence = str(LICENCE)
    assert data["licence"] == licence and data["government"]["code"] == city.city.code
    assert [c["name"] for c in data["columns"]] == [c.name for c in COLUMNS["catalogue"]]


def test_a_draft_never_appears(city, built):
    for dataset in COLUMNS:
        for data_format in ("csv", "json"):
            text = _read(city.city, dataset, data_format).decode("utf-8-sig")
            assert "草稿" not in text and "DRAFT-0001" not in text
        for row in _xlsx(city.city, dataset).iter_rows(values_only=True):
            assert not any(isinstance(v, str) and "草稿" in v for v in row)


def test_certificate_register_lists_valid_certificates_and_public_fields_only(city, built):
    rows = _csv(city.city, "certificates")
    assert [r["certificate_number"] for r in rows] == list(
        valid_certificates().filter(officer__department__jurisdiction=city.city).values_list("number", flat=True)
    ) == ["SC2026000777"]
    assert set(rows[0]) == {"certificate_number", "name", "unit", "valid_from", "valid_until", "status"}
    assert rows[0]["name"] == "王明" and rows[0]["unit"] == city.dept_a.name
    for data_format in ("csv", "json"):
        text = _read(city.city, "certificates", data_format).decode("utf-8-sig")
        assert ID_NUMBER not in text and "SC-REVOKED-1" not in text and "SC-EXPIRED-1" not in text
        assert "赵撤销" not in text and "钱过期" not in text and "male" not in text


def test_a_publication_rebuilds_the_files(city, users, built, django_capture_on_commit_callbacks):
    before = _file(city.city, "catalogue", "csv")
    catalogue = BasisCatalogue.objects.get(department=city.dept_b)  # the draft, now approved
    catalogue.status = ReviewStatus.APPROVED
    catalogue.save()
    EntryFactory(catalogue=catalogue, instrument=InstrumentFactory(name="中华人民共和国广告法"), provisions="第五十五条")
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_publish(actor=users.city_reviewer, catalogue=catalogue)
    after = _file(city.city, "catalogue", "csv")
    assert after.sha256 != before.sha256 and after.generated_at > before.generated_at
    assert "中华人民共和国广告法" in [r["instrument"] for r in _csv(city.city, "catalogue")]
    assert "中华人民共和国广告法" in [r["instrument"] for r in _json(city.city, "catalogue")["rows"]]
    # The county's files did not change.
    assert "中华人民共和国广告法" not in _read(city.county_x, "catalogue", "csv").decode("utf-8-sig")


def test_a_certificate_change_rebuilds_the_register(city, built, django_capture_on_commit_callbacks):
    certificate = Certificate.objects.get(number="SC2026000777")
    with django_capture_on_commit_callbacks(execute=True):
        certificate.status = "suspended"
        certificate.save()
    assert _csv(city.city, "certificates") == []
    with django_capture_on_commit_callbacks(execute=True):
        CertificateFactory(officer=OfficerFactory(department=city.dept_b, name="李新"), number="SC2026000888")
    assert [r["certificate_number"] for r in _csv(city.city, "certificates")] == ["SC2026000888"]


def test_unchanged_rows_keep_the_file(city, built):
    before = _file(city.city, "breakdown", "xlsx")
    assert open_data_build(government=city.city) == []
    after = _file(city.city, "breakdown", "xlsx")
    assert (after.sha256, after.generated_at, after.file.name) == (before.sha256, before.generated_at, before.file.name)


def test_download_has_etag_and_last_modified_and_answers_304(client, city, built):
    url = f"/open-data/{city.city.code}/breakdown.csv"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    import hashlib

    assert response["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert 'filename="C-breakdown.csv"' in response["Content-Disposition"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200
    assert client.get(f"/open-data/{city.city.code}/breakdown.json")["Content-Type"].startswith("application/json")
    for missing in ["/open-data/NOPE/breakdown.csv", f"/open-data/{city.dept_a.code}/breakdown.csv", f"/open-data/{city.county_y.code}/breakdown.csv"]:
        assert client.get(missing).status_code == 404


def test_no_formula_cells(city, published):
    entry = CatalogueEntry.objects.get(catalogue=published.catalogue)
    entry.rights_and_duties = '=HYPERLINK("http://evil.example","点击")'
    entry.save()
    published.officer.name = "@SUM(1+1)"
    published.officer.save()
    open_data_build(government=city.city)
    rows = _csv(city.city, "catalogue")
    assert rows[0]["rights_and_duties"].startswith("'=")
    assert _csv(city.city, "certificates")[0]["name"] == "'@SUM(1+1)"
    for dataset in ("catalogue", "certificates"):
        book = load_workbook(io.BytesIO(_read(city.city, dataset, "xlsx")))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (dataset, cell.coordinate, cell.value)


def test_open_data_page_and_dictionary(client, city, built):
    page = client.get("/open-data/").content.decode()
    assert escape(str(LICENCE)) in page
    for government in (city.city, city.county_x):
        for data_format in FORMATS:
            assert f'href="/open-data/{government.code}/breakdown.{data_format}"' in page
    assert "/open-data/dictionary/" in page
    dictionary = client.get("/open-data/dictionary/").content.decode()
    for columns in COLUMNS.values():
        for column in columns:
            assert f"<code>{column.name}</code>" in dictionary and escape(str(column.meaning)) in dictionary
    assert 'href="/open-data/"' in client.get("/").content.decode()


@pytest.fixture
def count_builds(monkeypatch):
    """The number of times a government's files are built (read and compared), by government."""
    from portal import opendata

    calls = []
    real = opendata.open_data_build

    def counting(*, government):
        calls.append(government.pk)
        return real(government=government)

    monkeypatch.setattr(opendata, "open_data_build", counting)
    monkeypatch.setattr("portal.tasks.open_data_build", counting)
    return calls


def test_changes_queued_together_make_one_build(city, built, count_builds, django_capture_on_commit_callbacks):
    """Three certificates saved in one transaction send three jobs; the first builds, having
    taken the three requests, and the other two find nothing left to do."""
    from django.db import transaction

    from outbox.models import OutboxMessage
    from portal.models import OpenDataRequest

    # The fixtures' own changes asked too (their jobs never ran: the test never commits).
    pending = OpenDataRequest.objects.filter(government=city.city).count()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for n in range(3):
                CertificateFactory(officer=OfficerFactory(department=city.dept_b, name=f"赵{n}"), number=f"SC202600090{n}")
            assert OpenDataRequest.objects.filter(government=city.city).count() == pending + 3
    assert OutboxMessage.objects.filter(task="portal.tasks.build_open_data", sent_at__isnull=False).count() == 3
    assert count_builds == [city.city.pk]
    assert not OpenDataRequest.objects.exists()
    numbers = {r["certificate_number"] for r in _csv(city.city, "certificates")}
    assert {"SC2026000900", "SC2026000901", "SC2026000902"} <= numbers

    # A change after that build is built again.
    with django_capture_on_commit_callbacks(execute=True):
        CertificateFactory(officer=OfficerFactory(department=city.dept_b, name="孙新"), number="SC2026000999")
    assert count_builds == [city.city.pk, city.city.pk]
    assert "SC2026000999" in {r["certificate_number"] for r in _csv(city.city, "certificates")}


def test_a_job_whose_request_was_answered_reads_nothing_and_a_plain_one_still_builds(city, built, count_builds):
    from portal.models import OpenDataRequest
    from portal.tasks import build_open_data

    # The fixtures' requests are answered by a build (their jobs never ran: no commit).
    assert build_open_data(city.city.pk, coalesce=True) == 0  # their rows: nothing to rewrite
    assert count_builds == [city.city.pk] and not OpenDataRequest.objects.filter(government=city.city).exists()
    count_builds.clear()
    assert build_open_data(city.city.pk, coalesce=True) == 0
    assert count_builds == []
    # A job without coalesce (the daily rebuild's kind, or one queued before this change) builds.
    build_open_data(city.city.pk)
    assert count_builds == [city.city.pk]


def test_a_failed_build_keeps_its_requests_for_the_next_job(city, built, monkeypatch):
    from portal import opendata
    from portal.models import OpenDataRequest
    from portal.tasks import build_open_data

    OpenDataRequest.objects.all().delete()  # the fixtures' own, whose jobs never ran
    OpenDataRequest.objects.create(government=city.city)

    def broken(*, government):
        raise OSError("disk full")

    monkeypatch.setattr(opendata, "open_data_build", broken)
    with pytest.raises(OSError):
        build_open_data(city.city.pk, coalesce=True)
    assert OpenDataRequest.objects.filter(government=city.city).count() == 1
    monkeypatch.undo()
    assert build_open_data(city.city.pk, coalesce=True) == 0  # rows unchanged: nothing rewritten
    assert not OpenDataRequest.objects.exists()
