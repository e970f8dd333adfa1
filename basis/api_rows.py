"""The public API's lists built from rows, not model instances (issue 17).

A page of ``/api/public/entries/`` through ``PublicSearchResultSerializer`` spent most of its time
making model instances (the entry, its catalogue, department, instrument, lead department and
principal for every row, then the prefetched provisions and departments) and walking the
serializer's fields, not in the database. Here the cursor paginator pages a ``.values()`` query
of exactly the columns the serializer shows, and the many-to-many data (provision labels, joint
and assisting departments) comes in one query each for the whole page; the dicts are built with
the serializer's own field classes where it formats a value (dates, times), in its field order.
So the JSON is the serializer's, byte for byte (tests/basis/test_api_rows.py compares them),
and the schema still comes from the serializer, which stays the documented shape.

Four queries a page whatever its size: the page, provisions, joint and assisting departments.
"""

from collections import defaultdict

from rest_framework import serializers

from organisations.models import Organisation

from .models import CatalogueEntry, Provision
from .numbering import provision_label

_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()

INSTRUMENT_FIELDS = (
    "id", "code", "name", "level", "issuing_organ", "document_number", "promulgated_on", "effective_on",
    "status", "source",
)
_INSTRUMENT_DATES = {"promulgated_on", "effective_on"}

ENTRY_VALUES = (
    "id", "position", "category", "rights_and_duties", "subject_kind",
    "catalogue_id", "catalogue__version", "catalogue__department_id", "catalogue__department__code",
    "catalogue__department__name",
    *(f"instrument__{name}" for name in INSTRUMENT_FIELDS),
    "lead_department_id", "lead_department__code", "lead_department__name",
    "principal_id", "principal__code", "principal__name",
)


def _text(value):
    return None if value is None else str(value)


def _date(value):
    return None if value is None else _DATE.to_representation(value)


def _ref(pk, code, name):
    if pk is None:
        return None
    return {"id": pk, "code": _text(code), "name": _text(name)}


def _by_entry(rows) -> dict[int, list]:
    grouped = defaultdict(list)
    for entry_id, *rest in rows:
        grouped[entry_id].append(rest)
    return grouped


def _departments(through_field, entry_ids) -> dict[int, list[dict]]:
    """Each entry's departments of one many-to-many, in the order the prefetch gives them (the
    organisations' default ordering)."""
    through = getattr(CatalogueEntry, through_field).through
    rows = (
        through.objects.filter(catalogueentry_id__in=entry_ids)
        .order_by(*(f"organisation__{field}" for field in Organisation._meta.ordering), "organisation_id")
        .values_list("catalogueentry_id", "organisation_id", "organisation__code", "organisation__name")
    )
    return {
        entry_id: [_ref(pk, code, name) for pk, code, name in items] for entry_id, items in _by_entry(rows).items()
    }


def _provisions(entry_ids) -> dict[int, list[str]]:
    through = CatalogueEntry.provisions.through
    ordering = [f"provision__{field}" for field in Provision._meta.ordering]
    rows = (
        through.objects.filter(catalogueentry_id__in=entry_ids)
        .order_by(*ordering, "provision_id")
        .values_list("catalogueentry_id", "provision__article", "provision__paragraph", "provision__item")
    )
    return {
        entry_id: [provision_label(*numbers) for numbers in items] for entry_id, items in _by_entry(rows).items()
    }


def public_entry_rows(rows: list[dict]) -> list[dict]:
    """``PublicSearchResultSerializer(many=True).data`` for the entries of ``rows`` (dicts of
    ``ENTRY_VALUES``), in their order."""
    ids = [row["id"] for row in rows]
    provisions = _provisions(ids) if ids else {}
    joint = _departments("joint_departments", ids) if ids else {}
    assisting = _departments("assisting_departments", ids) if ids else {}
    results = []
    for row in rows:
        pk = row["id"]
        instrument = {}
        for name in INSTRUMENT_FIELDS:
            value = row[f"instrument__{name}"]
            if name in _INSTRUMENT_DATES:
                value = _date(value)
            elif name != "id":
                value = _text(value)
            instrument[name] = value
        results.append(
            {
                "catalogue": {
                    "id": row["catalogue_id"],
                    "department": _ref(
                        row["catalogue__department_id"], row["catalogue__department__code"], row["catalogue__department__name"]
                    ),
                    "version": row["catalogue__version"],
                },
                "id": pk,
                "position": row["position"],
                "instrument": instrument,
                "provisions": provisions.get(pk, []),
                "category": _text(row["category"]),
                "lead_department": _ref(row["lead_department_id"], row["lead_department__code"], row["lead_department__name"]),
                "joint_departments": joint.get(pk, []),
                "assisting_departments": assisting.get(pk, []),
                "rights_and_duties": _text(row["rights_and_duties"]),
                "subject_kind": _text(row["subject_kind"]),
                "principal": _ref(row["principal_id"], row["principal__code"], row["principal__name"]),
            }
        )
    return results


CATALOGUE_VALUES = (
    "id", "version", "published_at", "entry_count", "department_path",
    "department_id", "department__code", "department__name",
    "department__jurisdiction_id", "department__jurisdiction__code", "department__jurisdiction__name",
)


def public_catalogue_rows(rows: list[dict]) -> list[dict]:
    """``PublicCatalogueSerializer(many=True).data`` for rows of ``CATALOGUE_VALUES``."""
    return [
        {
            "id": row["id"],
            "department": _ref(row["department_id"], row["department__code"], row["department__name"]),
            "government": _ref(
                row["department__jurisdiction_id"], row["department__jurisdiction__code"], row["department__jurisdiction__name"]
            ),
            "version": row["version"],
            "published_at": None if row["published_at"] is None else _DATETIME.to_representation(row["published_at"]),
            "entry_count": row["entry_count"],
        }
        for row in rows
    ]
