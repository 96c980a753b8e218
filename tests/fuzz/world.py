"""The rows every fuzz test runs against, made once per test."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django_otp.oath import totp

from accounts.models import Invitation, User
from accounts.two_factor import authenticator_setup_confirm, authenticator_setup_start
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    Party,
    PeriodReport,
    ProgressStatus,
    SigningRequest,
)
from common.tokens import hash_token
from partners.models import Contact, Partner
from tests import factories
from tests.agreements.signing_helpers import sent_agreement

SIGN_TOKEN = "fuzz-signing-token-0123456789abcdefghijklmnopqrstuv"
VERIFY_CODE = "fuzzverify0123456789"
INVITATION_TOKEN = "fuzz-invitation-token-0123456789abcdefghijklmnopqrs"


@dataclass
class World:
    staff: User  # an editor
    readonly: User
    admin: User
    chairman: User  # staff, signs the awaiting agreement from his account
    partner_admin: User
    partner_member: User
    two_factor_user: User  # staff with two-factor on
    setup_user: User  # staff half-way through setting two-factor up
    partner: Partner
    contact: Contact
    draft: Agreement
    awaiting: Agreement
    active: Agreement
    partner_request: SigningRequest
    charity_request: SigningRequest
    partner_commitment: Commitment
    charity_commitment: Commitment
    submitted_update_id: int
    returned_update_id: int
    invitation: Invitation
    partner_period_report: PeriodReport
    charity_period_report: PeriodReport

    @property
    def agreements(self) -> list[Agreement]:
        return [self.draft, self.awaiting, self.active]

    @property
    def references(self) -> list[str]:
        return [a.reference for a in self.agreements]

    def login(self, user: User | None):
        if user is None:
            return None

        def do(client):
            client.force_login(user)

        return do


def _totp_now(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def build_world() -> World:
    awaiting, contact, chairman = sent_agreement()
    partner = awaiting.partner
    draft = factories.agreement_with_clauses(clauses=2, partner=partner)
    active = factories.agreement_with_clauses(clauses=2, partner=partner, ends_on=datetime.date(2027, 12, 31))
    first_clause = active.clauses.order_by("order").first()
    charity_commitment = factories.CommitmentFactory(clause=first_clause, party=Party.CHARITY)
    Agreement.objects.filter(pk=active.pk).update(verification_code=VERIFY_CODE)
    active = factories.set_status(active, AgreementStatus.ACTIVE)
    requests = {r.party: r for r in awaiting.signing_requests.all()}
    partner_request, charity_request = requests[Party.PARTNER], requests[Party.CHARITY]
    SigningRequest.objects.filter(pk=partner_request.pk).update(token_hash=hash_token(SIGN_TOKEN))

    partner_commitment = Commitment.objects.filter(clause__agreement=active, party=Party.PARTNER).first()
    update = factories.ProgressUpdateFactory(commitment=partner_commitment, status=ProgressStatus.SUBMITTED)
    returned = factories.ProgressUpdateFactory(commitment=partner_commitment, status=ProgressStatus.RETURNED)

    # The partner's commitments ask for a breakdown by sex; a quarter's reports are due for both sides.
    Commitment.objects.filter(pk=partner_commitment.pk).update(breakdown="sex")
    periods = {
        party: PeriodReport.objects.create(
            agreement=active,
            party=party,
            schedule="quarterly",
            number=1,
            starts_on=active.starts_on,
            ends_on=active.starts_on + datetime.timedelta(days=89),
            due_on=active.starts_on + datetime.timedelta(days=103),
        )
        for party in (Party.PARTNER, Party.CHARITY)
    }

    partner_admin = factories.PartnerUserFactory(partner=partner, partner_role="officer")
    partner_member = factories.PartnerUserFactory(partner=partner)
    staff = factories.StaffFactory()
    invitation = Invitation.objects.create(
        partner=partner,
        email="invited@partner.example",
        name="مدعو",
        token_hash=hash_token(INVITATION_TOKEN),
        expires_at=timezone.now() + datetime.timedelta(days=7),
        invited_by=staff,
    )
    two_factor_user = factories.StaffFactory()
    device = authenticator_setup_start(user=two_factor_user)
    authenticator_setup_confirm(device=device, code=_totp_now(device))
    setup_user = factories.StaffFactory()
    authenticator_setup_start(user=setup_user)
    return World(
        staff=staff,
        readonly=factories.ReadOnlyStaffFactory(),
        admin=factories.AdminFactory(),
        chairman=chairman,
        partner_admin=partner_admin,
        partner_member=partner_member,
        two_factor_user=two_factor_user,
        setup_user=setup_user,
        partner=partner,
        contact=contact,
        draft=draft,
        awaiting=awaiting,
        active=active,
        partner_request=partner_request,
        charity_request=charity_request,
        partner_commitment=partner_commitment,
        charity_commitment=charity_commitment,
        submitted_update_id=update.pk,
        returned_update_id=returned.pk,
        invitation=invitation,
        partner_period_report=periods[Party.PARTNER],
        charity_period_report=periods[Party.CHARITY],
    )
