from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top of the house as an app, for what needs one and composes every chapter: the
    ``load_demo`` command. No app imports anything from here."""

    name = "config"
    label = "site_config"
    verbose_name = "Site"
