"""Load the kinds of responsibility from a versioned data file
(responsibility/data/reference.json by default). Idempotent: rows are matched by their stable
code, new ones added and names and order of known ones brought up to date; nothing is deleted,
since responsibilities cite these rows."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from responsibility.models import ResponsibilityKind

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "reference.json"


class Command(BaseCommand):
    help = "Load the kinds of responsibility from a JSON data file."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    @transaction.atomic
    def handle(self, *args, path, **options):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        source = f"{data.get('source', '')} ({data.get('version', '')})".strip()[:200]
        created = updated = 0
        for row in data["responsibility_kinds"]:
            values = {"name": row["name"], "order": row.get("order", 0), "source": source}
            obj, was_created = ResponsibilityKind.objects.get_or_create(code=row["code"], defaults=values)
            if was_created:
                created += 1
            elif any(getattr(obj, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(obj, field, value)
                obj.save()
                updated += 1
        self.stdout.write(f"responsibilitykind: {created} created, {updated} updated.")
