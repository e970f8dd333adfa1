"""Signals other chapters listen to.

``round_finalised``: sent after the transaction that finalised a round has committed, with
``round_id`` (int). Accountability reads the round's results then."""

from django.dispatch import Signal

round_finalised = Signal()
