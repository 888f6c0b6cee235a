"""Signals of the registry for writes that bypass model signals.

Bulk writers (the import engine) insert and update enterprises without `save()`, so post_save
never fires for them. They send `enterprises_written` with the ids they touched, inside their
transaction, so other apps can keep what they derive from firms in step.
"""

from django.dispatch import Signal

# Sent with `enterprise_ids` (a set of int).
enterprises_written = Signal()
