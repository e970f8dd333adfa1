"""Stored files: where an upload is kept (under a random name) and how it is handed out.

Nothing under MEDIA_ROOT is served by URL: every file goes out through a view that first applies
its record's scoping and then calls ``file_response``. In production the web process only
answers with headers and ``X-Accel-Redirect`` (when ``MEDIA_ACCEL_REDIRECT_PREFIX`` is set), and
nginx sends the bytes from an ``internal`` location; otherwise Django streams the file itself.

Written here rather than with django-sendfile2: that library maps absolute filesystem paths
under a SENDFILE_ROOT, which the in-memory storage of the tests (and any non-filesystem storage)
does not have, while the nginx case is one header on the storage-relative name.
"""

import datetime
import mimetypes
import posixpath
import re
import secrets
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

# Types a browser may be given as they are. Anything else (HTML, SVG, XML, scripts: what a
# browser would run or render on this site's origin) goes out as application/octet-stream.
SAFE_CONTENT_TYPES = frozenset({
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/rtf",
    "application/zip",
    "application/ofd",
    "text/plain",
    "text/csv",
    "image/png",
    "image/jpeg",
    "image/gif",
})
OCTET_STREAM = "application/octet-stream"
NAME_MAX_LENGTH = 255

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")


def safe_extension(filename: str) -> str:
    """The name's last extension, lower-cased, if it is a plain one (letters and digits)."""
    suffix = posixpath.splitext(posixpath.basename(filename.replace("\\", "/")))[1]
    return suffix.lower() if _EXTENSION.fullmatch(suffix) else ""


@deconstructible
class RandomName:
    """An ``upload_to``: the file is stored under ``prefix`` (``strftime`` codes allowed, as with a
    string ``upload_to``) as a random token with the upload's extension, so that no one can
    guess a stored path from a document's title. Keep the name the user gave in a field of its
    own (``original_name``) for the download."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        folder = datetime.datetime.now().strftime(self.prefix)
        return posixpath.join(folder, secrets.token_urlsafe(24) + safe_extension(filename))

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.prefix == self.prefix


def original_name(upload) -> str:
    """The name an uploaded file came with, without any path and control characters, as it
    can be stored and given back in a Content-Disposition."""
    name = posixpath.basename(str(getattr(upload, "name", "") or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) > NAME_MAX_LENGTH:
        extension = safe_extension(name)
        name = name[: NAME_MAX_LENGTH - len(extension)] + extension
    return name


def safe_content_type(filename: str) -> str:
    guessed, encoding = mimetypes.guess_type(filename, strict=False)
    return guessed if guessed in SAFE_CONTENT_TYPES and encoding is None else OCTET_STREAM


def _disposition(filename: str, *, as_attachment: bool, fallback: str) -> str:
    """RFC 6266 with RFC 5987 for a non-ASCII name, plus a plain ASCII name for old clients."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        kind = "attachment" if as_attachment else "inline"
        return f"{kind}; filename=\"{fallback}\"; filename*=utf-8''{quote(filename)}"
    return content_disposition_header(as_attachment, filename)


def file_response(
    field_file,
    *,
    filename: str = "",
    as_attachment: bool = True,
    content_type: str | None = None,
    fallback: str = "",
) -> HttpResponse:
    """Hand out a stored file (a FieldFile) under ``filename`` (the stored name's basename when
    empty). The caller has checked that the user may see the record; a record without a file,
    or a file gone from storage, is 404."""
    if not field_file:
        raise Http404
    filename = filename or posixpath.basename(field_file.name)
    content_type = content_type or safe_content_type(filename)
    fallback = fallback or f"download{safe_extension(filename)}"
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(field_file.name)}"
    else:
        try:
            handle = field_file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = _disposition(filename, as_attachment=as_attachment, fallback=fallback)
    response["X-Content-Type-Options"] = "nosniff"
    return response
