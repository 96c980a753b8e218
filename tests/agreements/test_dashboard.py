"""The staff dashboard and the partner portal home: work queues and impact figures.

Figures are read from the rendered tables (data-col cells), as a user reads them.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from agreements.dashboard import impact, staff_queues
from agreements.models import Agreement, ClauseKind, PeriodReport, ProgressStatus, ProgressUpdate, Unit
from common import clock
from partners.models import CharityProfile
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerFactory,
    PartnerUserFactory,
    ProgressUpdateFactory,
    set_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _arabic_and_profile(settings):
    settings.LANGUAGE_CODE = "ar"
    CharityProfile.load()


def active_commitment(partner=None, *, kind=ClauseKind.TRAINING, unit=Unit.TRAINEES, target=20, due_on=None, **kw):
    agreement = AgreementFactory(partner=partner or PartnerFactory())
    clause = ClauseFactory(agreement=agreement, kind=kind)
    commitment = CommitmentFactory(
        clause=clause, unit=unit, target_quantity=target, due_on=due_on or datetime.date(2027, 1, 31), **kw
    )
    set_status(agreement, "active")
    return commitment


def table(html: str, testid: str) -> dict[tuple[str, str], dict[str, int]]:
    """{(group key, unit): {column: number}} from an impact table."""
    body = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for key, unit, cells in re.findall(r'<tr data-key="([^"]*)" data-unit="([^"]*)">(.*?)</tr>', body, re.S):
        rows[(key, unit)] = {
            col: int(value.rstrip("%")) if value.rstrip("%").isdigit() else None
            for col, value in re.findall(r'data-col="(\w+)">([^<]*)<', cells)
        }
    return rows


def queue(html: str, key: str) -> int:
    return int(re.search(rf'data-testid="queue-{key}" data-count="(\d+)"', html).group(1))


def test_impact_never_adds_different_units(staff_client):
    trainees = active_commitment(target=20, unit=Unit.TRAINEES)
    workshops = active_commitment(target=4, unit=Unit.WORKSHOPS)
    ProgressUpdateFactory(commitment=trainees, amount=7)
    ProgressUpdateFactory(commitment=workshops, amount=1)
    html = staff_client.get(reverse("home")).content.decode()
    kinds = table(html, "impact-by-kind")
    # Same clause kind, two rows: 20 trainees and 4 workshops are never 24 of anything.
    assert kinds == {
        ("training", "trainees"): {"target": 20, "accepted": 7, "percent": 35, "pending": 0, "returned": 0},
        ("training", "workshops"): {"target": 4, "accepted": 1, "percent": 25, "pending": 0, "returned": 0},
    }
    assert {unit for _key, unit in table(html, "impact-by-year")} == {"trainees", "workshops"}
    chart = html.split('id="impact-kind-data"', 1)[1].split("</script>", 1)[0]
    assert '"trainees": {' in chart and '"workshops": {' in chart


def test_pending_and_returned_quantities_are_shown_apart_from_accepted(staff_client):
    commitment = active_commitment(target=50)
    ProgressUpdateFactory(commitment=commitment, amount=10, status=ProgressStatus.ACCEPTED)
    ProgressUpdateFactory(commitment=commitment, amount=3, status=ProgressStatus.SUBMITTED)
    ProgressUpdateFactory(commitment=commitment, amount=2, status=ProgressStatus.RETURNED)
    html = staff_client.get(reverse("home")).content.decode()
    row = table(html, "impact-by-partner")[(str(commitment.clause.agreement.partner_id), "trainees")]
    assert row == {"target": 50, "accepted": 10, "percent": 20, "pending": 3, "returned": 2}


def test_cancelled_commitments_and_drafts_are_left_out_of_the_impact(staff_client):
    counted = active_commitment(target=20)
    active_commitment(target=500, status="cancelled")
    draft = AgreementFactory()
    CommitmentFactory(clause=ClauseFactory(agreement=draft), target_quantity=900)
    html = staff_client.get(reverse("home")).content.decode()
    assert table(html, "impact-by-kind") == {
        ("training", "trainees"): {"target": 20, "accepted": 0, "percent": 0, "pending": 0, "returned": 0}
    }
    assert counted.target_quantity == 20


def test_impact_moves_by_exactly_the_accepted_quantity_and_not_when_returned(staff_client):
    commitment = active_commitment(target=40)
    ProgressUpdateFactory(commitment=commitment, amount=5)
    to_accept = ProgressUpdateFactory(commitment=commitment, amount=7, status=ProgressStatus.SUBMITTED)
    to_return = ProgressUpdateFactory(commitment=commitment, amount=4, status=ProgressStatus.SUBMITTED)
    key = ("training", "trainees")

    def figures():
        return table(staff_client.get(reverse("home")).content.decode(), "impact-by-kind")[key]

    assert figures() == {"target": 40, "accepted": 5, "percent": 12, "pending": 11, "returned": 0}
    review = reverse("agreements:progress_review", args=[to_return.pk])
    staff_client.post(review, {"decision": "return", "comment": "صحح العدد"})
    assert figures() == {"target": 40, "accepted": 5, "percent": 12, "pending": 7, "returned": 4}
    staff_client.post(reverse("agreements:progress_review", args=[to_accept.pk]), {"decision": "accept"})
    assert figures() == {"target": 40, "accepted": 12, "percent": 30, "pending": 0, "returned": 4}
    assert ProgressUpdate.objects.get(pk=to_accept.pk).status == ProgressStatus.ACCEPTED


def test_year_filter_shows_one_year_with_its_hijri_years(staff_client):
    partner = PartnerFactory()
    active_commitment(partner, target=10, due_on=datetime.date(2026, 12, 31))
    active_commitment(partner, target=30, due_on=datetime.date(2027, 6, 30))
    html = staff_client.get(reverse("home"), {"year": "2027"}).content.decode()
    assert table(html, "impact-by-kind")[("training", "trainees")]["target"] == 30
    # The by-year table keeps every year for comparison, labelled in both calendars.
    assert table(html, "impact-by-year").keys() == {("2026", "trainees"), ("2027", "trainees")}
    assert "2026 (1447–1448 هـ)" in html
    assert '<option value="2027" selected>2027 (1448–1449 هـ)</option>' in html


@pytest.mark.parametrize("year", ["abc", "2031", "99999999999999999999", "<script>"])
def test_a_year_not_understood_shows_every_year_with_an_arabic_message(staff_client, year):
    active_commitment(target=10, due_on=datetime.date(2026, 12, 31))
    active_commitment(target=30, due_on=datetime.date(2027, 6, 30))
    response = staff_client.get(reverse("home"), {"year": year})
    assert response.status_code == 200
    html = response.content.decode()
    assert "لم تُفهم السنة" in html
    assert table(html, "impact-by-kind")[("training", "trainees")]["target"] == 40
    assert "<script>" not in html.split('data-testid="impact"', 1)[1].split("</section>", 1)[0]


def test_staff_queues_count_and_show_the_first_rows(staff_client, staff_user):
    today = clock.today()
    partner = PartnerFactory()
    for _ in range(7):
        overdue = active_commitment(partner, due_on=today - datetime.timedelta(days=3))
    ProgressUpdateFactory.create_batch(3, commitment=overdue, status=ProgressStatus.SUBMITTED)
    ending = AgreementFactory(partner=partner, ends_on=today + datetime.timedelta(days=30))
    set_status(ending, "active")
    renewal = AgreementFactory(
        partner=partner, renews=ending, starts_on=ending.ends_on, ends_on=today.replace(year=today.year + 3)
    )
    set_status(renewal, "awaiting_signatures")
    # An achieved one is never overdue; a signed renewal is no longer in progress.
    active_commitment(partner, due_on=today - datetime.timedelta(days=3), status="achieved")

    html = staff_client.get(reverse("home")).content.decode()
    assert queue(html, "to_review") == 3
    assert queue(html, "overdue") == 7
    assert queue(html, "ending") == 1
    assert queue(html, "renewals") == 1
    assert queue(html, "signature") == 0
    assert queue(html, "late_reports") == 0
    overdue_card = html.split('data-testid="queue-overdue"', 1)[1].split("</section>", 1)[0]
    assert overdue_card.count('class="list-group-item"') == 5  # the first five, the link for the rest
    assert "7 التزامات متأخرة" in overdue_card
    assert reverse("reports:report", args=["commitments"]) + "?by=overdue" in overdue_card
    assert "3 تقارير بانتظار المراجعة" in html

    # The renewals link opens the same list.
    listed = staff_client.get(reverse("agreements:list"), {"renewals": "on"}).content.decode()
    assert renewal.reference in listed and ending.reference not in listed.split("<tbody>", 1)[1]


def test_queue_counts_use_the_arabic_plural_forms(staff_user):
    today = clock.today()
    partner = PartnerFactory()
    expected = {1: "التزام متأخر واحد", 2: "التزامان متأخران", 3: "3 التزامات متأخرة", 11: "11 التزامًا متأخرًا"}
    made = 0
    with translation.override("ar"):
        for n, text in expected.items():
            while made < n:
                active_commitment(partner, due_on=today - datetime.timedelta(days=1))
                made += 1
            overdue = next(q for q in staff_queues(staff_user, today) if q.key == "overdue")
            assert overdue.count_text == text


def test_late_reports_queue_lists_period_reports_past_due_and_not_sent(staff_user):
    today = clock.today()
    with translation.override("ar"):
        late = next(q for q in staff_queues(staff_user, today) if q.key == "late_reports")
    assert (late.count, late.rows) == (0, [])
    assert late.empty == "لا يوجد تقرير دوري متأخر."

    agreement = AgreementFactory(partner=PartnerFactory())
    set_status(agreement, "active")

    def report(number, due_on, status="due"):
        return PeriodReport.objects.create(
            agreement=agreement,
            party="partner",
            schedule="quarterly",
            number=number,
            starts_on=due_on - datetime.timedelta(days=104),
            ends_on=due_on - datetime.timedelta(days=14),
            due_on=due_on,
            status=status,
        )

    overdue = report(1, today - datetime.timedelta(days=20))
    report(2, today - datetime.timedelta(days=5), status="submitted")  # sent: not late
    report(3, today + datetime.timedelta(days=5))  # not due yet
    with translation.override("ar"):
        late = next(q for q in staff_queues(staff_user, today) if q.key == "late_reports")
    assert late.count == 1 and late.count_text == "تقرير متأخر واحد"
    assert [row.url for row in late.rows] == [reverse("agreements:period_report", args=[overdue.pk])]
    assert late.url == reverse("agreements:late_reports")


def test_partner_home_shows_their_queues_and_their_impact_only(client):
    today = clock.today()
    mine, theirs = PartnerFactory(), PartnerFactory()
    own = active_commitment(mine, target=12, due_on=today + datetime.timedelta(days=5))
    late = active_commitment(mine, target=8, due_on=today - datetime.timedelta(days=5))
    returned = ProgressUpdateFactory(commitment=own, amount=2, status=ProgressStatus.RETURNED)
    ProgressUpdateFactory(commitment=late, amount=3)
    other = active_commitment(theirs, target=777, due_on=today - datetime.timedelta(days=5))
    ProgressUpdateFactory(commitment=other, amount=555)
    ProgressUpdateFactory(commitment=other, amount=444, status=ProgressStatus.RETURNED)

    client.force_login(PartnerUserFactory(partner=mine))
    html = client.get(reverse("portal:home")).content.decode()
    assert (queue(html, "overdue"), queue(html, "due_soon"), queue(html, "returned")) == (1, 1, 1)
    assert reverse("portal:progress_resubmit", args=[returned.pk]) in html
    assert table(html, "impact-by-kind") == {
        ("training", "trainees"): {"target": 20, "accepted": 3, "percent": 15, "pending": 0, "returned": 2}
    }
    assert 'data-testid="impact-by-partner"' not in html
    for figure in ("777", "555", "444", theirs.name_ar):
        assert figure not in html


def test_a_viewers_queue_rows_open_pages_the_viewer_may_see(client):
    """A viewer reads only: the overdue, due-soon and sent-back rows link to the commitment on its
    agreement, not to the report and correction forms (403 for a viewer); an editor gets the forms.
    Every link is opened as its user."""
    today = clock.today()
    partner = PartnerFactory()
    soon = active_commitment(partner, due_on=today + datetime.timedelta(days=5))
    late = active_commitment(partner, due_on=today - datetime.timedelta(days=5))
    returned = ProgressUpdateFactory(commitment=soon, amount=2, status=ProgressStatus.RETURNED)

    for role, forms in (("viewer", False), ("editor", True)):
        client.force_login(PartnerUserFactory(partner=partner, partner_role=role))
        html = client.get(reverse("portal:home")).content.decode()
        assert (queue(html, "overdue"), queue(html, "due_soon"), queue(html, "returned")) == (1, 1, 1)
        form_links = (
            reverse("portal:report_progress", args=[soon.pk]),
            reverse("portal:report_progress", args=[late.pk]),
            reverse("portal:progress_resubmit", args=[returned.pk]),
        )
        assert all((link in html) is forms for link in form_links), role
        anchors = {f"#commitment-{soon.pk}", f"#commitment-{late.pk}"}
        assert all((anchor in html) is not forms for anchor in anchors), role
        links = set(re.findall(r'href="(/portal/[^"#]*(?:report|resubmit|agreements)[^"#]*)', html))
        assert links, role
        for link in links:
            assert client.get(link).status_code == 200, (role, link)


def test_impact_builds_in_two_queries_whatever_the_size(staff_user, django_assert_num_queries):
    for _ in range(3):
        commitment = active_commitment(target=10)
        ProgressUpdateFactory.create_batch(2, commitment=commitment)
    assert staff_user.is_charity_staff  # the user's groups, loaded once per request
    # plain figures grouped by (kind, partner, year, unit); report sums grouped the same way
    with django_assert_num_queries(2):
        figures = impact(staff_user, {})
    assert figures.by_kind[0].accepted == 30
    assert Agreement.objects.count() == 3
