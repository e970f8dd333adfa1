"""Demo catalogues for ``load_demo``: the market-regulation bureau's published through the real
workflow, so the portal and the review screens have something to show. Skipped when the
department already has a catalogue, so a second run changes nothing."""

from django.core.management import call_command

from accounts.models import User
from organisations.models import Organisation

from . import services
from .models import BasisCatalogue, LegalInstrument, ManagementCategory, Provision

# (instrument code, articles, category, rights and duties)
_MARKET_ENTRIES = (
    ("LAW-SPAQ", [35, 122, 124], ManagementCategory.SOLE,
     "依法实施食品生产经营许可，对未经许可从事食品生产经营活动等违法行为予以处罚。"),
    ("LAW-CPZL", [49, 50], ManagementCategory.SOLE, "对生产、销售不符合保障人体健康和人身、财产安全的产品等行为予以处罚。"),
    ("LAW-GG", [55, 57], ManagementCategory.SOLE, "对发布虚假广告等违法行为进行监督检查和处罚。"),
    ("LAW-XZCF", [], ManagementCategory.SOLE, "按照行政处罚法规定的程序实施行政处罚。"),
    ("MR-SCJGCF", [], ManagementCategory.SOLE, "按照市场监督管理行政处罚程序规定办理案件。"),
)


def load_demo_catalogues(stdout=None) -> None:
    """The demo step of this chapter: the registry of instruments, then the catalogue."""
    call_command("load_instruments", **({"stdout": stdout} if stdout is not None else {}))
    department = Organisation.objects.filter(code="621200-SCJ").first()
    editor = User.objects.filter(username="scj_editor").first()
    reviewer = User.objects.filter(username="fzb").first()
    if not (department and editor and reviewer) or BasisCatalogue.objects.filter(department=department).exists():
        return
    catalogue = services.catalogue_start(actor=editor, department=department)
    for code, articles, category, duties in _MARKET_ENTRIES:
        instrument = LegalInstrument.objects.get(code=code)
        services.entry_create(
            actor=editor,
            catalogue=catalogue,
            data=services.EntryData(
                instrument=instrument,
                category=category,
                lead_department=department,
                provisions=list(Provision.objects.filter(instrument=instrument, article__in=articles, paragraph=0, item=0)),
                joint_departments=[],
                assisting_departments=[],
                rights_and_duties=duties,
            ),
        )
    services.catalogue_submit(actor=editor, catalogue=catalogue)
    services.catalogue_start_review(actor=reviewer, catalogue=catalogue)
    services.catalogue_approve(actor=reviewer, catalogue=catalogue)
    services.catalogue_publish(actor=reviewer, catalogue=catalogue)
    if stdout is not None:
        stdout.write(f"Demo catalogue published: {department.name} v{catalogue.version}")
