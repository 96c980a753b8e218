"""Saturating load on one page at a time, through gunicorn (issues 9 and 10).

bench/load.sh runs this once per page with BENCH_PATH and BENCH_LOGIN set: 16 users
without pauses request that page for the run's duration, so the requests per second
measure what the server can do for that page. /healthz, the trivial view, is measured
the same way, and each page's throughput is reported as a share of it.
"""

from __future__ import annotations

import os

from locust import HttpUser, constant, task

PASSWORD = "qatif-demo-2026"
PATH = os.environ.get("BENCH_PATH", "/healthz")
LOGIN = os.environ.get("BENCH_LOGIN", "")


class Visitor(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        if LOGIN:
            self.client.get("/accounts/login/", name="login")
            self.client.post(
                "/accounts/login/",
                {"username": LOGIN, "password": PASSWORD, "csrfmiddlewaretoken": self.client.cookies["csrftoken"]},
                headers={"Referer": self.host + "/accounts/login/"},
                name="login",
            )

    @task
    def page(self):
        self.client.get(PATH, name=PATH)
