"""System checks of the disclosure documents' configuration."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """``manage.py check --deploy`` fails while SITE_URL names this machine: the bulletin sheets
    print it and encode it in their QR codes, which would lead a citizen's phone nowhere."""
    from .disclosure import site_url_is_local

    if not site_url_is_local():
        return []
    return [
        checks.Error(
            f"SITE_URL is {settings.SITE_URL!r}, not the public site's address.",
            hint="Set SITE_URL (e.g. https://zfzr.example.gov.cn): it is printed on the disclosure "
            "bulletin sheets and encoded in their QR codes.",
            id="responsibility.E001",
        )
    ]
