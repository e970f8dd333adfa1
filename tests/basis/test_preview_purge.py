"""Unconfirmed import previews do not pile up: the periodic job removes those a day old."""

import os
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from basis.tasks import PREVIEW_DIR, purge_stale_import_previews


def test_stale_previews_are_removed_and_fresh_ones_kept(settings, tmp_path):
    # On disk, as in production, so that a file's age is the file system's.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = str(tmp_path)
    stale = default_storage.save(f"{PREVIEW_DIR}/stale.json", ContentFile(b"{}"))
    fresh = default_storage.save(f"{PREVIEW_DIR}/fresh.json", ContentFile(b"{}"))
    day_and_a_bit = time.time() - 25 * 3600
    os.utime(default_storage.path(stale), (day_and_a_bit, day_and_a_bit))

    assert purge_stale_import_previews() == 1

    assert not default_storage.exists(stale)
    assert default_storage.exists(fresh)


def test_nothing_to_purge_without_previews(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    assert purge_stale_import_previews() == 0
