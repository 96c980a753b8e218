"""django-import-export's admin strings, translated in the portal's own catalogue.

The Arabic catalogue the package ships leaves the import screen's validation table in
English ("Some rows failed to validate", "Row", "Non field specific") and misspells
others («رقم الصطر»). Our `locale/` comes first in Django's lookup (LOCALE_PATHS), so
listing the package's messages here puts them in `locale/ar` (makemessages), where
they are translated with the rest of the portal. Nothing calls this module; a test
checks every message the package shows is Arabic on an Arabic page.
"""

from django.utils.translation import gettext_noop, ngettext

MESSAGES = [
    gettext_noop("Import"),
    gettext_noop("Export"),
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
    gettext_noop(
        "%(exc_name)s encountered while trying to read file. Ensure you have chosen the correct format for the file."
    ),
    gettext_noop("No valid data to import. Ensure your file has the correct headers or data for import."),
    gettext_noop("export failed due to IllegalCharacterError"),
    gettext_noop("Resource"),
    gettext_noop("Format"),
    gettext_noop("File to import"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("This importer will import the following fields: "),
    gettext_noop("Select all"),
    gettext_noop("Submit"),
    gettext_noop(
        "Below is a preview of data to be imported. If you are satisfied with the results, click 'Confirm import'"
    ),
    gettext_noop("Confirm import"),
    gettext_noop("Errors"),
    gettext_noop("Line number"),
    gettext_noop("Some rows failed to validate"),
    gettext_noop("Please correct these errors in your data where possible, then reupload it using the form above."),
    gettext_noop("Row"),
    gettext_noop("Non field specific"),
    gettext_noop("Preview"),
    gettext_noop("New"),
    gettext_noop("Skipped"),
    gettext_noop("Update"),
    gettext_noop("Value could not be parsed."),
    gettext_noop("You must select an export format."),
]


def plural_messages(n: int) -> list[str]:
    """The package's counted messages (the export screen's count of selected rows), for
    makemessages and the test; Django's template tag looks them up by these ids."""
    return [ngettext("Export %(len)s selected item.", "Export %(len)s selected items.", n) % {"len": n}]
