"""Catalogues to and from spreadsheets: import with a preview (nothing saved until a clean preview
is confirmed) and export in the same shape; the upload guards are in ``basis.upload_guard``."""

from ..upload_guard import UploadRefused
from .exporting import catalogue_to_xlsx, compilation_to_xlsx, compilation_write
from .importing import (
    ImportPreview,
    ImportRefused,
    ImportRow,
    RowError,
    department_candidates,
    import_confirm,
    parse_catalogue_upload,
)

__all__ = [
    "ImportPreview",
    "ImportRefused",
    "ImportRow",
    "RowError",
    "UploadRefused",
    "catalogue_to_xlsx",
    "compilation_to_xlsx",
    "compilation_write",
    "department_candidates",
    "import_confirm",
    "parse_catalogue_upload",
]
