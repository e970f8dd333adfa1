import pytest
from django.core.management import call_command
from django.utils import translation


@pytest.fixture(autouse=True)
def reference(db):
    """Power kinds, procedure stages and kinds of responsibility, loaded as in production."""
    call_command("load_authority_reference", verbosity=0)
    call_command("load_responsibility_reference", verbosity=0)


@pytest.fixture
def english(client, api_client):
    """Messages are asserted in English (the msgids). Not autouse: the disclosure tests in this
    package read their documents in Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        yield
