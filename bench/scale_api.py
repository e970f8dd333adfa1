"""The open-data API's lists beside their raw-SQL twins (issue 17): the first page of
``/api/public/entries/``, a page deep in its cursor, and the first page of
``/api/public/catalogues/``. Each twin runs the SQL that returns the same rows (the page and, for
entries, its provisions, joint and assisting departments) and ``json.dumps`` them, so the ratio is
what the API adds to reading and encoding the data. Target ≤ 3×.
"""

from __future__ import annotations

import base64
import json

from django.db import connection
from django.test import Client

from scale import Figure, get

PAGE = 50  # KeysetPagination.page_size

ENTRY_PAGE = """
SELECT e.id, e.position, e.category, e.rights_and_duties, e.subject_kind,
       c.id, c.version, d.id, d.code, d.name,
       i.id, i.code, i.name, i.level, i.issuing_organ, i.document_number, i.promulgated_on, i.effective_on,
       i.status, i.source,
       l.id, l.code, l.name, p.id, p.code, p.name
FROM basis_catalogueentry e
JOIN basis_basiscatalogue c ON c.id = e.catalogue_id
JOIN organisations_organisation d ON d.id = c.department_id
JOIN basis_legalinstrument i ON i.id = e.instrument_id
JOIN organisations_organisation l ON l.id = e.lead_department_id
LEFT JOIN organisations_organisation p ON p.id = e.principal_id
WHERE c.status = 'published' AND e.id > %s
ORDER BY e.id
LIMIT %s
"""
ENTRY_PROVISIONS = """
SELECT ep.catalogueentry_id, pr.article, pr.paragraph, pr.item
FROM basis_catalogueentry_provisions ep JOIN basis_provision pr ON pr.id = ep.provision_id
WHERE ep.catalogueentry_id = ANY(%s)
ORDER BY pr.instrument_id, pr.article, pr.paragraph, pr.item
"""
ENTRY_DEPARTMENTS = """
SELECT m.catalogueentry_id, o.id, o.code, o.name
FROM {table} m JOIN organisations_organisation o ON o.id = m.organisation_id
WHERE m.catalogueentry_id = ANY(%s)
ORDER BY o.path
"""
CATALOGUE_PAGE = """
SELECT c.id, c.version, c.published_at,
       (SELECT count(*) FROM basis_catalogueentry e WHERE e.catalogue_id = c.id),
       d.path, d.id, d.code, d.name, g.id, g.code, g.name
FROM basis_basiscatalogue c
JOIN organisations_organisation d ON d.id = c.department_id
LEFT JOIN organisations_organisation g ON g.id = d.jurisdiction_id
WHERE c.status = 'published'
ORDER BY d.path
LIMIT %s
"""


def _rows(statement: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def entries_twin(after: int):
    """The page's rows and its many-to-many rows, as JSON."""

    def run():
        page = _rows(ENTRY_PAGE, [after, PAGE + 1])
        ids = [row[0] for row in page[:PAGE]]
        data = {
            "page": page,
            "provisions": _rows(ENTRY_PROVISIONS, [ids]),
            "joint": _rows(ENTRY_DEPARTMENTS.format(table="basis_catalogueentry_joint_departments"), [ids]),
            "assisting": _rows(ENTRY_DEPARTMENTS.format(table="basis_catalogueentry_assisting_departments"), [ids]),
        }
        return json.dumps(data, ensure_ascii=False, default=str)

    return run


def catalogues_twin():
    return json.dumps(_rows(CATALOGUE_PAGE, [PAGE + 1]), ensure_ascii=False, default=str)


def _cursor(position: int) -> str:
    """The cursor DRF's CursorPagination writes for the rows after ``position`` (its ``p=``)."""
    return base64.b64encode(f"p={position}".encode("ascii")).decode("ascii")


def figures() -> list[Figure]:
    client = Client()
    # A page deep in the cursor: after the published entry that sits nine tenths of the way.
    deep = _rows(
        "SELECT e.id FROM basis_catalogueentry e JOIN basis_basiscatalogue c ON c.id = e.catalogue_id"
        " WHERE c.status = 'published' ORDER BY e.id"
        " OFFSET (SELECT (count(*) * 9 / 10)::int FROM basis_catalogueentry e"
        " JOIN basis_basiscatalogue c ON c.id = e.catalogue_id WHERE c.status = 'published') LIMIT 1",
        [],
    )[0][0]
    page_1 = get(client, "/api/public/entries/")
    deep_page = get(client, f"/api/public/entries/?cursor={_cursor(deep)}")
    # The page and the twin must show the same rows.
    for url, after in (("/api/public/entries/", 0), (f"/api/public/entries/?cursor={_cursor(deep)}", deep)):
        body = json.loads(client.get(url).content)
        twin = [row[0] for row in _rows(ENTRY_PAGE, [after, PAGE])]
        assert [row["id"] for row in body["results"]] == twin, url
    catalogue_ids = [row["id"] for row in json.loads(client.get("/api/public/catalogues/").content)["results"]]
    assert catalogue_ids == [row[0] for row in _rows(CATALOGUE_PAGE, [PAGE])]
    return [
        Figure("api-entries-page-1", page_1, entries_twin(0), target="≤ 3× its SQL + json"),
        Figure("api-entries-deep", deep_page, entries_twin(deep), target="≤ 3× its SQL + json",
               note=f"after entry {deep}, 9/10 of the way"),
        Figure("api-catalogues-page-1", get(client, "/api/public/catalogues/"), catalogues_twin,
               target="≤ 3× its SQL + json"),
    ]
