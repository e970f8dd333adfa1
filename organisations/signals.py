"""Signals of the organisation tree, for the chapters above it (which the foundation does not
import): each chapter's receivers.py flags its own records."""

from django.dispatch import Signal

# Sent after commit by services.organisation_reform when functions moved between organisations,
# with ``organisation_ids`` (the predecessor and its successors), ``kind`` (a SuccessionKind),
# ``reason`` (the text a clerk reads, in the official language) and ``actor``.
organisation_reformed = Signal()
