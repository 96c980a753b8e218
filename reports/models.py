"""The reports app's one table, the export job, is defined with the export plumbing.

`spreadsheets.models.ExportJob` keeps the app label "reports", where its table and
migration were made; importing it here lets Django create its content type and
permissions under this app, as before the plumbing moved.
"""

from spreadsheets.models import ExportJob, ExportStatus

__all__ = ["ExportJob", "ExportStatus"]
