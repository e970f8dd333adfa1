"""Load the registry of legal instruments from a versioned data file (basis/data/instruments.json
by default). Idempotent: new instruments and provisions are added, the descriptive fields of
known ones are brought up to date (nothing is deleted); status is left to the office's
amendment workflow. An entry gives its provisions as article numbers (``articles``) or as a
count (``article_count``: articles 1..n), or neither: a whole instrument without provisions.
``binds_all_departments`` marks the general laws every department applies."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from basis.models import LegalInstrument, Provision

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "instruments.json"
_FIELDS = ("name", "level", "issuing_organ", "document_number", "promulgated_on", "effective_on", "source")


class Command(BaseCommand):
    help = "Load legal instruments and their provisions from a JSON data file."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    @transaction.atomic
    def handle(self, *args, path, **options):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        created = updated = provisions = 0
        for row in data["instruments"]:
            values = {field: row.get(field) or "" for field in _FIELDS}
            for field in ("promulgated_on", "effective_on"):
                values[field] = values[field] or None
            values["binds_all_departments"] = bool(row.get("binds_all_departments", False))
            instrument, was_created = LegalInstrument.objects.get_or_create(
                code=row["code"], defaults={**values, "status": row.get("status", "in_force")}
            )
            if was_created:
                created += 1
            elif any(str(getattr(instrument, f) or "") != str(values[f] or "") for f in values):
                for field, value in values.items():
                    setattr(instrument, field, value)
                instrument.save()
                updated += 1
            existing = set(instrument.provisions.values_list("article", flat=True))
            new = [
                Provision(instrument=instrument, article=article)
                for article in _articles(row)
                if article not in existing
            ]
            Provision.objects.bulk_create(new)
            provisions += len(new)
        self.stdout.write(
            f"Registry version {data.get('version', '?')}. "
            f"Instruments: {created} created, {updated} updated; {provisions} provisions added."
        )


def _articles(row: dict) -> list[int]:
    if row.get("articles"):
        return list(row["articles"])
    return list(range(1, int(row.get("article_count") or 0) + 1))
