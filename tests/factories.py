"""factory_boy factories for the portal's models."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group

from accounts.models import STAFF_EDITORS, STAFF_READONLY, PartnerRole, User
from agreements.models import (
    Agreement,
    AgreementStatus,
    Clause,
    ClauseKind,
    Commitment,
    Party,
    ProgressStatus,
    ProgressUpdate,
    Unit,
)
from partners.models import Contact, Partner, PartnerKind, Sector

PASSWORD = "test-pass-123"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name_ar = factory.Sequence(lambda n: f"جمعية الشريك رقم {n}")
    name_en = factory.Sequence(lambda n: f"Partner association {n}")
    sector = Sector.NON_PROFIT
    kind = PartnerKind.ASSOCIATION
    city = "القطيف"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    partner = factory.SubFactory(PartnerFactory)
    name_ar = factory.Sequence(lambda n: f"ممثل رقم {n}")
    title_ar = "رئيس مجلس الإدارة"
    email = factory.Sequence(lambda n: f"contact{n}@partner.example")
    can_sign = True


def _in_group(name: str):
    """A post-generation hook adding the user to one of the staff groups."""

    @factory.post_generation
    def group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=extracted or name))

    return group


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    group = _in_group(STAFF_EDITORS)


class ReadOnlyStaffFactory(UserFactory):
    group = _in_group(STAFF_READONLY)


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True


class PartnerUserFactory(UserFactory):
    partner = factory.SubFactory(PartnerFactory)
    partner_role = PartnerRole.EDITOR


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title_ar = factory.Sequence(lambda n: f"اتفاقية شراكة رقم {n}")
    title_en = factory.Sequence(lambda n: f"Partnership agreement {n}")
    partner = factory.SubFactory(PartnerFactory)
    owner = factory.SubFactory(StaffFactory)
    signed_on = datetime.date(2026, 3, 16)
    starts_on = datetime.date(2026, 3, 16)
    ends_on = datetime.date(2028, 3, 15)


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    agreement = factory.SubFactory(AgreementFactory)
    kind = ClauseKind.TRAINING
    order = factory.Sequence(lambda n: n + 1)
    text_ar = "تقدم الجهة الخدمات التأهيلية والتدريبية للمستفيدين."
    text_en = "The partner provides qualification and training services."


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    clause = factory.SubFactory(ClauseFactory)
    party = Party.PARTNER
    description_ar = "تدريب المستفيدين"
    target_quantity = 20
    unit = Unit.TRAINEES
    due_on = datetime.date(2027, 1, 31)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    commitment = factory.SubFactory(CommitmentFactory)
    reported_on = datetime.date(2026, 6, 1)
    amount = 5
    reported_by = factory.SubFactory(StaffFactory)
    status = ProgressStatus.ACCEPTED


def set_status(agreement: Agreement, status: str) -> Agreement:
    """Put an agreement straight into a status, for arranging a test.

    Code under test changes status only through agreements.lifecycle; tests use this
    shortcut to arrange the starting state without staging the signatures first.
    """
    Agreement.objects.filter(pk=agreement.pk).update(status=status)
    agreement.refresh_from_db()
    return agreement


def agreement_with_clauses(
    *, clauses: int, commitments_per_clause: int = 2, status: str = AgreementStatus.DRAFT, **kwargs
) -> Agreement:
    """An agreement with `clauses` numbered clauses, each with its commitments, in `status`."""
    agreement = AgreementFactory(**kwargs)
    for order in range(1, clauses + 1):
        clause = ClauseFactory(agreement=agreement, order=order)
        CommitmentFactory.create_batch(commitments_per_clause, clause=clause)
    return set_status(agreement, status)
