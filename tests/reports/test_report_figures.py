"""Each report's figures equal the same figures computed independently in Python from the factories.

The page's table (its context), the XLSX download and the CSV download are all checked
against the expected numbers, so the file holds exactly what the page shows.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementStatus, ClauseKind, Unit
from partners.models import Sector
from tests.reports import portfolio
from tests.reports.conftest import read_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    portfolio.build_portfolio(scale=2)


def page(client, slug: str, **params):
    response = client.get(reverse("reports:report", args=[slug]), params)
    assert response.status_code == 200
    return response


def rows_by_label(result) -> dict:
    return {row["label"]: row for row in result.rows}


def test_agreements_by_status_match_the_factories(admin_client, data):
    result = page(admin_client, "agreements", by="status").context["result"]
    expected = {
        str(label): sum(1 for a in _all_agreements() if a.status == value) for value, label in AgreementStatus.choices
    }
    assert {row["label"]: row["total"] for row in result.rows} == expected
    assert result.totals["total"] == len(_all_agreements()) == 16


@pytest.mark.parametrize(
    ("by", "key"),
    [
        ("partner", lambda a: a.partner.name),
        ("sector", lambda a: str(dict(Sector.choices)[a.partner.sector])),
        ("year", lambda a: str(a.signed_on.year) if a.signed_on else "Not signed yet"),
    ],
)
def test_agreements_by_partner_sector_and_year_match_the_factories(admin_client, data, by, key):
    from django.utils import translation

    with translation.override("en"):
        expected = portfolio.expected_agreements_by(key)
    admin_client.cookies["portal_language"] = "en"
    result = page(admin_client, "agreements", by=by).context["result"]
    shown = {
        row["label"]: {k: row[k] for k in ("total", "active", "awaiting", "draft", "ended")} for row in result.rows
    }
    assert shown == expected
    assert result.totals["total"] == 16


def test_ending_soon_lists_active_agreements_ending_in_the_window_with_reminders_sent(admin_client, data):
    result = page(admin_client, "ending").context["result"]
    shown = sorted((r["reference"], r["days_left"], r["reminders_sent"]) for r in result.rows)
    assert shown == portfolio.expected_ending(90)
    assert len(shown) == 6  # 3 active agreements ending within 90 days, twice
    assert all(r["owner"] == "مالك الاتفاقية" for r in result.rows)

    today = timezone.localdate()
    within_30 = page(
        admin_client, "ending", start=today.isoformat(), end=(today + timezone.timedelta(days=30)).isoformat()
    )
    assert sorted((r["reference"], r["days_left"], r["reminders_sent"]) for r in within_30.context["result"].rows) == (
        portfolio.expected_ending(30)
    )


def test_commitments_by_kind_match_the_factories(admin_client, data):
    admin_client.cookies["portal_language"] = "en"
    with _english():
        expected = portfolio.expected_commitments_by(
            lambda c: (str(dict(ClauseKind.choices)[c.clause.kind]), str(c.get_unit_display()))
        )
        units = {str(label) for _value, label in Unit.choices}
    result = page(admin_client, "commitments", by="kind").context["result"]
    shown = {
        (r["label"], r["unit"]): {k: r[k] for k in ("commitments", "target", "achieved", "overdue", "fulfilment")}
        for r in result.rows
    }
    assert shown == expected
    # One totals row per unit, each the sum of that unit's rows only.
    assert result.totals is None
    totals = {t["unit"]: (t["target"], t["achieved"]) for t in result.unit_totals}
    assert set(totals) <= units and len(totals) == len(result.unit_totals) > 0
    for unit, (target, achieved) in totals.items():
        assert target == sum(g["target"] for (_label, u), g in expected.items() if u == unit)
        assert achieved == sum(g["achieved"] for (_label, u), g in expected.items() if u == unit)


def test_commitments_by_partner_match_the_factories(admin_client, data):
    expected = portfolio.expected_commitments_by(
        lambda c: (c.clause.agreement.partner.name_ar, str(c.get_unit_display()))
    )
    result = page(admin_client, "commitments", by="partner").context["result"]
    shown = {
        (r["label"], r["unit"]): {k: r[k] for k in ("commitments", "target", "achieved", "overdue", "fulfilment")}
        for r in result.rows
    }
    assert shown == expected


def test_overdue_commitments_list_matches_the_factories(admin_client, data):
    result = page(admin_client, "commitments", by="overdue").context["result"]
    shown = sorted((r["reference"], r["description"], r["target"], r["achieved"]) for r in result.rows)
    assert shown == portfolio.expected_overdue()
    assert shown, "the portfolio has overdue commitments"
    assert result.summary[0][1] == len(shown)


def test_signing_turnaround_median_and_slowest_match_the_factories(admin_client, data):
    expected = portfolio.expected_turnaround()
    result = page(admin_client, "signing").context["result"]
    summary = [value for _label, value, _kind in result.summary]
    assert summary == [expected["n"], expected["median"], expected["fastest"], expected["slowest"]]
    assert result.rows[0]["days"] == expected["slowest"] == 40.0
    assert sum(result.chart["datasets"][0]["data"]) == expected["n"]


def test_reminders_per_month_match_the_factories(admin_client, data):
    expected = portfolio.expected_reminders_per_month()
    result = page(admin_client, "reminders").context["result"]
    assert len(result.rows) == len(expected)
    months = sorted(expected)
    for row, month in zip(result.rows, months, strict=True):
        assert row["total"] == expected[month]["total"]
        assert row["renewal"] == expected[month]["renewal"]
        assert row["commitment_overdue"] == expected[month]["commitment_overdue"]
    assert result.totals["total"] == sum(m["total"] for m in expected.values())


def test_the_date_range_filters_the_figures(admin_client, data):
    today = timezone.localdate()
    start = today - timezone.timedelta(days=20)
    result = page(admin_client, "reminders", start=start.isoformat(), end=today.isoformat()).context["result"]
    sent = [
        r for r in _all_reminders() if r.status == "sent" and start <= timezone.localtime(r.sent_at).date() <= today
    ]
    assert result.totals["total"] == len(sent) > 0


@pytest.mark.parametrize(
    ("slug", "by"),
    [
        ("agreements", "status"),
        ("agreements", "partner"),
        ("ending", ""),
        ("commitments", "kind"),
        ("commitments", "overdue"),
        ("signing", ""),
        ("reminders", ""),
    ],
)
def test_xlsx_and_csv_downloads_hold_exactly_the_table_shown(admin_client, data, slug, by):
    params = {"by": by} if by else {}
    result = page(admin_client, slug, **params).context["result"]
    headers = [str(c.label) for c in result.columns]

    xlsx = admin_client.get(reverse("reports:download", args=[slug, "xlsx"]), params)
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = read_xlsx(xlsx.content)
    assert sheet[0] == headers
    body = sheet[1 : 1 + len(result.rows)]
    for row, shown in zip(body, result.rows, strict=True):
        for cell, column in zip(row, result.columns, strict=True):
            value = shown.get(column.key)
            if hasattr(cell, "date") and column.kind == "date":
                cell = cell.date()
            assert cell == (value if value != "" else None), column.key
    assert len(sheet) == 1 + len(result.rows) + len(result.footer)

    response = admin_client.get(reverse("reports:download", args=[slug, "csv"]), params)
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0] == headers
    assert len(lines) == len(sheet)


def _all_agreements():
    from agreements.models import Agreement

    return list(Agreement.objects.all())


def _all_reminders():
    from reminders.models import Reminder

    return list(Reminder.objects.all())


def _english():
    from django.utils import translation

    return translation.override("en")


def test_long_lists_stop_at_max_rows_and_say_so(admin_client, data, monkeypatch):
    from reports.definitions import Report

    monkeypatch.setattr(Report, "MAX_ROWS", 3)
    response = page(admin_client, "commitments", by="overdue")
    result = response.context["result"]
    assert len(result.rows) == 3
    assert result.total_rows == len(portfolio.expected_overdue()) > 3
    assert result.truncated
    assert "report-note" in response.content.decode()
    # The most overdue first.
    assert [r["days_overdue"] for r in result.rows] == sorted((r["days_overdue"] for r in result.rows), reverse=True)
