"""Loading reference tables (subclasses of ``ReferenceEntry``) from a versioned JSON data file.

Idempotent: rows are matched by their stable code, new ones added and the name and order of
known ones brought up to date. Nothing is deleted, since records cite these rows."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction


class ReferenceLoadCommand(BaseCommand):
    """A management command loading ``tables``: (key in the JSON file, model) pairs."""

    default_path: Path
    tables: tuple = ()

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(self.default_path))

    @transaction.atomic
    def handle(self, *args, path, **options):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for key, model in self.tables:
            source = f"{data.get('source', '')} ({data.get('version', '')})".strip()
            source = source[: model._meta.get_field("source").max_length]
            created = updated = 0
            for row in data[key]:
                values = {"name": row["name"], "order": row.get("order", 0), "source": source}
                obj, was_created = model.objects.get_or_create(code=row["code"], defaults=values)
                if was_created:
                    created += 1
                elif any(getattr(obj, field) != value for field, value in values.items()):
                    for field, value in values.items():
                        setattr(obj, field, value)
                    obj.save()
                    updated += 1
            self.stdout.write(f"{model._meta.model_name}: {created} created, {updated} updated.")
