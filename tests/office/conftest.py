import pytest
from django.core.management import call_command
from django.utils import translation


@pytest.fixture
def reference(db):
    """The power kinds, loaded as in production (for certificates)."""
    call_command("load_authority_reference", verbosity=0)


@pytest.fixture(autouse=True)
def english(client):
    """Pages are asserted in English (the msgids)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
