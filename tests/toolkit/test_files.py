"""toolkit.files: uploads stored under random names, handed out with their original name, and
left to nginx when MEDIA_ACCEL_REDIRECT_PREFIX is set."""

import datetime
import re
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import override_settings

from toolkit.files import RandomName, file_response, original_name, safe_content_type

TOKEN = r"[A-Za-z0-9_-]{32}"


class Stored:
    """A stand-in for a FieldFile: a name in the default storage."""

    def __init__(self, name):
        self.name = name

    def __bool__(self):
        return bool(self.name)

    def open(self, mode="rb"):
        return default_storage.open(self.name, mode)


@pytest.fixture
def stored():
    name = default_storage.save("catalogue-entries/x.pdf", ContentFile(b"%PDF-1.7 body"))
    yield Stored(name)
    default_storage.delete(name)


def test_random_name_keeps_the_extension_and_nothing_else_of_the_upload():
    upload_to = RandomName("supporting-rules/%Y/")
    first = upload_to(None, "行政执法过错责任追究办法.PDF")
    second = upload_to(None, "行政执法过错责任追究办法.PDF")
    year = datetime.datetime.now().year
    assert re.fullmatch(rf"supporting-rules/{year}/{TOKEN}\.pdf", first), first
    assert first != second
    assert "办法" not in first
    assert re.fullmatch(rf"x/{TOKEN}", RandomName("x/")(None, "no-extension"))
    assert re.fullmatch(rf"x/{TOKEN}", RandomName("x/")(None, "odd.p<h>p"))


def test_random_name_is_a_stable_migration_value():
    assert RandomName("a/") == RandomName("a/") and RandomName("a/") != RandomName("b/")
    assert RandomName("a/").deconstruct() == ("toolkit.files.RandomName", ("a/",), {})


@pytest.mark.parametrize("given, kept", [
    ("食品安全法全文.pdf", "食品安全法全文.pdf"),
    ("C:\\Users\\张三\\办法.docx", "办法.docx"),
    ("../../etc/passwd", "passwd"),
    ("a\r\nb\x00.pdf", "ab.pdf"),
])
def test_original_name_is_the_base_name_without_control_characters(given, kept):
    assert original_name(ContentFile(b"", name=given)) == kept


def test_original_name_is_cut_to_the_field_length_keeping_the_extension():
    name = original_name(ContentFile(b"", name="长" * 300 + ".pdf"))
    assert len(name) == 255 and name.endswith(".pdf")


@pytest.mark.parametrize("name, content_type", [
    ("a.pdf", "application/pdf"),
    ("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("a.txt", "text/plain"),
    ("a.html", "application/octet-stream"),
    ("a.svg", "application/octet-stream"),
    ("a.js", "application/octet-stream"),
    ("a.pdf.gz", "application/octet-stream"),
    ("a", "application/octet-stream"),
])
def test_only_inert_content_types_are_given_to_the_browser(name, content_type):
    assert safe_content_type(name) == content_type


def test_the_file_is_streamed_under_its_original_chinese_name(stored):
    response = file_response(stored, filename="食品安全法全文.pdf")
    assert b"".join(response.streaming_content) == b"%PDF-1.7 body"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"download.pdf\"; filename*=utf-8''" + quote("食品安全法全文.pdf")
    )
    assert "X-Accel-Redirect" not in response


def test_an_ascii_name_and_inline(stored):
    response = file_response(stored, filename="text.pdf", as_attachment=False)
    assert response["Content-Disposition"] == 'inline; filename="text.pdf"'


@override_settings(MEDIA_ACCEL_REDIRECT_PREFIX="/protected-media/")
def test_with_the_prefix_set_nginx_sends_the_bytes(stored):
    response = file_response(stored, filename="食品安全法全文.pdf")
    assert response["X-Accel-Redirect"] == "/protected-media/" + stored.name
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert quote("食品安全法全文.pdf") in response["Content-Disposition"]


@override_settings(MEDIA_ACCEL_REDIRECT_PREFIX="/protected-media")
def test_the_redirect_quotes_a_stored_chinese_name():
    response = file_response(Stored("catalogue-entries/旧 文件.pdf"))
    assert response["X-Accel-Redirect"] == "/protected-media/catalogue-entries/" + quote("旧 文件.pdf")


def test_no_file_or_a_missing_file_is_404():
    with pytest.raises(Http404):
        file_response(Stored(""))
    with pytest.raises(Http404):
        file_response(Stored("catalogue-entries/gone.pdf"))
