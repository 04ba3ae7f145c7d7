"""Signals the people app sends to the layers above it, which it must not import."""

from django.dispatch import Signal

# Sent inside the erasure's transaction once the person is deleted, with `person_uuid`:
# results derived from them (analytics) are removed by the receivers.
person_erased = Signal()
