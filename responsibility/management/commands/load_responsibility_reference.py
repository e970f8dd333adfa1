"""Load the kinds of responsibility from a versioned data file
(responsibility/data/reference.json by default); see authority.reference_data."""

from pathlib import Path

from authority.reference_data import ReferenceLoadCommand
from responsibility.models import ResponsibilityKind


class Command(ReferenceLoadCommand):
    help = "Load the kinds of responsibility from a JSON data file."
    default_path = Path(__file__).resolve().parents[2] / "data" / "reference.json"
    tables = (("responsibility_kinds", ResponsibilityKind),)
