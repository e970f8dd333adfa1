"""The garbage collector of a serving process.

A Django process holds ~100,000 long-lived objects after start-up (modules, models, URL patterns,
templates, translations). CPython's full collection walks all of them, ~70 ms, and one comes
every so many requests: the spikes in a page's p95. ``collector_settle`` runs once start-up is
done (the WSGI module, each Celery worker process): it collects, then *freezes* what survived
into the permanent generation that later collections skip, and raises the thresholds so that a
page's own short-lived allocations, freed by reference counting anyway, trigger fewer
collections. ``GC_THRESHOLDS`` (three integers, "700,10,10" is CPython's default) overrides them;
``GC_FREEZE=0`` turns the freeze off.

Before freezing it *warms* the process: the URL patterns (which import every view), the
translation catalogues of every language and the project's own templates are otherwise loaded by
the first requests, after the freeze, and their tens of thousands of long-lived objects would be
walked by every full collection from then on.
"""

import gc
import os
from pathlib import Path

DEFAULT_THRESHOLDS = (50_000, 20, 100)


def thresholds() -> tuple[int, int, int]:
    raw = os.environ.get("GC_THRESHOLDS", "").strip()
    if not raw:
        return DEFAULT_THRESHOLDS
    parts = raw.split(",")
    if len(parts) != 3 or not all(part.strip().isdigit() for part in parts):
        raise ValueError(f"GC_THRESHOLDS must be three non-negative integers, not {raw!r}")
    return tuple(int(part) for part in parts)


def warm() -> None:
    """Load now what the first requests would load and keep: URL patterns, catalogues,
    templates. A template that does not compile fails here, at start-up, not for a visitor."""
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver
    from django.utils.translation import trans_real

    get_resolver().reverse_dict  # noqa: B018 -- populates the resolver, importing every view
    for code, _name in settings.LANGUAGES:
        trans_real.translation(code)
    for engine in engines.all():
        directories = getattr(engine, "template_dirs", ())
        for directory in directories:
            if not str(directory).startswith(str(settings.BASE_DIR)) or ".venv" in str(directory):
                continue
            for path in sorted(Path(directory).rglob("*.html")):
                engine.get_template(str(path.relative_to(directory)))


def collector_settle() -> None:
    gc.set_threshold(*thresholds())
    if os.environ.get("GC_FREEZE", "1") != "0":
        warm()
        gc.collect()
        gc.freeze()
