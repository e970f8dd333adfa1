"""The serving processes freeze what start-up allocated and run the collector less often
(issue 17's collector pauses). Checked in fresh processes: freezing this one would change the rest
of the suite."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.runtime import DEFAULT_THRESHOLDS, thresholds

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json
before = gc.get_freeze_count()
import config.wsgi
from django.template import engines
from django.urls import get_resolver
from django.utils.translation import trans_real
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "before": before, "frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold(),
    "resolver": get_resolver()._populated, "catalogues": sorted(trans_real._translations),
    "templates": len(getattr(loader, "get_template_cache", {})),
}))
"""


def run_probe(**env):
    environment = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_wsgi_application_freezes_what_start_up_allocated():
    probe = run_probe()
    assert probe["before"] == 0
    # Django, the apps and the URL patterns: tens of thousands of objects the collector skips.
    assert probe["frozen"] > 20_000
    assert tuple(probe["thresholds"]) == DEFAULT_THRESHOLDS
    # Warmed before the freeze: what the first requests would otherwise load after it.
    assert probe["resolver"] is True
    assert {"zh-hans", "en"} <= set(probe["catalogues"])
    assert probe["templates"] > 100


def test_the_freeze_and_the_thresholds_can_be_set_from_the_environment():
    probe = run_probe(GC_FREEZE="0", GC_THRESHOLDS="700,10,10")
    assert probe["frozen"] == 0
    assert probe["resolver"] is False
    assert tuple(probe["thresholds"]) == (700, 10, 10)


@pytest.mark.parametrize("raw", ["700,10", "a,b,c", "700,-1,10"])
def test_bad_thresholds_are_refused_with_the_variable_named(raw, monkeypatch):
    monkeypatch.setenv("GC_THRESHOLDS", raw)
    with pytest.raises(ValueError, match="GC_THRESHOLDS"):
        thresholds()
