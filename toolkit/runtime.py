"""The garbage collector of a serving process.

A Django process holds ~100,000 long-lived objects after start-up (modules, models, URL patterns,
templates, translations). CPython's full collection walks all of them, ~70 ms, and one comes
every so many requests: the spikes in a page's p95. ``collector_settle`` runs once start-up is
done (the WSGI module, each Celery worker process): it collects, then *freezes* what survived
into the permanent generation that later collections skip, and raises the thresholds so that a
page's own short-lived allocations, freed by reference counting anyway, trigger fewer
collections. ``GC_THRESHOLDS`` (three integers, "700,10,10" is CPython's default) overrides them;
``GC_FREEZE=0`` turns the freeze off.
"""

import gc
import os

DEFAULT_THRESHOLDS = (50_000, 20, 100)


def thresholds() -> tuple[int, int, int]:
    raw = os.environ.get("GC_THRESHOLDS", "").strip()
    if not raw:
        return DEFAULT_THRESHOLDS
    parts = raw.split(",")
    if len(parts) != 3 or not all(part.strip().isdigit() for part in parts):
        raise ValueError(f"GC_THRESHOLDS must be three non-negative integers, not {raw!r}")
    return tuple(int(part) for part in parts)


def collector_settle() -> None:
    gc.set_threshold(*thresholds())
    if os.environ.get("GC_FREEZE", "1") != "0":
        gc.collect()
        gc.freeze()
