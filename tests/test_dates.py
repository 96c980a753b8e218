import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from common.dates import hijri


def render(source: str, **context) -> str:
    return Template("{% load arabic %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("gregorian", "expected"),
    [
        (datetime.date(2026, 11, 29), "19 جمادى الآخرة 1448 هـ"),
        (datetime.date(2026, 3, 16), "27 رمضان 1447 هـ"),
        (datetime.date(2025, 6, 26), "1 محرم 1447 هـ"),
    ],
)
def test_hijri_filter_gives_umm_al_qura_date_in_arabic(gregorian, expected):
    with translation.override("ar"):
        assert render("{{ d|hijri }}", d=gregorian) == expected


def test_hijri_in_english():
    with translation.override("en"):
        assert hijri(datetime.date(2026, 11, 29)) == "19 Jumada al-Akhirah 1448 AH"


def test_hijri_outside_the_umm_al_qura_table_is_empty_not_an_error():
    assert hijri(datetime.date(1800, 1, 1)) == ""
    assert hijri(datetime.date(2100, 1, 1)) == ""


def test_dual_date_shows_gregorian_and_hijri_side_by_side():
    with translation.override("ar"):
        html = render("{{ d|dual_date }}", d=datetime.date(2026, 11, 29))
    assert "29 نوفمبر 2026" in html
    assert "19 جمادى الآخرة 1448 هـ" in html
    assert 'datetime="2026-11-29"' in html


def test_dual_date_of_an_aware_datetime_uses_riyadh_local_date():
    # 22:30 UTC on the 28th is already the 29th in Riyadh (UTC+3).
    moment = datetime.datetime(2026, 11, 28, 22, 30, tzinfo=datetime.UTC)
    with translation.override("ar"):
        html = render("{{ d|dual_date }}", d=moment)
    assert 'datetime="2026-11-29"' in html


def test_isolate_wraps_codes_in_an_ltr_bdi_and_escapes():
    assert render("{{ v|isolate }}", v="QC-2026-0001") == '<bdi dir="ltr" class="ltr">QC-2026-0001</bdi>'
    assert "&lt;b&gt;" in render("{{ v|isolate }}", v="<b>")
    assert render("{{ v|isolate }}", v="") == ""


def test_isolate_text_uses_unicode_isolates_for_plain_text():
    assert render("{{ v|isolate_text }}", v="+966 13 855 0000") == "\u2066+966 13 855 0000\u2069"


def test_gregorian_and_hijri_of_an_aware_datetime_use_the_riyadh_day():
    # The signed PDF prints `signed_at|gregorian · signed_at|hijri · time`: all three in Riyadh.
    moment = datetime.datetime(2026, 12, 1, 21, 42, tzinfo=datetime.UTC)
    with translation.override("ar"):
        assert render("{{ d|gregorian }} · {{ d|hijri }}", d=moment) == "2 ديسمبر 2026 · 22 جمادى الآخرة 1448 هـ"


def test_dual_datetime_shows_the_riyadh_day_and_time_of_day_in_both_calendars():
    moment = datetime.datetime(2026, 12, 1, 21, 42, tzinfo=datetime.UTC)
    with translation.override("en"):
        html = render("{{ d|dual_datetime }}", d=moment)
    assert '<time datetime="2026-12-02T00:42+03:00">2 December 2026 00:42</time>' in html
    assert "22 Jumada al-Akhirah 1448 AH" in html
