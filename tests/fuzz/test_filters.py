"""Fuzzing the GET forms: the agreement list's search and filters, the partner portal's
commitment filter, paging, and the admin reports' period and grouping filters."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from agreements.models import AgreementStatus, ClauseKind, CommitmentStatus
from partners.models import Sector
from reports.definitions import REPORTS
from tests.fuzz import strategies as s
from tests.fuzz.harness import exercise
from tests.fuzz.registry import covers

SORTS = ["reference", "title", "partner", "status", "starts_on", "ends_on"]


@covers("agreements:list")
def test_agreement_list_filters(world):
    @given(
        params=s.fields(
            {
                "q": s.text(),
                "status": s.choice(AgreementStatus.values),
                "partner": s.pk([world.partner.pk]),
                "sector": s.choice(Sector.values),
                "kind": s.choice(ClauseKind.values),
                "ending_within": s.integer(1, 3650),
                "sort": s.choice(SORTS + [f"-{k}" for k in SORTS]),
                "page": s.integer(1, 5),
            }
        )
    )
    def run(params):
        exercise(world.login(world.staff), "GET", reverse("agreements:list"), params)

    assert exercise(world.login(world.staff), "GET", reverse("agreements:list")).status == 200

    run()


@covers("portal:commitments", "reminders:notifications")
def test_portal_filters(world):
    @given(
        params=s.fields(
            {
                "status": s.choice([*CommitmentStatus.values, "overdue"]),
                "kind": s.choice(ClauseKind.values),
                "page": s.integer(1, 5),
            }
        ),
        which=st.sampled_from(["portal:commitments", "reminders:notifications"]),
    )
    def run(params, which):
        exercise(world.login(world.partner_admin), "GET", reverse(which), params)

    run()


@covers("reports:index", "reports:report", "reports:print", "reports:download")
def test_report_filters(world):
    slugs = list(REPORTS)
    # The admin gate lets this user through: the reports themselves are what is fuzzed.
    assert exercise(world.login(world.admin), "GET", reverse("reports:report", args=[slugs[0]])).status == 200

    @given(
        slug=st.one_of(st.sampled_from(slugs), st.from_regex(r"[-a-zA-Z0-9_]{1,30}", fullmatch=True)),
        view=st.sampled_from(["reports:report", "reports:print", "reports:download", "reports:index"]),
        file_format=st.sampled_from(["csv", "xlsx", "pdf", "exe"]),
        params=s.fields({"start": s.date(), "end": s.date(), "by": s.choice(["partner", "status", "kind", "sector"])}),
    )
    def run(slug, view, file_format, params):
        if view == "reports:index":
            url = reverse(view)
        elif view == "reports:download":
            url = reverse(view, args=[slug, file_format])
        else:
            url = reverse(view, args=[slug])
        exercise(world.login(world.admin), "GET", url, params)

    run()


@covers("agreements:search", "portal:search")
def test_search_box(world):
    """The one search box, for staff and for a partner user: any text, tsquery and SQL syntax,
    NUL, bidi controls, very long input: an answer, never an error."""

    @given(
        params=s.fields({"q": st.one_of(s.text(), st.text(alphabet="&|!():*'\"\\%_<>-", max_size=40))}),
        who=st.sampled_from(["staff", "partner"]),
    )
    def run(params, who):
        if who == "staff":
            exercise(world.login(world.staff), "GET", reverse("agreements:search"), params)
        else:
            exercise(world.login(world.partner_admin), "GET", reverse("portal:search"), params)

    assert exercise(world.login(world.staff), "GET", reverse("agreements:search"), {"q": "تدريب"}).status == 200
    run()
