"""A working day's mix against gunicorn (issue 10): staff, partner users and the public.

bench/load_mixed.sh starts the portal and runs this with 50 users for 60 s. Users think
for 0.5–2 s between requests, as people do; the weights give roughly 5 staff : 3 partner
users : 2 public visitors. Any non-2xx/3xx answer is a failure.
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, task

PASSWORD = "qatif-demo-2026"
CODE = os.environ["BENCH_VERIFY_CODE"]
SAMPLE = open(os.environ["BENCH_VERIFY_PDF"], "rb").read()
SEARCHES = ["الاسر", "تدريب", "QC-2026", "الكلية", "توظيف"]


class Visitor(HttpUser):
    """Trusts the authority bench/caddy.sh names: locust's HttpUser turns off `trust_env`, so
    requests would not read REQUESTS_CA_BUNDLE itself (every https request failed in CI)."""

    abstract = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client.verify = os.environ.get("REQUESTS_CA_BUNDLE") or True


class LoggedIn(Visitor):
    abstract = True
    wait_time = between(0.5, 2)
    username = ""

    def on_start(self):
        self.client.get("/accounts/login/", name="login form")
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.client.cookies["csrftoken"]},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login (password checked)",
        )
        response.raise_for_status()


class Staff(LoggedIn):
    weight = 5
    username = "staff"

    def on_start(self):
        super().on_start()
        self.references = ["QC-2026-0001", "QC-2026-0002", "QC-2026-0003", "QC-2026-0004"]

    @task(3)
    def dashboard(self):
        self.client.get("/", name="staff: dashboard")

    @task(3)
    def agreement_list(self):
        self.client.get("/agreements/", name="staff: agreement list")

    @task(2)
    def search(self):
        self.client.get("/agreements/", params={"q": random.choice(SEARCHES)}, name="staff: search")

    @task(4)
    def agreement(self):
        reference = random.choice(self.references)
        self.client.get(f"/agreements/{reference}/", name="staff: agreement detail")

    @task(1)
    def partners(self):
        self.client.get("/partners/", name="staff: partner list")

    @task(1)
    def progress_queue(self):
        self.client.get("/agreements/progress/", name="staff: progress queue")


class PartnerUser(LoggedIn):
    weight = 3
    username = "tech-college"

    @task(3)
    def home(self):
        self.client.get("/portal/", name="partner: home")

    @task(3)
    def commitments(self):
        self.client.get("/portal/commitments/", name="partner: commitments")

    @task(1)
    def notifications(self):
        self.client.get("/reminders/notifications/", name="partner: notifications")


class Public(Visitor):
    weight = 2
    wait_time = between(0.5, 2)

    @task(4)
    def verification_page(self):
        self.client.get(f"/verify/{CODE}/", name="public: verification page")

    @task(1)
    def upload_check(self):
        # The public check of a copy: the page's form, then the upload (seal validated).
        self.client.get(f"/verify/{CODE}/", name="public: verification page")
        with self.client.post(
            f"/verify/{CODE}/",
            data={"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
            files={"pdf": ("copy.pdf", SAMPLE, "application/pdf")},
            headers={"Referer": f"{self.host}/verify/{CODE}/"},
            name="public: upload check",
            catch_response=True,
        ) as response:
            if response.ok and 'data-authentic="yes"' not in response.text:
                response.failure("the issued copy was not recognised as authentic")
