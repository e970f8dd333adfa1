"""Signals the enforcement basis sends for higher chapters to answer. Basis may not import them
(the layers), so it asks and they reply through their receivers."""

from django.dispatch import Signal

# Sent by the compilation page: ``user`` and ``governments`` (the organisations whose
# compilation the page shows). Each receiver returns a list of ``(label, url)`` links to
# documents made from the compilation that are ready to download (the responsibility chapter's
# rendered PDF, DocumentKind.COMPILATION); the page lists them next to its Excel export.
compilation_links = Signal()
