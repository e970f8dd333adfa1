"""scripts/system-deps.sh: its checks answer the same way every time."""

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-deps.sh"

pytestmark = pytest.mark.skipif(shutil.which("ldconfig") is None and not Path("/sbin/ldconfig").exists(), reason="no ldconfig")


def _bash(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False)


def test_has_lib_never_misses_an_installed_library():
    """200 fresh reads of the linker cache (the cache variable emptied before each) under the
    script's own `set -euo pipefail`: an installed library is found every time. The former
    `ldconfig -p | grep -q` failed 3-7 times in 200 (SIGPIPE after grep's first match)."""
    result = _bash(
        f"""
        source {SCRIPT} run
        misses=0
        for _ in $(seq 200); do
            ld_cache=
            has_lib 'libpango-1.0.so.0' || misses=$((misses + 1))
            ld_cache=
            present libpango-1.0-0 || misses=$((misses + 1))
        done
        echo "misses=$misses"
        """
    )
    assert result.stdout.strip().splitlines()[-1:] == ["misses=0"], (result.stdout, result.stderr)


def test_has_lib_reports_a_missing_library():
    result = _bash(f"source {SCRIPT} run; has_lib 'libno-such-library.so.9' && echo found || echo missing")
    assert result.stdout.strip() == "missing", result.stderr


def test_the_harfbuzz_subsetter_is_wanted_for_running_and_testing():
    """Without libharfbuzz-subset WeasyPrint subsets the CJK font with fontTools: ~10 s a PDF."""
    for mode in ("run", "test"):
        result = _bash(f'source {SCRIPT} {mode}; printf "%s\\n" "${{wanted[@]}}"')
        assert "libharfbuzz-subset0" in result.stdout.split(), (mode, result.stdout, result.stderr)
    result = _bash(f"source {SCRIPT} run; type present")
    assert "libharfbuzz-subset.so.0" in result.stdout


def test_the_script_is_silent_when_everything_is_there():
    if _bash(f"source {SCRIPT} run; [ -z \"$(missing_now)\" ]").returncode != 0:
        pytest.skip("a run dependency is missing on this machine")
    result = subprocess.run(["bash", str(SCRIPT), "run"], capture_output=True, text=True, timeout=120, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
