"""Checks an uploaded spreadsheet passes before any parser sees it.

The kind of file is decided by its bytes, never by its name: a workbook (.xlsx) is a zip archive
holding ``[Content_Types].xml`` and ``xl/workbook.xml``; a CSV file is text that decodes as UTF-8
(with or without a byte-order mark) or GB18030 (what Excel writes on a Chinese Windows) and holds
no NUL byte. A workbook must also pass the zip-bomb limits (total unpacked size, compression
ratio, number of members) and carry no DTD or entity declaration in its XML: openpyxl parses
through defusedxml, and this scan refuses such a file with a clear message before it gets there.

Every refusal is an ``UploadRefused`` whose message is shown to the user as it is.
"""

import codecs
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

XLSX = "xlsx"
CSV = "csv"

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 500
# A small member can compress far better than 100:1 (a sheet of empty styled cells); only a
# member this large is judged by its own ratio. The archive as a whole always is.
RATIO_CHECK_MIN_BYTES = 1024 * 1024

_REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_XML_DECLARATIONS = (b"<!doctype", b"<!entity")
_SCAN_CHUNK = 64 * 1024
# Magic numbers of files people upload by mistake (or not by mistake), for a precise message.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc and other legacy Office files


class UploadRefused(ValidationError):
    """The file is refused as a whole; nothing of it was parsed."""


@dataclass(frozen=True)
class Upload:
    name: str
    kind: str  # XLSX or CSV
    data: bytes
    text: str | None = None  # the decoded content of a CSV file
    encoding: str = ""


def max_bytes() -> int:
    return int(getattr(settings, "BASIS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "BASIS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def inspect_upload(uploaded_file) -> Upload:
    """Read the upload (never more than the size limit plus one byte) and say what it is, or
    raise ``UploadRefused``."""
    name = PurePath(getattr(uploaded_file, "name", "") or "").name
    data = _read_limited(uploaded_file)
    if not data:
        raise UploadRefused(_("The file is empty."))
    kind, text, encoding = _sniff(data)
    claimed = PurePath(name).suffix.lower().lstrip(".")
    if claimed not in (XLSX, CSV):
        raise UploadRefused(_("Upload a .xlsx workbook or a .csv file."))
    if claimed != kind:
        raise UploadRefused(
            _("The file is named .%(claimed)s but its content is %(actual)s. Save it again as .xlsx or .csv.")
            % {"claimed": claimed, "actual": _kind_label(kind)}
        )
    if kind == XLSX:
        check_workbook(data)
    return Upload(name=name, kind=kind, data=data, text=text, encoding=encoding)


def _read_limited(uploaded_file) -> bytes:
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise UploadRefused(_too_large(limit))
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(_too_large(limit))
    return data


def _too_large(limit: int) -> str:
    return _("The file is larger than %(limit)s. Split it into smaller files.") % {"limit": filesizeformat(limit)}


def _kind_label(kind: str) -> str:
    return _("an Excel workbook (.xlsx)") if kind == XLSX else _("CSV text")


def _sniff(data: bytes) -> tuple[str, str | None, str]:
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, EOFError):
            raise UploadRefused(_("The workbook is damaged: it is not a readable zip archive.")) from None
        if all(member in names for member in _REQUIRED_MEMBERS):
            return XLSX, None, ""
        raise UploadRefused(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
    if data.startswith(_OLE2):
        raise UploadRefused(
            _("The file is an old-format Excel workbook (.xls). Open it in Excel and save it as .xlsx.")
        )
    text, encoding = _decode_text(data)
    if text is None:
        raise UploadRefused(_("The file is neither an Excel workbook (.xlsx) nor CSV text."))
    return CSV, text, encoding


def _decode_text(data: bytes) -> tuple[str | None, str]:
    # NUL never occurs in UTF-8 or GB18030 text; it does in UTF-16 text, images and programs.
    if b"\x00" in data:
        return None, ""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding != "gb18030" or _looks_like_text(text):
            return text, encoding
    return None, ""


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes far more byte strings than UTF-8 does, so a successful decode proves
    less: binary content shows up as control characters, which real CSV text does not hold."""
    return not any(ord(char) < 32 and char not in "\t\r\n" for char in text[:65536])


def check_workbook(data: bytes) -> None:
    """Zip-bomb and XML-attack guards for an .xlsx archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise UploadRefused(
                    _("The workbook holds too many parts (%(count)d; at most %(limit)d are allowed).")
                    % {"count": len(members), "limit": MAX_ZIP_MEMBERS}
                )
            total = sum(member.file_size for member in members)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise UploadRefused(
                    _("The workbook unpacks to more than %(limit)d MB; it is refused as a possible zip bomb.")
                    % {"limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
                )
            if _ratio(total, len(data)) > MAX_COMPRESSION_RATIO or any(
                member.file_size >= RATIO_CHECK_MIN_BYTES
                and _ratio(member.file_size, member.compress_size) > MAX_COMPRESSION_RATIO
                for member in members
            ):
                raise UploadRefused(
                    _("The workbook is compressed more than %(ratio)d to 1; it is refused as a possible zip bomb.")
                    % {"ratio": MAX_COMPRESSION_RATIO}
                )
            if any(member.flag_bits & 0x1 for member in members):
                raise UploadRefused(_("The workbook is encrypted. Remove the password and upload it again."))
            for member in members:
                if member.filename.lower().endswith(_XML_SUFFIXES) and _unsafe_xml(archive, member):
                    raise UploadRefused(xml_refusal())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError):
        # A CRC mismatch lands here too: zipfile never returns more than the size a member
        # declares, and checks the content against its checksum.
        raise UploadRefused(_("The workbook is damaged: it is not a readable zip archive.")) from None


def xml_refusal() -> str:
    return _(
        "The workbook contains XML that Excel never writes (document type or entity "
        "declarations); it is refused as a possible XML attack."
    )


def _ratio(unpacked: int, packed: int) -> float:
    return unpacked / max(packed, 1)


def _unsafe_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Stream one member looking for <!DOCTYPE or <!ENTITY. Office XML is UTF-8; a member in
    UTF-16, which this byte scan could not read, counts as unsafe too."""
    tail = b""
    with archive.open(member) as stream:
        first = True
        while chunk := stream.read(_SCAN_CHUNK):
            if first and chunk[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                return True
            first = False
            window = (tail + chunk).lower()
            if any(marker in window for marker in _XML_DECLARATIONS):
                return True
            tail = window[-16:]
    return False
