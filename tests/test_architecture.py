"""The layers in pyproject.toml hold, and lint-imports would catch an upward import or a circle:
each break below is made in a copy of the tree and must fail the check that names it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")
# Every package the contracts name, read from the contracts themselves so a new app is copied too.
PACKAGES = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"])
GROUND = ("toolkit", "organisations", "accounts", "audit", "outbox", "notifications", "workflow")


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo"], cwd=tree, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """The project's packages and its pyproject.toml, without data, templates or migrations."""
    target = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package,
            ignore=shutil.ignore_patterns("__pycache__", "data", "migrations", "locale", "*.json", "*.csv"),
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_contracts_hold_on_the_tree():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, line, broken",
    [
        # The ground knows no app.
        ("toolkit/errors.py", "from basis import models", "Layers: each imports only from below"),
        # The foundation knows no chapter.
        ("accounts/permissions.py", "from authority import models", "The ground and the foundation know no chapter"),
        # The outbox stores task names, never a chapter's task.
        ("outbox/services.py", "from responsibility import tasks", "The ground and the foundation know no chapter"),
        # A chapter imports only from chapters below it.
        ("authority/selectors.py", "from responsibility import models", "Layers: each imports only from below"),
        ("basis/services.py", "from authority import models", "Layers: each imports only from below"),
        # No app imports config.
        ("portal/views.py", "from config import navigation", "No app imports config"),
        # No circle inside an app: disclosure is what the task runs, so it must not import it.
        ("responsibility/disclosure.py", "from responsibility import tasks", "No import circles inside a package"),
    ],
)
def test_an_upward_import_or_a_circle_is_caught(tree, tmp_path, module, line, broken):
    broken_tree = tmp_path / "broken"
    shutil.copytree(tree, broken_tree)
    path = broken_tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # the deliberate break\n", encoding="utf-8")
    result = lint(broken_tree)
    assert result.returncode == 1, result.stdout
    report = " ".join(result.stdout.split())
    assert f"{broken}" in report and "BROKEN" in report.split(broken, 1)[1][:200], result.stdout


def test_the_copied_tree_is_clean_before_a_break(tree):
    """The parametrised breaks fail because of their line, not because the copy is incomplete."""
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", GROUND)
def test_no_module_of_the_ground_is_over_700_lines(package):
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 700, f"{path.relative_to(ROOT)} has {lines} lines"


@pytest.mark.parametrize("chapter", ["organisations", "audit", "basis", "authority", "responsibility"])
def test_each_chapter_keeps_its_permissions_beside_its_records(chapter):
    source = (ROOT / chapter / "permissions.py").read_text(encoding="utf-8")
    assert "from accounts.permissions import" in source or "from accounts import permissions" in source
