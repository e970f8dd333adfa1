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


# -- Replicas: N web behind the proxy, N workers, migrations once ------------------------------


def compose_file() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def nginx_conf() -> str:
    return (ROOT / "scripts" / "compose" / "nginx.conf").read_text(encoding="utf-8")


def test_web_and_worker_are_replicated_with_no_fixed_name_or_port():
    services = compose_file()["services"]
    assert services["web"]["deploy"]["replicas"] == "${WEB_REPLICAS:-2}"
    assert services["worker"]["deploy"]["replicas"] == "${WORKER_REPLICAS:-2}"
    for name in ("web", "worker"):
        # Two containers cannot share a name or a host port.
        assert "container_name" not in services[name], name
        assert "ports" not in services[name], name
    worker_command = " ".join(services["worker"]["command"])
    assert "celery -A config worker" in worker_command
    assert "--concurrency=$${WORKER_CONCURRENCY:-1}" in worker_command
    assert services["worker"]["environment"]["WORKER_CONCURRENCY"] == "${WORKER_CONCURRENCY:-1}"
    # Beat stays single: two would send each scheduled job twice.
    assert "deploy" not in services["beat"]


def test_migrations_run_once_before_every_app_service():
    services = compose_file()["services"]
    migrate = services["migrate"]
    command = " ".join(migrate["command"])
    assert "manage.py migrate --noinput" in command and "load_authority_reference" in command
    assert migrate["restart"] == "no" and "deploy" not in migrate  # one container, runs and exits
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in " ".join(services[name].get("command", [])), name


def test_the_proxy_is_the_one_published_port_and_spreads_requests_across_the_replicas():
    services = compose_file()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["${WEB_BIND:-127.0.0.1}:${WEB_PORT:-8000}:8000"]
    assert proxy["depends_on"]["web"] == {"condition": "service_healthy"}
    assert "./scripts/compose/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    conf = nginx_conf()
    assert re.search(r"^\s*listen 8000;", conf, re.MULTILINE)
    # Docker's DNS, asked again at run time: the upstream is a variable, so every replica's
    # address is used in turn and replicas started later are found.
    assert re.search(r"^\s*resolver 127\.0\.0\.11\b", conf, re.MULTILINE)
    assert re.search(r"set \$web http://web:8000;\s*proxy_pass \$web;", conf)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;" in conf


def test_the_proxy_serves_checked_downloads_from_an_internal_location_only():
    services = compose_file()["services"]
    prefix = services["web"]["environment"]["MEDIA_ACCEL_REDIRECT_PREFIX"]
    assert prefix == "${MEDIA_ACCEL_REDIRECT_PREFIX-/protected-media/}"
    location = re.search(r"location /protected-media/ \{(.*?)\}", nginx_conf(), re.DOTALL)
    assert location, "no internal location for X-Accel-Redirect"
    body = location.group(1)
    assert re.search(r"^\s*internal;", body, re.MULTILINE)
    media_root = services["web"]["environment"]["MEDIA_ROOT"]
    assert f"alias {media_root.rstrip('/')}/;" in body
    assert f"media:{media_root}:ro" in services["proxy"]["volumes"]
    # No other location reaches the media files.
    assert nginx_conf().count(media_root) == 1


def test_compose_resolves_the_replica_counts_from_the_environment(tmp_path):
    import yaml

    secrets_env = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(64), "POSTGRES_PASSWORD": "example-password"}
    command = [*compose_command(), "--env-file", str(tmp_path / "empty.env"), "-f", "docker-compose.yml", "config"]
    (tmp_path / "empty.env").write_text("")
    env = os.environ.copy()
    for name in ("WEB_REPLICAS", "WORKER_REPLICAS", "WORKER_CONCURRENCY"):
        env.pop(name, None)
    default = run(command, {**env, **secrets_env})
    assert default.returncode == 0, default.stderr
    services = yaml.safe_load(default.stdout)["services"]
    assert (services["web"]["deploy"]["replicas"], services["worker"]["deploy"]["replicas"]) == (2, 2)
    assert services["worker"]["environment"]["WORKER_CONCURRENCY"] == "1"
    scaled = run(command, {**env, **secrets_env, "WEB_REPLICAS": "4", "WORKER_REPLICAS": "3", "WORKER_CONCURRENCY": "2"})
    assert scaled.returncode == 0, scaled.stderr
    services = yaml.safe_load(scaled.stdout)["services"]
    assert (services["web"]["deploy"]["replicas"], services["worker"]["deploy"]["replicas"]) == (4, 3)
    assert services["worker"]["environment"]["WORKER_CONCURRENCY"] == "2"


def test_env_example_documents_the_scaling_variables():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name, default in (("WEB_REPLICAS", "2"), ("WORKER_REPLICAS", "2"), ("WORKER_CONCURRENCY", "1")):
        assert re.search(rf"^# {name}={default}$", text, re.MULTILINE), name
