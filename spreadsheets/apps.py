from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    """Spreadsheet import/export plumbing: formats, Resource base classes, export jobs.

    Each app keeps its own columns in its `resources.py`. The export job's table belongs to
    the `reports` app label (see `models.py`), where it was created.
    """

    name = "spreadsheets"
    verbose_name = "Spreadsheets"
