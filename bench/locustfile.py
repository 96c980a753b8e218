"""Saturating load on one page at a time, through gunicorn (issues 9 and 10).

bench/load.sh runs this once per page with BENCH_PATH and BENCH_LOGIN set: 16 users
without pauses request that page for the run's duration, so the requests per second
measure what the server can do for that page. /healthz, the trivial view, is measured
the same way, and each page's throughput is reported as a share of it.

The load generator runs on the same two cores as gunicorn, so it uses locust's FastHttpUser
(geventhttpclient), which costs a fraction of the CPU per request of the `requests`-based
HttpUser: with HttpUser the generator itself took most of a core and capped the figures.
"""

from __future__ import annotations

import os

from locust import FastHttpUser, constant, task

PASSWORD = "qatif-demo-2026"
PATH = os.environ.get("BENCH_PATH", "/healthz")
LOGIN = os.environ.get("BENCH_LOGIN", "")


def csrf_token(client) -> str:
    return next(cookie.value for cookie in client.cookiejar if cookie.name == "csrftoken")


class Visitor(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        if LOGIN:
            self.client.get("/accounts/login/", name="login")
            self.client.post(
                "/accounts/login/",
                {"username": LOGIN, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(self.client)},
                headers={"Referer": self.host + "/accounts/login/"},
                name="login",
            ).raise_for_status()

    @task
    def page(self):
        # Not followed: a redirect (to the login page) would measure the wrong page.
        with self.client.get(PATH, name=PATH, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
