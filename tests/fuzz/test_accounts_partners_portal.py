"""Fuzzing login and two-factor, invitations, password reset, the language switch,
partners and their contacts, the partner portal's team page, notifications, calendar."""

from __future__ import annotations

import time

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import assume, given
from hypothesis import strategies as st

from accounts.models import Invitation
from accounts.views import PENDING_LOGIN
from partners.models import PartnerKind, Sector
from tests.factories import PASSWORD
from tests.fuzz import strategies as s
from tests.fuzz.harness import exercise
from tests.fuzz.registry import covers
from tests.fuzz.world import INVITATION_TOKEN


def code():
    return st.one_of(
        st.text(alphabet="0123456789", min_size=6, max_size=6),
        st.text(alphabet="0123456789abcdefghjkmnpqrstuvwxyz -", max_size=40),
        s.text(),
    )


@covers("accounts:login")
def test_login(world):
    users = [world.staff, world.two_factor_user, world.partner_admin]

    @given(
        data=s.fields(
            {
                "username": st.one_of(st.sampled_from([u.username for u in users]), s.text()),
                "password": st.one_of(st.just(PASSWORD), s.text()),
            }
        ),
        next_url=st.one_of(st.just(""), st.sampled_from(["/agreements/", "https://evil.example/", "//evil"]), s.text()),
    )
    def run(data, next_url):
        # A successful login changes only the session (and last_login): it is a quiet redirect.
        exercise(None, "POST", reverse("accounts:login") + "?" + _query({"next": next_url}), data, silent_ok=True)

    run()


def _query(params):
    from urllib.parse import urlencode

    return urlencode(params)


@covers("accounts:login_code")
def test_login_code(world):
    user = world.two_factor_user

    @given(data=s.fields({"code": code()}), pending=st.integers(0, 9), stale=st.booleans())
    def run(data, pending, stale):
        session = None
        if pending:
            at = time.time() - (600 if stale else 0)
            backend = "axes.backends.AxesStandaloneBackend"
            session = {PENDING_LOGIN: {"user": user.pk, "backend": backend, "next": "/", "at": at}}
        exercise(None, "POST", reverse("accounts:login_code"), data, session=session, silent_ok=True)

    run()


@covers("accounts:logout")
def test_logout(world):
    @given(user=st.sampled_from([None, world.staff, world.partner_admin]), data=s.fields({"next": s.text()}))
    def run(user, data):
        exercise(world.login(user), "POST", reverse("accounts:logout"), data, silent_ok=True, result_ok=True)

    run()


@covers("accounts:invitation")
def test_accept_invitation(world):
    @given(
        token=st.one_of(st.just(INVITATION_TOKEN), s.text()),
        data=s.fields({"first_name": s.text(), "password1": s.text(), "password2": s.text()}),
        same=st.booleans(),
    )
    def run(token, data, same):
        try:
            url = reverse("accounts:invitation", args=[token])
        except Exception:
            assume(False)
        if same and "password1" in data:
            data["password2"] = data["password1"]
        exercise(None, "POST", url, data)

    run()


@covers(
    "accounts:two_factor_start",
    "accounts:two_factor_setup",
    "accounts:two_factor_backup_codes",
    "accounts:two_factor_off",
)
def test_two_factor_pages(world):
    @given(
        name=st.sampled_from(
            [
                "accounts:two_factor_start",
                "accounts:two_factor_setup",
                "accounts:two_factor_backup_codes",
                "accounts:two_factor_off",
            ]
        ),
        user=st.sampled_from([world.two_factor_user, world.setup_user, world.staff, world.partner_admin]),
        data=s.fields(
            {
                "code": code(),
                "renew-code": code(),
                "disable-code": code(),
                "disable-password": st.one_of(st.just(PASSWORD), s.text()),
            }
        ),
    )
    def run(name, user, data):
        # Start and setup move on with a redirect, as the page a person sees next shows them.
        exercise(world.login(user), "POST", reverse(name), data, silent_ok=name.endswith(("start", "setup")))

    run()


@covers("accounts:password_reset", "accounts:password_reset_confirm")
def test_password_reset(world):
    user = world.staff

    @given(
        email=s.fields({"email": st.one_of(st.just(user.email), s.email())}),
        data=s.fields({"new_password1": s.text(), "new_password2": s.text()}),
        same=st.booleans(),
        uid=st.one_of(st.just(urlsafe_base64_encode(force_bytes(user.pk))), s.text()),
    )
    def run(email, data, same, uid):
        # The request answers the same whether or not the address exists (no account probing).
        exercise(None, "POST", reverse("accounts:password_reset"), email, silent_ok=True)
        if same and "new_password1" in data:
            data["new_password2"] = data["new_password1"]
        token = default_token_generator.make_token(user)
        try:
            url = reverse("accounts:password_reset_confirm", args=[uid, token])
        except Exception:
            assume(False)
        exercise(None, "POST", url, data, silent_ok=True, result_ok=True)

    run()


@covers("set_language")
def test_language_switch(world):
    @given(
        user=st.sampled_from([None, world.staff]),
        data=s.fields({"language": s.choice(["ar", "en"]), "next": st.one_of(st.just("/agreements/"), s.text())}),
    )
    def run(user, data):
        # Only a cookie changes; an unknown language is ignored, as Django's view does.
        exercise(world.login(user), "POST", reverse("set_language"), data, silent_ok=True)

    run()


