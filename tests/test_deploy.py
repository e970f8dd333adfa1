"""Deployment configuration: production settings pass Django's deploy checks, refuse to start
without a secret key, and the compose file and .env.example stay valid and complete.

Each check runs in a subprocess so that it imports the production settings afresh, away from the
test settings this process uses. No database is touched.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Every variable the settings or the compose stack read; .env.example must document each one.
DOCUMENTED_VARIABLES = {
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "DATABASE_TEST_TEMPLATE",
    "DATABASE_REPLICA_URL",
    "REPLICA_STICKY_SECONDS",
    "GC_FREEZE",
    "GC_THRESHOLDS",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_VISIBILITY_TIMEOUT",
    "DISCLOSURE_STALE_RENDER_SECONDS",
    "MEDIA_ROOT",
    "MEDIA_ACCEL_REDIRECT_PREFIX",
    "BACKUP_DIR",
    "SESSION_IDLE_SECONDS",
    "PASSWORD_MAX_AGE_DAYS",
    "AUDIT_RETENTION_DAYS",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "LOG_LEVEL",
    "REQUIRE_SERVICES",
    "POSTGRES_PASSWORD",
    "SITE_URL",
    "DJANGO_SECURE_COOKIES",
}


def production_env(**overrides: str | None) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="zfzr.example.gov.cn",
        SITE_URL="https://zfzr.example.gov.cn",
    )
    # Test the defaults, not whatever the developer's shell has.
    env.pop("DJANGO_SECURE_SSL_REDIRECT", None)
    env.pop("DJANGO_SECURE_COOKIES", None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def test_production_settings_pass_deploy_checks():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("site_url", [None, "http://127.0.0.1:8000", "http://localhost:8000/"], ids=["unset", "default", "localhost"])
def test_deploy_checks_fail_while_site_url_is_this_machine(site_url):
    """The bulletin sheets print SITE_URL and encode it in their QR codes."""
    result = run([sys.executable, "manage.py", "check", "--deploy"], production_env(SITE_URL=site_url))
    assert result.returncode != 0, result.stdout + result.stderr
    assert "responsibility.E001" in result.stderr and "SITE_URL" in result.stderr, result.stderr


def test_plain_http_trial_switches_turn_off_the_redirect_and_the_secure_cookies():
    """README "Trying it over plain HTTP": the two switches, and nothing else, relax HTTPS."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    default = run([sys.executable, "-c", code], production_env())
    assert default.stdout.split() == ["True", "True", "True"], default.stderr
    relaxed = run(
        [sys.executable, "-c", code],
        production_env(DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_SECURE_COOKIES="false"),
    )
    assert relaxed.stdout.split() == ["False", "False", "False"], relaxed.stderr


def test_readme_says_how_to_create_the_administrators_in_the_container_and_try_plain_http():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for role in ("system_admin", "security_admin", "audit_admin"):
        assert f"docker compose exec web python manage.py create_administrator {role}" in text, role
    assert "DJANGO_SECURE_SSL_REDIRECT=false" in text and "DJANGO_SECURE_COOKIES=false" in text


def test_readme_links_stay_inside_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in text
    for target in re.findall(r"\]\(([^)#:]+)\)", text):
        assert (ROOT / target).exists(), target


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_production_settings_refuse_to_start_without_secret_key(secret_key):
    result = run(
        [sys.executable, "-c", "import django; django.setup()"],
        production_env(DJANGO_SECRET_KEY=secret_key),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr, result.stderr


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and run(["docker", "compose", "version"], os.environ.copy()).returncode == 0:
        return ["docker", "compose"]
    if os.environ.get("CI"):
        pytest.fail("docker-compose is not installed (scripts/system-deps.sh test installs it)")
    pytest.skip("docker-compose is not installed; run scripts/system-deps.sh test")


def compose_config(tmp_path: Path, env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    # An empty --env-file keeps a developer's own .env out of the result.
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    env = os.environ.copy()
    for name in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"):
        env.pop(name, None)
    env.update(env_overrides)
    return run(
        [*compose_command(), "--env-file", str(empty_env_file), "-f", "docker-compose.yml", "config", "-q"],
        env,
    )


def test_compose_file_is_valid(tmp_path):
    result = compose_config(
        tmp_path, {"DJANGO_SECRET_KEY": secrets.token_urlsafe(64), "POSTGRES_PASSWORD": "example-password"}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_refuses_to_start_without_secrets(tmp_path):
    result = compose_config(tmp_path, {})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr, result.stderr


def test_env_example_documents_every_variable():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    # Both "NAME=value" and the commented-out "# NAME=default" count as documented.
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert DOCUMENTED_VARIABLES <= documented, sorted(DOCUMENTED_VARIABLES - documented)
