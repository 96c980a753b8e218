"""The portal's today (common/clock.py): real, fixed by PORTAL_TODAY, or moved through a file."""

import datetime
from io import StringIO

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.utils import timezone

from common import clock


def test_the_real_date_when_nothing_is_set(settings):
    settings.PORTAL_TODAY = settings.PORTAL_TODAY_FILE = ""
    assert clock.today() == timezone.localdate()
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5


def test_the_file_moves_the_date_while_the_process_runs(settings, tmp_path):
    settings.PORTAL_TODAY_FILE = str(tmp_path / "today")
    assert clock.today() == timezone.localdate()  # no file yet: the real date
    out = StringIO()
    call_command("portal_clock", "2027-12-15", stdout=out)
    assert out.getvalue().strip() == "2027-12-15"
    assert clock.today() == datetime.date(2027, 12, 15)
    clock.set_today(settings.PORTAL_TODAY_FILE, datetime.date(2028, 1, 15))
    assert clock.today() == datetime.date(2028, 1, 15)
    # now() is on the moved day, at the real time of day.
    moved = timezone.localtime(clock.now())
    assert moved.date() == datetime.date(2028, 1, 15)
    assert abs(moved.hour * 60 + moved.minute - (lambda t: t.hour * 60 + t.minute)(timezone.localtime())) <= 1
    call_command("portal_clock", "--real", stdout=StringIO())
    assert clock.today() == timezone.localdate()


def test_the_command_refuses_a_bad_date_and_a_missing_file_setting(settings, tmp_path):
    settings.PORTAL_TODAY_FILE = ""
    with pytest.raises(CommandError, match="PORTAL_TODAY_FILE"):
        call_command("portal_clock", "2027-01-01")
    settings.PORTAL_TODAY_FILE = str(tmp_path / "today")
    with pytest.raises(CommandError, match="2027-01-31"):
        call_command("portal_clock", "2027-02-30")


def test_a_moved_date_without_debug_is_warned_about(settings):
    settings.DEBUG = False
    settings.PORTAL_TODAY = "2027-01-01"
    assert [m.id for m in checks.run_checks() if m.id == "portal.W001"] == ["portal.W001"]
    settings.PORTAL_TODAY = ""
    assert not [m for m in checks.run_checks() if m.id == "portal.W001"]