@st.composite
def partner_post(draw, world, partner=None):
    data = draw(
        s.fields(
            {
                "name_ar": s.text(),
                "name_en": s.text(),
                "sector": s.choice(Sector.values),
                "kind": s.choice(PartnerKind.values),
                "city": s.text(),
                "registration_number": s.text(),
                "phone": s.text(),
                "email": s.email(),
                "website": st.one_of(
                    st.sampled_from(["https://example.org", "javascript:alert(1)", "ftp://x"]), s.text()
                ),
                "address": s.text(),
                "is_active": s.checkbox(),
            },
            valid={"name_ar": "جمعية الشريك", "sector": "non_profit", "kind": "association", "is_active": "on"},
        )
    )
    contacts = list(partner.contacts.order_by("id")) if partner else []
    count = draw(st.integers(0, 3))
    data.update(draw(s.management_form("contacts", count, min(count, len(contacts)))))
    for i in range(count):
        prefix = f"contacts-{i}"
        data.update(
            draw(
                s.fields(
                    {
                        f"{prefix}-id": st.one_of(
                            st.just(str(contacts[i].pk) if i < len(contacts) else ""), s.pk([c.pk for c in contacts])
                        ),
                        f"{prefix}-name_ar": s.text(),
                        f"{prefix}-name_en": s.text(),
                        f"{prefix}-title_ar": s.text(),
                        f"{prefix}-title_en": s.text(),
                        f"{prefix}-email": s.email(),
                        f"{prefix}-phone": s.text(),
                        f"{prefix}-can_sign": s.checkbox(),
                        f"{prefix}-is_primary": s.checkbox(),
                        f"{prefix}-is_active": s.checkbox(),
                        f"{prefix}-DELETE": st.one_of(st.just(s.ABSENT), s.checkbox()),
                    },
                    valid={
                        f"{prefix}-name_ar": "ممثل الشريك",
                        f"{prefix}-email": f"rep{i}@partner.example",
                        f"{prefix}-can_sign": "on",
                        f"{prefix}-is_active": "on",
                        f"{prefix}-DELETE": s.ABSENT,
                    },
                )
            )
        )
    return data


@covers("partners:create", "partners:edit")
def test_partner_edit(world):
    @given(edit=st.booleans(), data=st.data())
    def run(edit, data):
        if edit:
            post = data.draw(partner_post(world, world.partner))
            url = reverse("partners:edit", args=[world.partner.pk])
        else:
            post = data.draw(partner_post(world))
            url = reverse("partners:create")
        exercise(world.login(world.staff), "POST", url, post)

    run()


@covers("partners:contact_invite")
def test_contact_invite(world):
    @given(
        pk=st.one_of(st.just(world.partner.pk), st.integers(0, 2**31 - 1)),
        contact=st.one_of(st.just(world.contact.pk), st.integers(0, 2**31 - 1)),
        user=st.sampled_from([world.staff, world.staff, world.readonly]),
        data=s.fields({"role": s.choice(["officer", "editor", "viewer"])}),
    )
    def run(pk, contact, user, data):
        url = reverse("partners:contact_invite", args=[pk, contact])
        exercise(world.login(user), "POST", url, data)

    run()


@covers("portal:team", "portal:team_active", "portal:team_role")
def test_portal_team(world):
    @given(
        user=st.sampled_from([world.partner_admin, world.partner_admin, world.partner_member]),
        data=s.fields(
            {
                "name": s.text(),
                "email": s.email(),
                "active": s.choice(["1", "0"]),
                "role": s.choice(["officer", "editor", "viewer"]),
            }
        ),
        target=st.one_of(st.sampled_from([world.partner_member.pk, world.partner_admin.pk, world.staff.pk])),
        which=st.sampled_from(["portal:team", "portal:team_active", "portal:team_role"]),
    )
    def run(user, data, target, which):
        url = reverse(which, args=[] if which == "portal:team" else [target])
        # Switching a colleague on or off shows in the list itself, without a message.
        exercise(world.login(user), "POST", url, data, silent_ok=which == "portal:team_active")

    run()


@covers("portal:invitation_resend", "portal:invitation_withdraw")
def test_portal_invitations(world):
    @given(
        user=st.sampled_from([world.partner_admin, world.partner_admin, world.partner_member]),
        target=st.one_of(st.integers(0, 2**31 - 1), st.just(0)),
        which=st.sampled_from(["portal:invitation_resend", "portal:invitation_withdraw"]),
        method=st.sampled_from(["GET", "POST"]),
    )
    def run(user, target, which, method):
        pending = list(Invitation.objects.pending().filter(partner=world.partner).values_list("pk", flat=True))
        pk = pending[0] if pending and target == 0 else target
        # Resending is POST only (like every button of the team page); withdrawing asks first on a GET.
        method = "POST" if which == "portal:invitation_resend" else method
        exercise(world.login(user), method, reverse(which, args=[pk]), {})

    run()


@covers("reminders:read_all", "reminders:calendar", "reminders:reminder_emails")
def test_notifications_and_calendar(world):
    @given(
        user=st.sampled_from([world.staff, world.partner_admin]),
        which=st.sampled_from(["reminders:read_all", "reminders:calendar", "reminders:reminder_emails"]),
        data=s.fields(
            {"action": s.choice(["revoke", "issue"]), "reminder_emails": s.choice(["digest", "each", "none"])}
        ),
    )
    def run(user, which, data):
        exercise(world.login(user), "POST", reverse(which), data, silent_ok=which == "reminders:read_all")

    run()
