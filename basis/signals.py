"""Signals of the basis chapter, for the chapters above it (which basis does not import)."""

from django.dispatch import Signal

# Sent after commit by services.instrument_record_status, with ``instrument_id``,
# ``provision_ids`` (the provisions amended, or None when the record does not say: then every
# provision of the instrument), ``to_status``, ``reason`` (official language) and ``actor``.
instrument_amended = Signal()

# Sent by the compilation page: ``user`` and ``governments`` (the organisations whose
# compilation the page shows). Each receiver returns a list of ``(label, url)`` links to
# documents made from the compilation that are ready to download (the responsibility chapter's
# rendered PDF, DocumentKind.COMPILATION); the page lists them next to its Excel export.
compilation_links = Signal()
