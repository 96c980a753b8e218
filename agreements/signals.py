"""What the agreements app tells the apps above it, without importing them.

Sent inside the transaction that made the change; receivers (reminders/receivers.py
adds the in-portal notifications) write in the same transaction, so a rollback undoes
both.
"""

from django.dispatch import Signal

# A progress update was reported: kwargs `update` (ProgressUpdate), `by` (User).
progress_reported = Signal()

# A progress update was accepted or sent back: kwargs `update` (ProgressUpdate), `accepted` (bool).
progress_reviewed = Signal()
