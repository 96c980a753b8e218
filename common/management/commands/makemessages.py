from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # Without this, msgmerge fills new strings with "fuzzy" guesses from similar ones
    # (e.g. "Terminate" → the translation of "Terminated"), which read as translated.
    msgmerge_options = ["-q", "--backup=none", "--previous", "--update", "--no-fuzzy-matching"]
