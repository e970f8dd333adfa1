"""Load the power kinds and procedure stages from a versioned data file
(authority/data/reference.json by default); see authority.reference_data."""

from pathlib import Path

from authority.models import PowerKind, ProcedureStage
from authority.reference_data import ReferenceLoadCommand


class Command(ReferenceLoadCommand):
    help = "Load power kinds and procedure stages from a JSON data file."
    default_path = Path(__file__).resolve().parents[2] / "data" / "reference.json"
    tables = (("power_kinds", PowerKind), ("procedure_stages", ProcedureStage))
