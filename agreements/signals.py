"""What the agreements app tells the apps above it, without importing them.

Sent inside the transaction that made the change; receivers (reminders/receivers.py
adds the in-portal notifications) write in the same transaction, so a rollback undoes
both.
"""

from django.dispatch import Signal

# A progress update was reported, or corrected and sent again: kwargs `update` (ProgressUpdate),
# `by` (User), `resubmitted` (bool).
progress_reported = Signal()

# A progress update was accepted or sent back: kwargs `update` (ProgressUpdate), `accepted` (bool),
# `comment` (the ProgressComment recording the decision).
progress_reviewed = Signal()
