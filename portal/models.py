"""The open-data files (issue 13): each published dataset of a government (the city, a county)
as CSV, .xlsx and JSON, rebuilt by the worker when something is published (``opendata.py``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from toolkit.files import RandomName


class Dataset(models.TextChoices):
    CATALOGUE = "catalogue", _("Enforcement basis catalogues")
    BREAKDOWN = "breakdown", _("Power breakdowns")
    RESPONSIBILITIES = "responsibilities", _("Responsibility lists")
    CERTIFICATES = "certificates", _("Register of enforcement certificates")


class DataFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"
    JSON = "json", "JSON"


class OpenDataFile(models.Model):
    government = models.ForeignKey(
        Organisation, verbose_name=_("government"), on_delete=models.CASCADE, related_name="open_data_files"
    )
    dataset = models.CharField(_("dataset"), max_length=32, choices=Dataset.choices)
    format = models.CharField(_("format"), max_length=8, choices=DataFormat.choices)
    file = models.FileField(_("file"), upload_to=RandomName("open-data/%Y/"))
    # The file's sha256 (its ETag), and that of the rows it was written from: a rebuild that
    # finds the same rows keeps the file and its Last-Modified.
    sha256 = models.CharField(max_length=64)
    source_hash = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    generated_at = models.DateTimeField(_("generated at"))

    class Meta:
        verbose_name = _("open-data file")
        constraints = [
            models.UniqueConstraint(fields=["government", "dataset", "format"], name="portal_open_data_one_per_format"),
        ]

    def __str__(self) -> str:
        return f"{self.government.code}-{self.dataset}.{self.format}"


class OpenDataRequest(models.Model):
    """One change that needs a government's files rebuilt, written in the transaction of that
    change (or just after its commit) before the build job is sent. A build first deletes the
    government's pending requests and then reads the data, so it covers every change whose
    request it deleted; a job that finds none left skips, its change already covered. Many
    publications of one government queued at once make one build, not one each."""

    government = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"open data of {self.government_id} ({self.created_at:%Y-%m-%d %H:%M:%S})"
