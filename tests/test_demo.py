from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from accounts.models import User
from agreements.models import Agreement, AgreementStatus, Amendment, AmendmentStatus, Clause, Commitment, ProgressUpdate
from demo.data import DEMO_PASSWORD
from partners.models import CharityProfile, Contact, Partner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_settings(settings):
    """As `make run` loads the demo: with DEBUG on (pytest-django turns it off for tests)."""
    settings.DEBUG = True


SOURCE_PARTNERS = {
    "جمعية تنمية الموارد البشرية بسيهات",
    "الكلية التقنية بالقطيف",
    "جمعية الفردوس لإكرام الموتى",
    "جمعية العطاء النسائية بالقطيف",
}


def _snapshot():
    return {
        "partners": sorted(Partner.objects.values_list("name_ar", "sector")),
        "contacts": Contact.objects.count(),
        "agreements": sorted(Agreement.objects.values_list("reference", "title_ar", "status", "starts_on", "ends_on")),
        "clauses": sorted(Clause.objects.values_list("agreement__reference", "order", "kind")),
        "commitments": sorted(
            Commitment.objects.values_list("clause__agreement__reference", "description_ar", "target_quantity")
        ),
        "progress": ProgressUpdate.objects.count(),
        "users": sorted(User.objects.values_list("username", "partner__name_ar")),
    }


def test_demo_loads_the_four_partners_with_the_source_arabic_names():
    call_command("load_demo", stdout=StringIO())
    assert set(Partner.objects.values_list("name_ar", flat=True)) == SOURCE_PARTNERS
    profile = CharityProfile.load()
    assert profile.name_ar == "خيرية القطيف"
    assert profile.chairman_name_ar == "أسامة الزاير"
    assert profile.committee_ar == "لجنة التمكين والتنمية المستدامة"
    assert Agreement.objects.filter(status=AgreementStatus.ACTIVE).count() == 4
    assert set(Agreement.objects.values_list("partner__name_ar", flat=True)) == SOURCE_PARTNERS
    # Every agreement has clauses, and every clause a commitment.
    assert not Agreement.objects.filter(clauses__isnull=True).exists()
    assert not Clause.objects.filter(commitments__isnull=True).exists()


def test_demo_is_idempotent():
    call_command("load_demo", stdout=StringIO())
    first = _snapshot()
    call_command("load_demo", stdout=StringIO())
    assert _snapshot() == first


def test_demo_prints_working_logins(client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    rows = [line.split() for line in out.getvalue().splitlines()[1:]]
    for username in ("admin", "staff", "viewer", "tech-college"):
        password = next(row[1] for row in rows if row[0] == username)
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, username
        client.logout()


def test_demo_partner_users_belong_to_their_partner():
    call_command("load_demo", stdout=StringIO())
    college_user = User.objects.get(username="tech-college")
    assert college_user.partner.name_ar == "الكلية التقنية بالقطيف"
    assert not college_user.is_charity_staff
    assert User.objects.get(username="staff").can_edit_agreements
    assert not User.objects.get(username="viewer").can_edit_agreements
    assert User.objects.get(username="viewer").is_charity_staff


@freeze_time("2026-12-07")
def test_demo_amends_the_saihat_agreement_through_the_real_services(client):
    call_command("load_demo", stdout=StringIO())
    amendment = Amendment.objects.get(agreement__partner__name_ar="جمعية تنمية الموارد البشرية بسيهات")
    assert amendment.number == 1
    # Signed by the chairman and the dean; its date (1 October 2026) has come, so in force.
    assert sorted(amendment.signing_requests.values_list("party", "status")) == [
        ("charity", "signed"),
        ("partner", "signed"),
    ]
    assert amendment.status == AmendmentStatus.ACTIVE
    assert amendment.pdf_status == "pending"  # the worker of `make run` renders it
    removed = Commitment.objects.get(removed_by=amendment)
    assert removed.description_ar == "تنظيم لقاءات دورية لتبادل الخبرات" and removed.status == "cancelled"
    current = Commitment.objects.current().filter(clause__agreement=amendment.agreement)
    assert current.get(unit="job_opportunities").target_quantity == 25
    assert current.filter(description_ar="تنظيم ورش عمل مشتركة لتبادل الخبرات", unit="workshops").exists()
    # The other agreements are not amended (browser journeys amend the college's).
    assert Amendment.objects.count() == 1
    # Loading again changes nothing: still one amendment, same content.
    call_command("load_demo", stdout=StringIO())
    assert Amendment.objects.filter(agreement=amendment.agreement).count() == 1
    client.force_login(User.objects.get(username="hrd-saihat"))
    page = client.get(f"/portal/agreements/{amendment.agreement.reference}/amendments/1/")
    assert page.status_code == 200
    assert "زيادة الفرص الوظيفية" in page.content.decode()


def test_demo_refuses_to_load_without_debug_and_changes_nothing(settings):
    settings.DEBUG = False
    before = _snapshot()
    with pytest.raises(CommandError, match="DEBUG is off: this looks like production, so no demo data was loaded"):
        call_command("load_demo", stdout=StringIO())
    assert _snapshot() == before
    assert not User.objects.exists() and not Partner.objects.exists()


def test_demo_loads_without_debug_when_told_it_is_a_trial(settings):
    settings.DEBUG = False
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())
    assert set(Partner.objects.values_list("name_ar", flat=True)) == SOURCE_PARTNERS


def test_demo_never_changes_the_password_of_an_existing_user(client):
    admin = User.objects.create_user("admin", password="The-Admins-Own-Password-7")
    call_command("load_demo", stdout=StringIO())
    staff = User.objects.get(username="staff")
    staff.set_password("Staff-Chose-This-9")
    staff.save()
    out = StringIO()
    call_command("load_demo", stdout=out)
    admin.refresh_from_db()
    staff.refresh_from_db()
    assert admin.check_password("The-Admins-Own-Password-7") and not admin.check_password(DEMO_PASSWORD)
    assert staff.check_password("Staff-Chose-This-9")
    # The logins printed do not claim the demo password for accounts that kept their own.
    rows = {line.split()[0]: line.split()[1] for line in out.getvalue().splitlines()[1:]}
    assert rows["admin"] == rows["staff"] == "(unchanged)"


# Runs in a process of its own, on the SQLite database `make run` uses: the rest of the suite
# runs on PostgreSQL, where a PostgreSQL-only query (GROUPING SETS, `::` casts) once passed
# every test while the demo's dashboards answered 500.
_DEMO_PAGES = """
from django.test import Client
from accounts.models import User
for username, path in (("staff", "/"), ("viewer", "/"), ("tech-college", "/portal/"), ("admin", "/")):
    client = Client(HTTP_HOST="127.0.0.1")  # the address make run serves; DEBUG allows loopback only
    client.force_login(User.objects.get(username=username))
    response = client.get(path)
    print(username, path, response.status_code, "data-testid=\\"impact-by-kind\\"" in response.content.decode())
"""


def test_the_demo_dashboards_open_on_sqlite_as_make_run_serves_them(tmp_path):
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", DEBUG="true", EMAIL_FILE_PATH=str(tmp_path / "mail")
    )

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    manage("load_demo")
    lines = [line.split() for line in manage("shell", "-c", _DEMO_PAGES).splitlines() if line.count(" ") == 3]
    assert [(user, path, status) for user, path, status, _ in lines] == [
        ("staff", "/", "200"),
        ("viewer", "/", "200"),
        ("tech-college", "/portal/", "200"),
        ("admin", "/", "200"),
    ]
    # The figures are there, not an empty page that happened to answer 200.
    assert all(shown == "True" for *_, shown in lines)
