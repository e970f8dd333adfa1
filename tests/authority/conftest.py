import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation


@pytest.fixture(autouse=True)
def reference(db):
    """The power kinds and procedure stages, loaded as in production."""
    call_command("load_authority_reference", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    # The verification rate limit counts in the cache: each test starts with a fresh budget.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english(client, api_client):
    """Messages are asserted in English (the msgids); the Chinese interface is checked where it
    matters, with its own client."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        yield
